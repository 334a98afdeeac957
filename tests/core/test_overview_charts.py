"""The Overview's margin bars, on their data."""

from __future__ import annotations

import pytest

from core.overview_charts import margin_bars_figure

BREAKDOWN = {
    "tier": {"platinum": 0.36, "gold": 0.29, "iron": None, "lead": 0.27},
    "segment": {"intrinsic": 0.28, "other": 0.33},
}
NAMES = {
    "platinum": "Platinum",
    "gold": "Gold",
    "lead": "Lead",
    "tier": "By tier",
    "segment": "By segment",
    "portfolio": "Portfolio",
    "intrinsic": "<b>Intrinsic</b>",
}


class TestMarginBars:
    def test_tiers_then_segments_without_missing_margins(self) -> None:
        figure = margin_bars_figure(BREAKDOWN, 0.317, "Gross margin", NAMES)
        tiers, segments, _line = figure.data
        assert (tiers.name, segments.name) == ("By tier", "By segment")
        assert list(tiers.y) == ["Platinum", "Gold", "Lead"], "iron has no margin"
        assert list(tiers.x) == pytest.approx([0.36, 0.29, 0.27])
        assert tiers.orientation == "h"
        assert list(tiers.text) == ["36.0%", "29.0%", "27.0%"]
        assert list(segments.y) == ["&lt;b&gt;Intrinsic&lt;/b&gt;", "other"], "names as text"

    def test_the_portfolio_line(self) -> None:
        figure = margin_bars_figure(BREAKDOWN, 0.317, "Gross margin", NAMES)
        line = figure.data[-1]
        assert line.name == "Portfolio 31.7%"
        assert list(line.y) == ["Platinum", "other"], "from the first bar to the last"
        assert list(line.x) == pytest.approx([0.317, 0.317])

    def test_without_a_portfolio_margin_there_is_no_line(self) -> None:
        figure = margin_bars_figure({"tier": {"gold": 0.2}}, None, "Gross margin", NAMES)
        assert [trace.type for trace in figure.data] == ["bar", "bar"]
