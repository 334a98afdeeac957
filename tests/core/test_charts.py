"""Chart builders on tiny frames whose bars are known by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from core.charts import PALETTE, revenue_by_month_figure


def revenue_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Rows of (YYYY-MM, source, net revenue) in the shape of core.metrics.revenue_by_month."""
    return pd.DataFrame(
        {
            "month": pd.to_datetime([f"{month}-01" for month, _, _ in rows]),
            "source": [source for _, source, _ in rows],
            "net_revenue": [value for _, _, value in rows],
            "gross_profit": [value / 4 for _, _, value in rows],
            "accounts": [1 for _ in rows],
        }
    )


class TestRevenueByMonthFigure:
    def test_one_bar_series_per_source_in_name_order(self) -> None:
        frame = revenue_frame(
            [("2026-01", "south", 50.0), ("2026-01", "north", 100.0), ("2026-02", "north", 120.0)]
        )
        figure = revenue_by_month_figure(frame, "Net revenue by month")
        assert [trace.name for trace in figure.data] == ["north", "south"]
        assert [trace.type for trace in figure.data] == ["bar", "bar"]

    def test_bars_carry_each_months_revenue(self) -> None:
        frame = revenue_frame(
            [("2026-02", "north", 120.0), ("2026-01", "north", 100.0), ("2026-01", "south", 50.0)]
        )
        north, south = revenue_by_month_figure(frame, "t").data
        assert [str(x)[:7] for x in north.x] == ["2026-01", "2026-02"], "months in order"
        assert list(north.y) == [100.0, 120.0]
        assert list(south.y) == [50.0]

    def test_sources_stack_and_credit_notes_go_below_zero(self) -> None:
        frame = revenue_frame([("2026-01", "north", 100.0), ("2026-01", "south", -30.0)])
        figure = revenue_by_month_figure(frame, "t")
        assert figure.layout.barmode == "relative"

    def test_titles_come_from_the_caller(self) -> None:
        frame = revenue_frame([("2026-01", "north", 100.0)])
        figure = revenue_by_month_figure(
            frame, "各月销售额", {"month": "月份", "net_revenue": "销售额", "source": "来源"}
        )
        assert figure.layout.title.text == "各月销售额"
        assert figure.layout.xaxis.title.text == "月份"
        assert figure.layout.yaxis.title.text == "销售额"
        assert "销售额: %{y:,.0f}" in figure.data[0].hovertemplate

    def test_legend_only_when_there_is_more_than_one_source(self) -> None:
        one = revenue_by_month_figure(revenue_frame([("2026-01", "a", 1.0)]), "t")
        both = revenue_frame([("2026-01", "a", 1.0), ("2026-01", "b", 1.0)])
        two = revenue_by_month_figure(both, "t")
        assert one.layout.showlegend is False
        assert two.layout.showlegend is True

    def test_colours_follow_the_palette(self) -> None:
        frame = revenue_frame([("2026-01", s, 1.0) for s in ("a", "b", "c")])
        colours = [trace.marker.color for trace in revenue_by_month_figure(frame, "t").data]
        assert colours == list(PALETTE[:3])

    def test_source_names_show_as_text_in_the_hover(self) -> None:
        frame = revenue_frame([("2026-01", "<b>east</b> %{y}", 1.0)])
        (bars,) = revenue_by_month_figure(frame, "t").data
        assert "<b>east</b>" not in bars.hovertemplate
        assert "&lt;b&gt;east&lt;/b&gt; &#37;&#123;y&#125;" in bars.hovertemplate

    @pytest.mark.parametrize("months", [0, 1])
    def test_empty_or_single_month_frames_still_draw(self, months: int) -> None:
        frame = revenue_frame([("2026-01", "a", 1.0)][:months])
        figure = revenue_by_month_figure(frame, "t")
        assert len(figure.data) == months
        assert figure.layout.title.text == "t"
