"""The concentration charts, checked on their data: traces, values, the k marker and axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.charts import CURVE_POINTS
from core.concentration_charts import lorenz_figure, pareto_figure, whale_figure
from core.concentration_trend_chart import period_labels, trend_figure


@pytest.fixture
def units() -> pd.DataFrame:
    """account_revenue's shape: 3 positive accounts (60/30/10) and one at zero or below."""
    return pd.DataFrame(
        {
            "rank": pd.array([1, 2, 3, None], dtype="Int64"),
            "key": ["A", "B", "C", "D"],
            "name": ["Acme <b>Ltd</b>", "Beta", "Gamma", "Delta"],
            "net_revenue": [600.0, 300.0, 100.0, -50.0],
            "share": [0.6, 0.3, 0.1, None],
            "cum_share": [0.6, 0.9, 1.0, None],
            "positive": [True, True, True, False],
        }
    )


class TestPareto:
    def test_bars_line_80_and_k_marker(self, units: pd.DataFrame) -> None:
        figure = pareto_figure(units, 2, "Pareto", "2 accounts = 80%")
        bars, line, eighty, marker = figure.data
        assert [trace.type for trace in figure.data] == ["bar", "scatter", "scatter", "scatter"]
        assert list(bars.x) == [1, 2, 3] and list(bars.y) == [600.0, 300.0, 100.0]
        assert list(line.y) == [0.6, 0.9, 1.0] and line.yaxis == "y2"
        assert list(eighty.y) == [0.8, 0.8]
        assert list(marker.x) == [2] and list(marker.y) == [0.9]
        assert marker.text == ("2 accounts = 80%",) and marker.yaxis == "y2"

    def test_numeric_rank_axis_and_percent_share_axis(self, units: pd.DataFrame) -> None:
        figure = pareto_figure(units, 2, "Pareto", "k")
        assert figure.layout.xaxis.type == "linear"
        assert figure.layout.yaxis2.tickformat == ".0%"
        assert figure.layout.yaxis2.overlaying == "y"

    def test_hover_shows_name_as_text_revenue_and_share(self, units: pd.DataFrame) -> None:
        bars = pareto_figure(units, 2, "Pareto", "k").data[0]
        assert bars.hovertext[0] == "Acme &lt;b&gt;Ltd&lt;/b&gt;"
        assert list(bars.customdata[0]) == [600.0, 0.6, 0.6]
        assert "%{hovertext}" in bars.hovertemplate
        assert "customdata[0]:,.0f" in bars.hovertemplate
        assert "customdata[1]:.1%" in bars.hovertemplate

    def test_thousands_of_accounts_have_no_gap_and_no_category_axis(self) -> None:
        n = 3000
        many = pd.DataFrame(
            {
                "rank": range(1, n + 1),
                "name": [f"A{i}" for i in range(n)],
                "net_revenue": [float(n - i) for i in range(n)],
                "share": [1 / n] * n,
                "cum_share": [(i + 1) / n for i in range(n)],
                "positive": [True] * n,
            }
        )
        figure = pareto_figure(many, 2400, "Pareto", "k")
        assert figure.layout.bargap == 0 and figure.layout.xaxis.type == "linear"
        assert list(figure.data[3].x) == [2400]
        area, line = figure.data[:2]
        # Too many for bars: an area through the top 300 ranks, spaced ranks and k.
        assert area.type == "scatter" and area.fill == "tozeroy"
        assert list(area.x[:300]) == list(range(1, 301)) and 2400 in area.x
        assert area.x[-1] == n and len(area.x) <= CURVE_POINTS + 300 + 1
        at_k = list(area.x).index(2400)
        assert area.y[at_k] == float(n - 2399) and area.hovertext[at_k] == "A2399"
        assert len(line.x) <= CURVE_POINTS + 1 and 2400 in line.x
        assert (line.x[0], line.x[-1]) == (1, n) and line.customdata is None

    def test_without_k_there_is_no_marker(self, units: pd.DataFrame) -> None:
        assert len(pareto_figure(units, None, "Pareto", "k").data) == 3


class TestLorenz:
    def test_equality_line_curve_and_title(self) -> None:
        lorenz = pd.DataFrame(
            {"account_share": [0, 1 / 3, 2 / 3, 1.0], "revenue_share": [0, 0.1, 0.4, 1.0]}
        )
        figure = lorenz_figure(lorenz, "Lorenz curve · Gini 0.333")
        equality, curve = figure.data
        assert list(equality.x) == [0, 1] and list(equality.y) == [0, 1]
        assert list(curve.y) == [0, 0.1, 0.4, 1.0]
        assert figure.layout.title.text == "Lorenz curve · Gini 0.333"


