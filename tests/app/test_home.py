"""The landing page (Overview) on the hand-worked portfolio (figures in conftest.PORTFOLIO_CSV):
KPI tiles, the revenue bridge, the ranked alerts, the five-mistakes panels, in both languages."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database

OpenApp = Callable[..., AppTest]

MISTAKE_NAMES = (
    "1 · Judging by a single indicator",
    "2 · Big over small",
    "3 · A big product is not a big customer",
    "4 · Where the profit comes from",
    "5 · Ever-better terms",
)


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def deltas(at: AppTest) -> dict[str, str | None]:
    return {metric.label: metric.proto.delta or None for metric in at.metric}


def colour(metric: object) -> str:
    """The colour Streamlit gives a metric's delta: GREEN or RED (after delta_color)."""
    proto = metric.proto  # type: ignore[attr-defined]
    field = proto.DESCRIPTOR.fields_by_name["color"]
    return field.enum_type.values_by_number[proto.color].name


def plain(text: str) -> str:
    """Markdown without its escapes."""
    return text.replace("\\", "")


def captions(at: AppTest) -> str:
    return plain("\n".join(caption.value for caption in at.caption))


def markdown(at: AppTest) -> str:
    return plain("\n".join(item.value for item in at.markdown))


def charts(at: AppTest) -> list[dict]:
    """Every plotly chart's spec."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def waterfall(at: AppTest) -> dict:
    (trace,) = [c["data"][0] for c in charts(at) if c["data"][0]["type"] == "waterfall"]
    return {"measure": trace["measure"], "y": _values(trace["y"]), "x": trace["x"]}


def _values(array: object) -> list:
    """Plotly stores numeric arrays as base64 ('bdata'); decode them."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def january(at: AppTest) -> AppTest:
    """Narrow the period to 2026-01, so 2025-12 is its prior period."""
    return at.selectbox(key="period_from").set_value("2026-01").run()


