"""Segment charts on their data: trace types, values and labels."""

from __future__ import annotations

from datetime import date

import pytest

from core.bridge import revenue_bridge
from core.metrics import Period
from core.scorecard import INDICATORS, scorecard
from core.scorecard_tiers import tier_migration
from core.segments import segment_mix, segment_mix_trend
from core.segments_charts import (
    bridge_axis_range,
    bridge_figure,
    chart_names,
    contribution_bars_figure,
    migration_sankey_figure,
    mix_area_figure,
    share_bars_figure,
)
from tests.core.segments_reference import Row, portfolio
from tests.core.test_bridge import FEB, HAND, JAN
from tests.core.test_scorecard import HAND as SCORED

ROWS = [
    Row("2024-01", "A", "intrinsic", 300, cost=150),
    Row("2024-01", "B", "other", 100, cost=90),
    Row("2024-02", "A", "intrinsic", 200, cost=100),
    Row("2024-02", "B", "other", 200, cost=100),
    Row("2024-02", "C", None, 100, cost=100),
]


class TestNames:
    def test_both_languages(self) -> None:
        english, chinese = chart_names("en"), chart_names("zh")
        assert english.keys() == chinese.keys()
        assert english["intrinsic"] == "Intrinsic" and chinese["platinum"] == "铂金"
        assert english["bridge.contraction"] == "Contraction" and chinese["lost"] == "流失"


class TestMix:
    def test_stacked_areas(self) -> None:
        trend = segment_mix_trend(portfolio(ROWS), "month")
        figure = mix_area_figure(trend, "Mix", chart_names())
        assert [trace.type for trace in figure.data] == ["scatter"] * 3
        assert [trace.name for trace in figure.data] == ["Intrinsic", "Other", "Unassigned"]
        assert {trace.stackgroup for trace in figure.data} == {"mix"}
        # January 300/400 and 100/400; February 200/500, 200/500 and 100/500.
        assert list(figure.data[0].y) == pytest.approx([0.75, 0.4])
        assert list(figure.data[2].y) == pytest.approx([0.2])
        assert figure.layout.yaxis.tickformat == ".0%"

    def test_money_instead_of_shares(self) -> None:
        trend = segment_mix_trend(portfolio(ROWS), "quarter")
        figure = mix_area_figure(trend, "Mix", chart_names("zh"), value="net_revenue")
        assert figure.data[0].name == "内在价值" and list(figure.data[0].y) == [500]

    def test_revenue_against_profit_share(self) -> None:
        mix = segment_mix(portfolio(ROWS), Period(start=date(2024, 2, 1)))
        figure = share_bars_figure(mix, "Shares", chart_names())
        assert [trace.type for trace in figure.data] == ["bar", "bar"]
        assert list(figure.data[0].x) == ["Intrinsic", "Other", "Unassigned"]
        # Revenue 200, 200, 100 of 500; profit 100, 100, 0 of 200.
        assert list(figure.data[0].y) == pytest.approx([0.4, 0.4, 0.2])
        assert list(figure.data[1].y) == pytest.approx([0.5, 0.5, 0.0])
        assert figure.data[1].name == "Profit share"


class TestBridge:
    def test_waterfall(self) -> None:
        bridge = revenue_bridge(portfolio(HAND), JAN, FEB).total
        figure = bridge_figure(bridge, "Bridge", chart_names())
        [trace] = figure.data
        assert trace.type == "waterfall"
        assert list(trace.measure) == ["absolute", *["relative"] * 4, "total"]
        assert list(trace.x) == ["Start", "New", "Expansion", "Contraction", "Lost", "End"]
        assert list(trace.y[:5]) == [330, 65, 50, -50, -80]
        assert sum(trace.y[:5]) == pytest.approx(bridge.end)
        assert trace.text[-1] == "315"

    def test_the_axis_zooms_when_the_steps_are_small(self) -> None:
        """Levels 330, 395, 445, 395, 315: steps of 130 against a low of 315 (< 50%), so the
        axis spans 315 − 0.35·130 = 269.5 to 445 + 45.5 = 490.5; a bridge whose steps are as
        large as its base keeps zero."""
        bridge = revenue_bridge(portfolio(HAND), JAN, FEB).total
        assert bridge_axis_range(bridge) == pytest.approx([269.5, 490.5])
        figure = bridge_figure(bridge, "Bridge", chart_names())
        assert list(figure.layout.yaxis.range) == pytest.approx([269.5, 490.5])
        halved = bridge.model_copy(update={"lost": 200.0, "end": 195.0})
        assert bridge_axis_range(halved) is None


class TestScorecardCharts:
    def test_sankey(self) -> None:
        con = portfolio(SCORED)
        migration = tier_migration(con, scorecard(con, Period(start=date(2024, 2, 1))))
        figure = migration_sankey_figure(migration, "Migration", chart_names())
        [trace] = figure.data
        assert trace.type == "sankey"
        labels = list(trace.node.label)
        assert labels[:5] == ["New", "Platinum", "Gold", "Iron", "Lead"]
        assert labels[5:] == ["Platinum", "Gold", "Iron", "Lead", "Lost"]
        flows = {
            (labels[s], labels[t], s < 5 <= t): v
            for s, t, v in zip(trace.link.source, trace.link.target, trace.link.value, strict=True)
        }
        assert flows == {
            ("New", "Gold", True): 1,
            ("Platinum", "Iron", True): 1,
            ("Gold", "Platinum", True): 1,
            ("Gold", "Iron", True): 1,
        }

    def test_contribution_bars_add_up_to_the_score(self) -> None:
        card = scorecard(portfolio(SCORED), Period(start=date(2024, 2, 1)))
        figure = contribution_bars_figure(card.table, "Scores", chart_names(), top=3)
        assert [trace.type for trace in figure.data] == ["bar"] * len(INDICATORS)
        assert {trace.orientation for trace in figure.data} == {"h"}
        # Best on top: the last category is the best account, A (81.67 points).
        assert figure.data[0].y[-1] == "Account A (A)" and len(figure.data[0].y) == 3
        total = sum(trace.x[-1] for trace in figure.data)
        assert total == pytest.approx(card.table["score"].iloc[0])
        assert total == pytest.approx(30 + 25 + 20 + 20 / 3)
