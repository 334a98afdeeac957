"""The Key people page, and contacts stored from the Data page, on a hand-worked portfolio.

The shared portfolio (tests/app/conftest.py), 2025-11 … 2026-01, has three positive accounts,
A1 (2,700), A2 (1,450) and A3 (270): the key accounts are the top ceil(3 / 5) = 1, A1.
Recency is counted to 2026-01-31.

CONTACTS: A1 has its economic buyer (21 days) and a coach (61 days): coverage 30 + 20 = 50,
below 60, and no technical buyer. A3 has one technical buyer, a detractor of influence 4 last
met 2025-06-01 (244 days): coverage 25 × 0.5 = 12.5. Single-threaded: A3 only, which is not
key, so no key revenue is at risk (0%). Names carry markdown and HTML, to be shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.sql import fetch_all
from core.store import store_uploads

PAGE = "app_pages/people.py"
DATA = "app_pages/data.py"
OpenApp = Callable[..., AppTest]

CONTACTS = """客户编码,联系人,职位,角色,风格,影响力,态度,最近联系日期
A1,Ann <b>Lee</b>,CEO,经济购买者,领导,5,拥护者,2026-01-10
A1,*Bo*,Engineer,教练,跟踪,3,champion,2025/12/1
A3,Cy,QA lead,technical buyer,检查,4,反对者,2025-06-01
"""


@pytest.fixture
def with_contacts(portfolio: Database) -> Database:
    prepared = prepare_upload("people.csv", CONTACTS.encode(), IngestOptions(kind="contacts"))
    store_uploads(portfolio, [prepared])
    return portfolio


def figures(at: AppTest) -> list[go.Figure]:
    return [plotly.io.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


class TestWithoutContacts:
    def test_says_how_to_add_a_contacts_file(self, portfolio: Database, open_app: OpenApp):
        at = open_app(PAGE)
        assert "No contacts file is stored yet" in at.info[0].value
        assert not at.get("plotly_chart")


@pytest.mark.usefixtures("with_contacts")
class TestKeyPeoplePage:
    def test_tiles(self, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        assert tiles(at) == {
            "Key accounts": "1",
            "Single-threaded accounts": "1",
            "Key revenue at risk": "0.0%",
            "Average key-account coverage": "50",
        }
        assert any("2026-01-31" in c.value for c in at.caption)

    def test_heatmap_of_the_key_account(self, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        heatmap = figures(at)[0]
        cells = heatmap.data[0]
        assert list(cells.y) == ["Acme Ltd  "]
        assert list(cells.x) == [
            "Economic buyer",
            "Technical buyer",
            "Coach",
            "User buyer",
            "Gatekeeper",
        ]
        # Economic buyer champion 21 days, nobody technical, coach champion 61 days.
        assert list(cells.text[0]) == ["21 d", "", "61 d", "", ""]
        assert cells.z[0][0] == cells.z[0][2] > cells.z[0][1]

    def test_alerts_with_names_as_text(self, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        shown = re.sub(r"\\(.)", r"\1", " ".join(e.value for e in [*at.error, *at.warning]))
        assert "Thin key-account coverage" in shown and "coverage 50 of 100, below 60" in shown
        assert "Influential detractor" in shown and "(Cy), influence 4 or more" in shown
        raw = " ".join(e.value for e in [*at.error, *at.warning])
        assert "<b>" not in raw and "\\*Gamma\\*" in raw

    def test_one_account_map_people_cards_and_levers(self, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        assert at.selectbox(key="people.account").value == "A1"
        relationship = figures(at)[1]
        names = [name for trace in relationship.data for name in trace.text]
        assert sorted(names) == sorted(["Ann &lt;b&gt;Lee&lt;/b&gt;", "*Bo*"])
        sizes = {
            t: s
            for trace in relationship.data
            for t, s in zip(trace.text, trace.marker.size, strict=True)
        }
        assert sizes["*Bo*"] == 14 + 9 * 3 and sizes["Ann &lt;b&gt;Lee&lt;/b&gt;"] == 14 + 9 * 5
        people = at.dataframe[0].value
        assert list(people["Name"]) == ["Ann <b>Lee</b>", "*Bo*"]
        assert list(people["Style"]) == ["Driver", "Amiable"]
        labels = [e.label for e in at.expander]
        assert "\\*Bo\\* · Amiable" in labels
        levers = {c.label: c.value for c in at.checkbox}
        assert levers["An internal introducer or coach"] is True
        assert levers["Executive-to-executive contact"] is True
        assert levers["Site visits to us and to reference customers"] is False

    def test_another_account(self, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        at.selectbox(key="people.account").set_value("A3").run()
        assert not at.exception
        assert list(at.dataframe[0].value["Stance"]) == ["Detractor"]

    def test_chinese(self, open_app: OpenApp) -> None:
        at = open_app(PAGE, {"lang": "zh"})
        assert at.title[0].value == "关键人"
        assert "重点客户" in tiles(at)
        assert list(figures(at)[0].data[0].x)[:2] == ["经济购买者", "技术购买者"]
        assert list(at.dataframe[0].value["风格"]) == ["领导型", "跟踪型"]


class TestDataPageKinds:
    def test_a_contacts_file_is_stored_and_shown_with_its_kind(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(DATA)
        at.button_group(key="data.kind").set_value("contacts").run()
        at.file_uploader[0].set_value([("people.csv", CONTACTS.encode(), "text/csv")]).run()
        assert not at.exception
        (expander,) = [e for e in at.expander if "people" in e.label]
        assert "rows: 3" in expander.label
        at.button(key="data.store").click().run()
        history = at.dataframe[-1].value
        assert history.iloc[0]["kind"] == "Contacts" and history.iloc[1]["kind"] == "Sales export"
        with portfolio.connect() as con:
            assert fetch_all(con, "SELECT count(*) FROM active_contacts")[0][0] == 3

    def test_a_bad_contacts_file_names_the_cell(self, portfolio: Database, open_app: OpenApp):
        at = open_app(DATA)
        at.button_group(key="data.kind").set_value("contacts").run()
        bad = CONTACTS.replace("领导", "boss").encode()
        at.file_uploader[0].set_value([("people.csv", bad, "text/csv")]).run()
        errors = [frame.value for frame in at.dataframe if "Problem" in frame.value.columns]
        assert errors and errors[0].iloc[0]["Value"] == "boss"
        assert errors[0].iloc[0]["Column"] == "风格"
        assert at.button(key="data.store").disabled