@pytest.mark.usefixtures("portfolio")
class TestTiles:
    def test_the_seven_tiles_of_the_default_period(self, open_app: OpenApp) -> None:
        # 2025-11 .. 2026-01. Net 4,320, gross profit 1,200, margin 1,200 / 4,320 = 27.8%;
        # positive accounts A1 2,700, A2 1,450, A3 270 (total 4,420): top ⌈0.6⌉ = 1 holds
        # 2,700 / 4,420 = 61.1%; HHI 10,000 · (0.6109² + 0.3281² + 0.0611²) = 4,845;
        # discount 380 / 4,700 = 8.1%.
        at = open_app()
        assert tiles(at) == {
            "Net revenue": "4,320",
            "Gross profit": "1,200",
            "Gross margin %": "27.8%",
            "Active accounts": "3",
            "Top-20% share": "61.1%",
            "HHI": "4,845",
            "Discount rate": "8.1%",
        }

    def test_no_comparison_before_the_first_stored_month(self, open_app: OpenApp) -> None:
        at = open_app()
        assert set(deltas(at).values()) == {None}
        assert "vs prior period: no comparison" in captions(at)

    def test_deltas_against_the_prior_month(self, open_app: OpenApp) -> None:
        # 2026-01 (A2 950, A4 −100) against 2025-12 (A1 1,800, A3 270):
        # net 850 / 2,070 − 1 = −58.9%; gross profit 230 against 570 = −59.6%;
        # margin 230 / 850 = 27.1% against 570 / 2,070 = 27.5%: −0.5 pp;
        # accounts 1 against 2; top-20% 100% against 1,800 / 2,070 = 87.0%: +13.0 pp;
        # HHI 10,000 against 7,561.4 + 170.1 = 7,731.5: +2,268 (rounded to even);
        # discount 50 / 900 = 5.6% against 230 / 2,300 = 10.0%: −4.4 pp.
        at = january(open_app())
        assert tiles(at)["Net revenue"] == "850"
        assert deltas(at) == {
            "Net revenue": "-58.9%",
            "Gross profit": "-59.6%",
            "Gross margin %": "-0.5 pp",
            "Active accounts": "-1",
            "Top-20% share": "+13.0 pp",
            "HHI": f"{10_000 - 10_000 * ((1800 / 2070) ** 2 + (270 / 2070) ** 2):+,.0f}",
            "Discount rate": "-4.4 pp",
        }

    def test_the_sidebar_basis_decides_which_change_leads(self, open_app: OpenApp) -> None:
        # Compared with last year first: 2025-01 is not stored, so no delta; the prior month
        # moves to the line below: net revenue −58.9%, a fall, in red.
        at = january(open_app())
        at.segmented_control(key="basis").set_value("last_year").run()
        assert set(deltas(at).values()) == {None}
        assert "vs same period last year: no comparison" in captions(at)
        assert "vs prior period: :red[↓ -58.9%]" in captions(at)

    def test_arrows_are_coloured_by_whether_the_change_is_good(self, open_app: OpenApp) -> None:
        # Against 2025-12: revenue, profit, margin and accounts fell (bad: red); the top-20%
        # share and HHI rose (bad: red); the discount rate fell (good: green).
        colours = {m.label: colour(m) for m in january(open_app()).metric}
        assert colours == {
            "Net revenue": "RED",
            "Gross profit": "RED",
            "Gross margin %": "RED",
            "Active accounts": "RED",
            "Top-20% share": "RED",
            "HHI": "RED",
            "Discount rate": "GREEN",
        }

    def test_a_fall_in_concentration_is_green(self, open_app: OpenApp) -> None:
        # 2025-12 .. 2026-01 against 2025-10 .. 2025-11: not covered (2025-10 is not stored),
        # so compare one month: 2025-12 against 2025-11. HHI 7,731.5 against
        # 10,000 · ((900 / 1,400)² + (500 / 1,400)²) = 5,408.2: up, red; net revenue up
        # 2,070 / 1,400 − 1 = +47.9%: green.
        at = open_app()
        at.selectbox(key="period_from").set_value("2025-12").run()
        at.selectbox(key="period_to").set_value("2025-12").run()
        colours = {m.label: colour(m) for m in at.metric}
        assert deltas(at)["Net revenue"] == "+47.9%"
        assert (colours["Net revenue"], colours["HHI"]) == ("GREEN", "RED")


@pytest.mark.usefixtures("portfolio")
class TestBridge:
    def test_waterfall_from_the_prior_month(self, open_app: OpenApp) -> None:
        # 2025-12 → 2026-01: start 2,070 (A1, A3); A2 new +950; A1 and A3 lost −2,070;
        # A4 (−100) is never active; end 950.
        at = january(open_app())
        chart = waterfall(at)
        assert chart["measure"] == [
            "absolute",
            "relative",
            "relative",
            "relative",
            "relative",
            "total",
        ]
        assert chart["y"] == pytest.approx([2070, 950, 0, 0, -2070, 0])
        assert chart["x"] == ["Start", "New", "Expansion", "Contraction", "Lost", "End"]
        assert "1 new, 0 growing, 0 shrinking and 2 lost accounts." in captions(january(open_app()))

    def test_without_a_prior_period_it_says_so(self, open_app: OpenApp) -> None:
        at = open_app()
        assert [c["data"][0]["type"] for c in charts(at)] == ["bar"], "the margin bars only"
        assert any("needs the prior period" in info.value for info in at.info)


@pytest.mark.usefixtures("portfolio")
class TestAlerts:
    def test_ranked_with_what_why_accounts_and_action(self, open_app: OpenApp) -> None:
        # HHI 4,845 > 1,800 is 'act' with the most revenue at stake (all three, 4,420).
        at = open_app()
        text = markdown(at)
        first = next(line for line in text.split("\n") if "Act" in line and "—" in line)
        assert "High concentration (HHI)" in first
        assert "Suggested action:** Reduce concentration: HHI 4,845" in text
        assert "Why: HHI 4,845" in captions(at)
        assert "revenue at stake 4,420" in captions(at)

    def test_an_alert_opens_its_page(self, open_app: OpenApp) -> None:
        at = open_app()
        pages = [link.proto.page for link in at.get("page_link")]
        assert "concentration" in pages
        assert pages[-1] == "data"