class TestLongCurves:
    def test_a_long_lorenz_curve_is_drawn_through_its_own_points(self) -> None:
        n = 20_001
        share = np.linspace(0, 1, n)
        lorenz = pd.DataFrame({"account_share": share, "revenue_share": share**3})
        curve = lorenz_figure(lorenz, "Lorenz").data[1]
        assert len(curve.x) == CURVE_POINTS
        assert (curve.x[0], curve.x[-1]) == (0.0, 1.0)
        assert np.allclose(np.asarray(curve.y), np.asarray(curve.x) ** 3)

    def test_a_long_whale_curve_keeps_its_peak(self) -> None:
        n = 20_000
        x = np.arange(1, n + 1) / n
        y = 1.3 - (x - 0.4321) ** 2  # peak at rank 8,642, not on the even spacing
        curve = pd.DataFrame(
            {
                "rank_share": x,
                "cum_profit_share": y,
                "name": [f"A{i}" for i in range(n)],
                "gross_profit": np.ones(n),
            }
        )
        full, line, peak = whale_figure(curve, "Whale", "Peak").data
        assert len(line.x) <= CURVE_POINTS + 1
        assert peak.x[0] == pytest.approx(x[y.argmax()]) and peak.x[0] in line.x
        assert line.hovertext[list(line.x).index(peak.x[0])] == f"A{y.argmax()}"


class TestWhale:
    def test_curve_full_line_and_peak(self) -> None:
        curve = pd.DataFrame(
            {
                "rank_share": [0, 0.25, 0.5, 0.75, 1.0],
                "cum_profit_share": [0, 0.75, 1.0417, 1.0167, 1.0],
                "name": [None, "A", "B", "C", "D"],
                "gross_profit": [None, 900.0, 350.0, -30.0, -20.0],
            }
        )
        full, line, peak = whale_figure(curve, "Whale", "Peak 104.2%").data
        assert list(full.y) == [1, 1]
        assert list(line.x) == [0, 0.25, 0.5, 0.75, 1.0]
        assert list(peak.x) == [0.5] and list(peak.y) == [1.0417]
        assert peak.text == ("Peak 104.2%",)
        assert list(line.hovertext) == ["", "A", "B", "C", "D"]
        assert list(line.customdata) == [0.0, 900.0, 350.0, -30.0, -20.0]
        assert whale_figure(curve, "Whale", "p").layout.yaxis.range[1] > 1.0417


class TestTrend:
    def test_hhi_left_shares_right_on_a_date_axis(self) -> None:
        trend = pd.DataFrame(
            {
                "period_start": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                "hhi": [1200.0, 1350.0],
                "top5_share": [0.5, 0.55],
                "top20pct_share": [0.8, 0.82],
            }
        )
        hhi, top5, top20 = trend_figure(trend, "Trend").data
        assert list(hhi.y) == [1200.0, 1350.0] and hhi.yaxis in (None, "y")
        assert list(top5.y) == [0.5, 0.55] and top5.yaxis == "y2"
        assert list(top20.y) == [0.8, 0.82] and top20.yaxis == "y2"
        assert trend_figure(trend, "Trend").layout.xaxis.type == "date"

    def test_quarters_are_named_and_partial_ones_say_so(self) -> None:
        trend = pd.DataFrame(
            {
                "period_start": pd.to_datetime(["2024-10-01", "2025-01-01", "2025-04-01"]),
                "months": [1, 3, 2],
                "hhi": [900.0, 1000.0, 1100.0],
                "top5_share": [0.4, 0.5, 0.6],
                "top20pct_share": [0.7, 0.8, 0.9],
            }
        )
        figure = trend_figure(trend, "Trend", grain="quarter")
        assert list(figure.data[0].customdata) == [
            "2024 Q4 (1 of 3 months)",
            "2025 Q1",
            "2025 Q2 (2 of 3 months)",
        ]
        assert figure.layout.xaxis.ticktext == ("2024 Q4*", "2025 Q1", "2025 Q2*")
        assert figure.layout.xaxis.type == "date"

    def test_translated_quarter_names(self) -> None:
        trend = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01"]), "months": [3]})
        assert period_labels(trend, "quarter", "{year}年第{quarter}季度") == ["2025年第3季度"]
        assert period_labels(trend, "month") == ["2025-07"]

    def test_many_quarters_keep_about_twelve_ticks(self) -> None:
        starts = pd.date_range("2015-01-01", periods=40, freq="QS")
        trend = pd.DataFrame(
            {
                "period_start": starts,
                "months": [3] * 40,
                "hhi": [1.0] * 40,
                "top5_share": [0.5] * 40,
                "top20pct_share": [0.8] * 40,
            }
        )
        ticks = trend_figure(trend, "Trend", grain="quarter").layout.xaxis.ticktext
        assert len(ticks) == 10 and ticks[:2] == ("2015 Q1", "2016 Q1")
