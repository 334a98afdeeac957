"""The Strategy page on the hand-worked portfolio of tests/app/test_segments_page.py.

Period 2025-10 … 12 against 2025-07 … 09:
- intrinsic: I1 400 + I2 300 = 700 (800 before: growth −12.5%); gross profit 100 + 180 = 280,
  margin 40.0%; discount 30 over list 400 + 330 = 730: 4.1%; 2 accounts, I1 first with 57.1%.
  I2's rate went from 0% to 9.1% while its revenue stayed at 300: discount that buys nothing,
  which the intrinsic playbook phrases "review terms … revenue flat".
- strategic: S1 1,200 (1,000 before: +20.0%); margin 500 / 1,200 = 41.7%; discount
  100 / 1,300 = 7.7%. It holds 1,200 / 2,150 = 56% of net revenue: a dependency to plan for.
- unassigned: N1 250, never dropped; extrinsic (L1 left) and other have no rows now.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from tests.app.test_segments_page import opener, plain

PAGE = "app_pages/strategy.py"
OpenApp = Callable[..., AppTest]


@pytest.fixture
def strategy_app(
    make_database: Callable[..., Database], open_app: OpenApp
) -> Callable[..., AppTest]:
    """The Strategy page on SEGMENTS_CSV, period 2025-10 … 2025-12."""
    return opener(make_database, open_app, PAGE)


def card_metrics(at: AppTest) -> list[dict[str, str]]:
    """The tiles of each card with figures, five per card, in card order."""
    tiles = [(metric.label, metric.value) for metric in at.metric]
    return [dict(tiles[i : i + 5]) for i in range(0, len(tiles), 5)]


def boxes(at: AppTest) -> list[str]:
    return [plain(box.value) for box in [*at.error, *at.warning]]


class TestCards:
    def test_one_card_per_segment_with_unassigned_kept(
        self, strategy_app: Callable[..., AppTest]
    ) -> None:
        at = strategy_app()
        assert at.title[0].value == "Strategy by value segment"
        assert [plain(header.value) for header in at.header] == [
            "Intrinsic value (transactional)",
            "Extrinsic value (consultative)",
            "Strategic value (enterprise)",
            "Other, small and mid accounts",
            "Unassigned",
        ]
        assert sum("No account of this segment" in box.value for box in at.info) == 2

    def test_the_figures_come_first(self, strategy_app: Callable[..., AppTest]) -> None:
        intrinsic, strategic, unassigned = card_metrics(strategy_app())
        assert intrinsic == {
            "Net revenue": "700",
            "Gross margin": "40.0%",
            "Discount degree": f"{30 / 730:.1%}",
            "Growth": "-12.5%",
            "Accounts": "2",
        }
        assert intrinsic["Discount degree"] == "4.1%"
        assert strategic["Growth"] == "+20.0%" and strategic["Gross margin"] == "41.7%"
        assert strategic["Discount degree"] == "7.7%"
        assert unassigned["Net revenue"] == "250" and unassigned["Growth"] == "–"

    def test_top_accounts_as_text(self, strategy_app: Callable[..., AppTest]) -> None:
        markdown = [plain(block.value) for block in strategy_app().markdown]
        assert "1. Intra One — 400 (57.1%)\n2. Intra Two — 300 (42.9%)" in markdown
        assert "1. *New* <b>Co</b> — 250 (100.0%)" in markdown

    def test_the_triggered_actions(self, strategy_app: Callable[..., AppTest]) -> None:
        shown = boxes(strategy_app())
        assert "**Act** — Plan for the dependency on Strat One: 56% of net revenue." in shown
        assert (
            "**Watch** — Put pricing on the joint-plan agenda with Strat One: "
            "discount +7.7 pts, revenue up 20%." in shown
        )
        # Discount that buys nothing, phrased as the intrinsic playbook wants it.
        assert "**Act** — Review terms with Intra Two: discount +9.1 pts, revenue flat." in shown

    def test_one_segment_at_a_time(self, strategy_app: Callable[..., AppTest]) -> None:
        at = strategy_app()
        at.segmented_control(key="strategy_show").set_value("strategic").run()
        assert [plain(header.value) for header in at.header] == ["Strategic value (enterprise)"]


class TestLanguagesAndEmpty:
    def test_chinese(self, strategy_app: Callable[..., AppTest]) -> None:
        at = strategy_app("zh")
        assert at.title[0].value == "按价值细分的策略"
        assert plain(at.header[2].value) == "战略价值客户（企业级）"
        assert card_metrics(at)[1]["毛利率"] == "41.7%"
        assert "**须处理** — 为对Strat One的依赖做预案：占净收入 56%。" in boxes(at)
        at.segmented_control(key="strategy_show").set_value("strategic").run()
        assert [plain(header.value) for header in at.header] == ["战略价值客户（企业级）"]

    def test_no_data(self, make_database: Callable[..., Database], open_app: OpenApp) -> None:
        make_database()
        at = open_app(PAGE)
        assert "Upload your first monthly export" in at.info[0].value