@pytest.mark.usefixtures("portfolio")
class TestFiveMistakes:
    def test_five_panels_with_a_status_each(self, open_app: OpenApp) -> None:
        text = markdown(at := open_app())
        for name in MISTAKE_NAMES:
            assert f"#### {name}" in text
        assert "The five mistakes at a glance" in [header.value for header in at.subheader]
        assert text.count("-badge[") >= 10, "a badge per panel and per glance line"

    def test_the_loss_makers_are_named_in_their_panel(self, open_app: OpenApp) -> None:
        # A3 sells 270 at cost 300 (−30), A4 −100 at cost −80 (−20): both lose money, neither
        # is the key account (A1, the top ⌈0.6⌉ = 1), whose margin 900 / 2,700 is above the
        # rest's (350 − 30 − 20) / 1,620: 'watch', loss makers most negative first.
        at = open_app()
        panel = next(plain(m.value) for m in at.markdown if m.value.startswith("#### 4 · Where"))
        assert ":orange-badge[" in panel and "Watch" in panel
        assert "Accounts losing money: 2, giving back 50 of gross profit." in markdown(at)
        tables = [frame.value for frame in at.dataframe]
        ids = [list(table["Account ID"]) for table in tables if "Account ID" in table]
        assert ["A3", "A4"] in ids


@pytest.mark.usefixtures("portfolio")
class TestChinese:
    def test_the_overview_in_chinese(self, open_app: OpenApp) -> None:
        at = open_app(query={"lang": "zh"})
        assert at.title[0].value == "大客户组合概览"
        assert list(tiles(at)) == [
            "销售额",
            "毛利",
            "毛利率",
            "活跃客户数",
            "前 20% 客户占比",
            "HHI 指数",
            "折扣率",
        ]
        text = markdown(at)
        for name in ("1 · 只看单一指标", "2 · 重大轻小", "5 · 条件越给越好"):
            assert f"#### {name}" in text
        assert "建议行动" in text


@pytest.mark.usefixtures("portfolio")
class TestData:
    def test_a_caption_says_where_the_data_came_from(self, open_app: OpenApp) -> None:
        at = open_app()
        assert "Data: default · months stored: 2025-11 – 2026-01" in captions(at)
        assert at.get("page_link")[-1].proto.page == "data"


class TestEmptyDatabase:
    def test_empty_database_points_to_the_data_page(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database()
        at = open_app()
        assert "Upload your first monthly export" in at.info[0].value
        assert not at.metric
        assert not at.get("plotly_chart")
        assert at.get("page_link")


FEBRUARY = "Month,Account ID,Net Revenue\n2026-02,A1,1000\n"


@pytest.mark.usefixtures("portfolio")
class TestPeriod:
    def store_february(self, at: AppTest) -> None:
        at.switch_page("app_pages/data.py").run()
        at.file_uploader[0].set_value(("feb.csv", FEBRUARY.encode(), "text/csv")).run()
        at.button(key="data.store").click().run()
        at.switch_page("app_pages/home.py").run()

    def test_untouched_period_follows_a_newer_month(self, open_app: OpenApp) -> None:
        at = open_app()
        self.store_february(at)
        assert at.selectbox(key="period_to").value == "2026-02"
        assert "2025-11 – 2026-02 · 4 months" in captions(at)

    def test_chosen_period_stays_after_an_upload(self, open_app: OpenApp) -> None:
        at = open_app()
        at.selectbox(key="period_from").set_value("2025-12").run()
        self.store_february(at)
        assert at.selectbox(key="period_from").value == "2025-12"
        assert at.selectbox(key="period_to").value == "2026-01"
