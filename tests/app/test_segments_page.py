"""The Segments page on a hand-worked portfolio with segments.

SEGMENTS_CSV, prior period 2025-07 … 09 and the period 2025-10 … 12 (chosen in the sidebar):

| account | segment    | prior | now   | gross profit now | discount now | products now |
|---------|------------|-------|-------|------------------|--------------|--------------|
| S1      | strategic  | 1,000 | 1,200 | 500              | 100 / 1,300  | 2            |
| I1      | intrinsic  |   500 |   400 | 100              | 0            | 1            |
| I2      | intrinsic  |   300 |   300 | 180              | 30 / 330     | 1            |
| L1      | extrinsic  |   200 |     – | –                | –            | –            |
| N1      | (none)     |     – |   250 | 160              | 0            | 1            |

Mix now: strategic 1,200 / 2,150 = 55.8% (50.0% before: +5.8 pp), intrinsic 700 / 2,150 =
32.6% (40.0% before: −7.4 pp), unassigned 250 / 2,150 = 11.6% (+11.6 pp).
Bridge: start 2,000 + new 250 (N1) + expansion 200 (S1) − contraction 100 (I1) − lost 200 (L1)
= end 2,150.
Scorecard with the default weights 30/25/20/15/10 (percentiles among the 4 accounts):
S1 = 30·1 + 25·⅓ + 20·1 + 15·⅓ + 10·1 = 73.3; N1 = 0 + 25 + 20·½ + 15·⅚ + 10·⅓ = 50.8;
I2 = 30·⅓ + 25·⅔ + 20·½ + 0 + 10·⅓ = 40.0; I1 = 30·⅔ + 0 + 0 + 15·⅚ + 10·⅓ = 35.8.
Tiers of 4: platinum rank ≤ ⌈0.8⌉ = 1 (S1), gold ≤ 2 (N1), iron ≤ ⌈3.2⌉ = 4 (I2, I1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from tests.app.test_concentration_page import values

PAGE = "app_pages/segments.py"
OpenApp = Callable[..., AppTest]

SEGMENTS_CSV = """\
Month,Account ID,Account Name,Segment,Product,List Revenue,Discount,Net Revenue,Cost
2025-07,S1,Strat One,strategic,P1,1000,0,1000,600
2025-08,I1,Intra One,intrinsic,P1,500,0,500,400
2025-09,I2,Intra Two,intrinsic,P1,300,0,300,150
2025-09,L1,Lost Ltd,extrinsic,P1,200,0,200,100
2025-10,S1,Strat One,strategic,P1,750,50,700,400
2025-10,S1,Strat One,strategic,P2,550,50,500,300
2025-11,I1,Intra One,intrinsic,P1,400,0,400,300
2025-12,I2,Intra Two,intrinsic,P1,330,30,300,120
2025-12,N1,*New* <b>Co</b>,,P1,250,0,250,90
"""
DEFAULT_SCORES = {
    "S1": 30 + 25 / 3 + 20 + 15 / 3 + 10,
    "N1": 25 + 10 + 15 * 5 / 6 + 10 / 3,
    "I2": 10 + 25 * 2 / 3 + 10 + 10 / 3,
    "I1": 20 + 15 * 5 / 6 + 10 / 3,
}


def plain(text: str) -> str:
    """Markdown text without its escapes."""
    return re.sub(r"\\(.)", r"\1", text)


def captions(at: AppTest) -> str:
    return " ".join(plain(caption.value) for caption in at.caption)


def figures(at: AppTest) -> list[go.Figure]:
    return [plotly.io.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure_of(at: AppTest, kind: str) -> go.Figure:
    [found] = [fig for fig in figures(at) if fig.data and fig.data[0].type == kind]
    return found


def frame_with(at: AppTest, column: str):
    [found] = [frame.value for frame in at.dataframe if column in frame.value.columns]
    return found


def scorecard_frame(at: AppTest):
    return frame_with(at, "Score change")


def opener(
    make_database: Callable[..., Database], open_app: OpenApp, page: str
) -> Callable[..., AppTest]:
    """Opens `page` on SEGMENTS_CSV with the period 2025-10 … 2025-12 chosen in the sidebar."""
    make_database({"segments.csv": SEGMENTS_CSV})

    def opened(lang: str = "en") -> AppTest:
        at = open_app(page, query={"lang": lang})
        at.selectbox(key="period_from").set_value("2025-10")
        at.selectbox(key="period_to").set_value("2025-12").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return opened


@pytest.fixture
def segments_app(
    make_database: Callable[..., Database], open_app: OpenApp
) -> Callable[..., AppTest]:
    """The Segments page on SEGMENTS_CSV, period 2025-10 … 2025-12."""
    return opener(make_database, open_app, PAGE)


def set_weights(at: AppTest, label: str = "Apply weights", **weights: float) -> AppTest:
    for name, weight in weights.items():
        at.number_input(key=f"seg_weight_{name}").set_value(weight)
    [apply] = [button for button in at.button if button.label == label]
    apply.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


class TestMix:
    def test_tiles_show_each_segment_and_its_share_shift(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        at = segments_app()
        assert at.title[0].value == "Value segments and scorecard"
        tiles = {metric.label: (metric.value, metric.delta) for metric in at.metric}
        assert tiles["Strategic"] == ("1,200", f"{100 * (1200 / 2150 - 0.5):+.1f} pp")
        assert tiles["Strategic"][1] == "+5.8 pp"
        assert tiles["Intrinsic"] == ("700", "-7.4 pp")
        assert tiles["Unassigned"] == ("250", "+11.6 pp"), "accounts without a segment stay"
        assert "55.8% of net revenue · margin 41.7% · 1 accounts" in captions(at)
        assert "Unassigned" in at.info[0].value

    def test_the_sidebar_basis_decides_which_shift_leads(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        at = segments_app()
        assert "share vs last year: no comparison" in captions(at), "2024 is not stored"
        at.segmented_control(key="basis").set_value("last_year").run()
        tiles = {metric.label: metric.delta for metric in at.metric}
        assert not tiles["Strategic"], tiles
        assert "share vs prior: +5.8 pp" in captions(at)

    def test_the_mix_table_keeps_a_segment_that_left(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        table = frame_with(segments_app(), "Share vs prior (pp)").set_index("Segment")
        assert table.loc["Extrinsic", "Share vs prior (pp)"] == pytest.approx(-10.0)
        assert table.loc["Strategic", "Revenue share"] == pytest.approx(1200 / 2150)
        assert table.loc["Intrinsic", "Margin"] == pytest.approx(280 / 700)
        assert table.loc["Unassigned", "Profit share"] == pytest.approx(160 / 940)

    def test_revenue_share_beside_profit_share(self, segments_app: Callable[..., AppTest]) -> None:
        [bars] = [fig for fig in figures(segments_app()) if fig.layout.barmode == "group"]
        assert list(bars.data[0].x) == ["Intrinsic", "Strategic", "Unassigned"]
        assert values(bars.data[0].y) == pytest.approx([700 / 2150, 1200 / 2150, 250 / 2150])
        assert values(bars.data[1].y) == pytest.approx([280 / 940, 500 / 940, 160 / 940])

    def test_areas_per_month_and_per_quarter(self, segments_app: Callable[..., AppTest]) -> None:
        at = segments_app()
        areas = [fig for fig in figures(at) if fig.data and fig.data[0].type == "scatter"]
        assert len(areas) == 1 and "per month" in areas[0].layout.title.text
        at.segmented_control(key="seg_grain").set_value("quarter").run()
        [area] = [fig for fig in figures(at) if fig.data and fig.data[0].type == "scatter"]
        assert "per quarter" in area.layout.title.text
        strategic = next(trace for trace in area.data if trace.name == "Strategic")
        # Q3: 1,000 of 2,000; Q4: 1,200 of 2,150.
        assert values(strategic.y) == pytest.approx([0.5, 1200 / 2150])


class TestBridge:
    def test_the_waterfall_parts_sum_to_the_change(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        at = segments_app()
        waterfall = figure_of(at, "waterfall").data[0]
        assert list(waterfall.x) == ["Start", "New", "Expansion", "Contraction", "Lost", "End"]
        assert values(waterfall.y)[:5] == pytest.approx([2000, 250, 200, -100, -200])
        assert waterfall.text[-1] == "2,150"
        assert "1 new, 1 grew, 1 shrank, 1 lost, 1 unchanged · change +150" in captions(at)

    def test_per_segment(self, segments_app: Callable[..., AppTest]) -> None:
        at = segments_app()
        table = frame_with(at, "Accounts at start").set_index("Segment")
        assert table.loc["Extrinsic", "Lost"] == pytest.approx(200)
        assert table.loc["Portfolio", "End"] == pytest.approx(2150)
        at.segmented_control(key="seg_bridge_scope").set_value("intrinsic").run()
        waterfall = figure_of(at, "waterfall").data[0]
        # Intrinsic: 800 − 100 (I1) = 700, I2 flat.
        assert values(waterfall.y)[:5] == pytest.approx([800, 0, 0, -100, 0])

    def test_the_accounts_behind_it(self, segments_app: Callable[..., AppTest]) -> None:
        """Largest change first (ties by account): N1 +250, L1 −200, S1 +200, I1 −100, I2 0."""
        at = segments_app()
        movers = frame_with(at, "Movement")
        assert list(movers["Account ID"]) == ["N1", "L1", "S1", "I1", "I2"]
        assert list(movers["Change"]) == pytest.approx([250, -200, 200, -100, 0])
        assert list(movers["Movement"]) == ["New", "Lost", "Expansion", "Contraction", "Unchanged"]
        at.segmented_control(key="seg_bridge_scope").set_value("intrinsic").run()
        assert list(frame_with(at, "Movement")["Account ID"]) == ["I1", "I2"]

    def test_no_bridge_without_the_prior_period(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"segments.csv": SEGMENTS_CSV})
        at = open_app(PAGE)  # the default period: all six stored months, nothing before
        assert any("The bridge needs" in box.value for box in at.info)
        assert not [fig for fig in figures(at) if fig.data and fig.data[0].type == "waterfall"]


class TestScorecard:
    def test_default_weights_rank_and_tier(self, segments_app: Callable[..., AppTest]) -> None:
        table = scorecard_frame(segments_app())
        assert list(table["Account ID"]) == ["S1", "N1", "I2", "I1"]
        assert list(table["Score"]) == pytest.approx(list(DEFAULT_SCORES.values()))
        assert list(table["Tier"]) == ["Platinum", "Gold", "Iron", "Iron"]
        assert table.iloc[0]["Revenue"] == pytest.approx(30.0)
        assert table.iloc[1]["Account"] == "*New* <b>Co</b>", "names stay text"

    def test_the_table_for_one_segment(self, segments_app: Callable[..., AppTest]) -> None:
        at = segments_app()
        at.selectbox(key="seg_card_segment").select_index(1).run()  # intrinsic, in display order
        table = scorecard_frame(at)
        assert list(table["Account ID"]) == ["I2", "I1"]
        assert list(table["Score rank"]) == [3, 4], "ranks stay those of the whole portfolio"

    def test_invalid_weights_show_the_message_and_keep_the_last_valid(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        at = set_weights(segments_app(), revenue=40.0)
        message = plain(at.error[0].value)
        assert "add up to 110" in message
        assert "scorecard weights must sum to 100, not 110" in message
        assert list(scorecard_frame(at)["Score"]) == pytest.approx(list(DEFAULT_SCORES.values()))

    def test_weights_change_the_ranking_tiers_and_panel(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        at = segments_app()
        panel = {metric.label: metric.value for metric in at.metric}
        assert panel["On both lists"] == "1", "S1 tops revenue and the scorecard"
        assert any("agree" in box.value for box in at.success)

        set_weights(at, revenue=0.0, margin=100.0, growth=0.0, discount=0.0, breadth=0.0)
        assert not at.error
        table = scorecard_frame(at)
        # Margin only: N1 64% > I2 60% > S1 41.7% > I1 25%, percentiles 100, 66.7, 33.3, 0.
        assert list(table["Account ID"]) == ["N1", "I2", "S1", "I1"]
        assert list(table["Score"]) == pytest.approx([100, 200 / 3, 100 / 3, 0])
        assert list(table["Tier"]) == ["Platinum", "Gold", "Iron", "Iron"]
        panel = {metric.label: metric.value for metric in at.metric}
        assert panel["On both lists"] == "0"
        versus = frame_with(at, "Why").set_index("Account ID")
        assert versus.loc["S1", "On"] == "Revenue list only"
        assert versus.loc["S1", "Why"] == "Big, but held back by Gross margin %"
        assert versus.loc["N1", "On"] == "Scorecard only"
        assert versus.loc["N1", "Why"] == "Not among the largest, but lifted by Gross margin %"

        at.button(key="seg_weights_reset").click().run()
        assert list(scorecard_frame(at)["Account ID"]) == ["S1", "N1", "I2", "I1"]

    def test_migration_conserves_the_accounts(self, segments_app: Callable[..., AppTest]) -> None:
        """4 accounts before (L1 lost) and 4 now (N1 new): 5 links carry one account each."""
        sankey = figure_of(segments_app(), "sankey").data[0]
        labels = list(sankey.node.label)
        assert sum(values(sankey.link.value)) == pytest.approx(5)
        targets = [labels[index] for index in values(sankey.link.target)]
        sources = [labels[index] for index in values(sankey.link.source)]
        assert targets.count("Lost") == 1 and sources.count("New") == 1

    def test_contribution_bars_name_accounts_as_text(
        self, segments_app: Callable[..., AppTest]
    ) -> None:
        bars = next(fig for fig in figures(segments_app()) if fig.layout.barmode == "stack")
        assert "*New* &lt;b&gt;Co&lt;/b&gt; (N1)" in list(bars.data[0].y)
        totals = [sum(values(trace.x)[i] for trace in bars.data) for i in range(4)]
        # Drawn bottom-up: the best account last.
        assert totals[::-1] == pytest.approx(list(DEFAULT_SCORES.values()))


class TestLanguagesAndEmpty:
    def test_chinese(self, segments_app: Callable[..., AppTest]) -> None:
        at = segments_app("zh")
        assert at.title[0].value == "价值细分与评分卡"
        assert {"战略价值", "内在价值", "未分类"} <= {metric.label for metric in at.metric}
        waterfall = figure_of(at, "waterfall").data[0]
        assert list(waterfall.x)[0] == "期初"
        assert list(scorecard_frame_zh(at)["层级"]) == ["铂金", "黄金", "钢铁", "钢铁"]
        set_weights(at, "应用权重", revenue=0.0, margin=60.0, growth=0.0, discount=40.0)
        # Margin 60, discount discipline 40, breadth 10 → 110: not applied.
        assert "合计为 110" in plain(at.error[0].value)
        set_weights(at, "应用权重", breadth=0.0)
        versus = frame_with(at, "原因").set_index("客户编号")
        # S1: margin P33.3 and discount P33.3 both pull it below the neutral 50.
        assert versus.loc["S1", "原因"] == "规模大，但被毛利率、折扣纪律拉低"

    def test_no_data(self, make_database: Callable[..., Database], open_app: OpenApp) -> None:
        make_database()
        at = open_app(PAGE)
        assert "Upload your first monthly export" in at.info[0].value


def scorecard_frame_zh(at: AppTest):
    return frame_with(at, "总分变化")
