"""QBR mode: anonymised names reach no page, and presentation mode hides the sidebar."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import PAGES

STORED_NAMES = ("Acme", "Beta", "Gamma", "Delta", "A1", "A2", "A3", "A4")
"""The hand-worked portfolio's account names and ids (tests/app/conftest.py)."""

OpenApp = Callable[..., AppTest]


def texts(at: AppTest) -> Iterator[str]:
    """Every text an element of the page shows, charts (with their hover labels) included."""
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code"):
        yield from (element.value for element in at.get(kind))
    for kind in ("error", "warning", "info", "success", "exception"):
        yield from (str(element.value) for element in at.get(kind))
    for metric in at.metric:
        yield f"{metric.label} {metric.value} {metric.delta}"
    for expander in at.expander:
        yield expander.label
    for frame in [*at.dataframe, *at.table]:
        yield frame.value.to_csv()
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in at.get(kind):
            yield f"{widget.label} {widget.options} {widget.value}"
    for chart in at.get("plotly_chart"):
        # Typed arrays travel as base64, whose letters could spell anything: numbers only.
        yield re.sub(r'"bdata":"[^"]*"', "", chart.proto.spec)


@pytest.mark.usefixtures("portfolio")
class TestAnonymise:
    @pytest.mark.parametrize("script", [spec.script for spec in PAGES])
    def test_no_stored_name_reaches_any_page(self, script: str, open_app: OpenApp) -> None:
        at = open_app(query={"anonymise": "1"})
        assert at.toggle(key="qbr_anonymise").value is True
        if script != PAGES[0].script:
            at.switch_page(script).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = "\n".join(texts(at))
        if script.endswith("data.py"):
            pytest.skip("the Data page shows the user's own files by design")
        leaked = [name for name in STORED_NAMES if name in shown]
        assert not leaked, f"{script} shows {leaked}"

    def test_aliases_are_the_same_on_every_page(self, open_app: OpenApp) -> None:
        """Acme (2,700) is the largest account, so it is 'Account 001' everywhere."""
        at = open_app("app_pages/concentration.py", query={"anonymise": "1"})
        assert "Account 001" in "\n".join(texts(at))
        at.switch_page("app_pages/discounts.py").run()
        assert "Account 001" in "\n".join(texts(at))

    def test_the_url_carries_no_owner_name(self, open_app: OpenApp) -> None:
        at = open_app(query={"anonymise": "1"})
        assert at.query_params.get("anonymise") == "1"
        assert "owner" not in at.query_params


@pytest.mark.usefixtures("portfolio")
class TestPresentation:
    def test_presentation_mode_restyles_and_offers_the_way_back(self, open_app: OpenApp) -> None:
        at = open_app(query={"present": "1"})
        assert at.toggle(key="qbr_present").value is True
        styles = " ".join(str(element.proto) for element in at.get("html"))
        assert "stSidebar" in styles and "display: none" in styles
        assert "2025-11 – 2026-01" in styles, "the period follows every page title"
        at.button(key="qbr_exit").click().run()
        assert at.toggle(key="qbr_present").value is False
        assert "present" not in at.query_params
