"""Strategy cards: the playbook file, live figures per segment, and alerts phrased as actions."""

from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest

from core.alerts import Alert
from core.discounts import discount_rates
from core.i18n import catalogue
from core.metrics import Period
from core.segments import SEGMENT_ORDER, SEGMENTS
from core.strategy import (
    PLAYBOOK_FILE,
    playbook,
    segment_figures,
    strategy_cards,
    triggered_actions,
)
from tests.core.segments_reference import Row, portfolio
from tests.core.test_scorecard import listed

HALF = Period(start=date(2024, 1, 1), end=date(2024, 6, 1))
CJK = re.compile(r"[\u4e00-\u9fff]")


class TestPlaybooks:
    def test_every_segment_in_both_languages(self) -> None:
        with PLAYBOOK_FILE.open("rb") as handle:
            assert set(tomllib.load(handle)) == set(SEGMENT_ORDER)
        for segment in SEGMENT_ORDER:
            english, chinese = playbook(segment, "en"), playbook(segment, "zh")
            assert english.actions and english.watch and english.name and english.value
            assert len(english.actions) == len(chinese.actions)
            assert len(english.watch) == len(chinese.watch)
            assert all(CJK.search(text) for text in (chinese.name, chinese.value, *chinese.actions))
            assert not any(CJK.search(text) for text in english.actions)

    def test_the_strategy_of_section_4(self) -> None:
        assert "price discipline" in " ".join(playbook("intrinsic").actions).lower()
        assert "executive sponsor" in " ".join(playbook("strategic").actions).lower()
        assert "do not abandon" in " ".join(playbook("other").actions).lower()

    def test_unknown_segment(self) -> None:
        with pytest.raises(KeyError, match="no playbook for segment 'vip'"):
            playbook("vip")


class TestLocale:
    def test_both_languages_have_the_same_keys_and_placeholders(self) -> None:
        english = {k: v for k, v in catalogue("en").items() if k.startswith("segments.")}
        chinese = {k: v for k, v in catalogue("zh").items() if k.startswith("segments.")}
        assert english.keys() == chinese.keys()
        for key, text in english.items():
            assert set(re.findall(r"{(\w+)", text)) == set(re.findall(r"{(\w+)", chinese[key]))


# Six months: I (intrinsic) pays 1,000 a month at a 5% discount for three months, then 9%:
# creep +4.0 points, revenue flat. O (other) 3,000 a month at 5%, cost 2,100 (margin 30%).
CREEP = [
    Row(f"2024-{m:02d}", "I", "intrinsic", 1000, cost=800, **listed(1000, 0.05 if m <= 3 else 0.09))
    for m in range(1, 7)
] + [
    Row(f"2024-{m:02d}", "O", "other", 3000, cost=2100, **listed(3000, 0.05), name="Olympus")
    for m in range(1, 7)
]


def alert(rule: str, accounts: list[str], **params: object) -> Alert:
    return Alert(
        rule=rule,
        severity="act" if rule == "buys_nothing" else "watch",
        message_key="discounts.rule.creep",
        params=params,  # type: ignore[arg-type]
        evidence={},
        accounts=accounts,
    )


class TestTriggeredActions:
    def test_intrinsic_discount_creep_reads_review_terms(self) -> None:
        con = portfolio(CREEP)
        cards = {card.segment: card for card in strategy_cards(con, HALF)}
        [action] = [a for a in cards["intrinsic"].actions if a.rule == "buys_nothing"]
        assert action.accounts == ["I"]
        assert action.text("en") == "Review terms with Account I: discount +4.0 pts, revenue flat."
        assert action.text("zh") == "与Account I重审条款：折扣 +4.0 个百分点，收入持平。"
        # The creep alert on the same account is left out: buys-nothing says more.
        assert not [a for a in cards["intrinsic"].actions if a.rule == "creep"]
        assert not [a for a in cards["other"].actions if a.rule == "buys_nothing"]

    def test_segment_phrasing_then_rule_then_generic(self) -> None:
        con = portfolio(CREEP)
        found = triggered_actions(
            con,
            [alert("creep", ["O"], points=2.5, revenue_change=0.10)],
            extra_alerts=[alert("single_threaded", ["I", "O"])],
        )
        creep, *people = found
        assert creep.text("en") == "Review terms with Olympus: discount +2.5 pts, revenue up 10%."
        assert creep.text("zh") == "与Olympus重审条款：折扣 +2.5 个百分点，收入增长 10%。"
        # A rule without its own phrasing (a key-people alert, say) is followed up as it is,
        # once for each segment holding its accounts.
        assert [(a.segment, a.accounts) for a in people] == [("intrinsic", ["I"]), ("other", ["O"])]
        assert people[0].text("en") == "Follow up: Discount creep"
        assert people[0].text("zh") == "跟进：折扣攀升"

    def test_act_before_watch_and_unknown_accounts_ignored(self) -> None:
        con = portfolio(CREEP)
        found = triggered_actions(
            con,
            [
                alert("creep", ["O"], points=3.0),
                alert("buys_nothing", ["I"], points=4.0, revenue_change=-0.05),
                alert("creep", ["nobody"], points=9.0),
            ],
        )
        assert [a.rule for a in found] == ["buys_nothing", "creep"]
        assert found[0].text("en").endswith("revenue down 5%.")
        assert found[1].text("en").endswith("revenue not growing.")

    def test_a_creep_alert_quotes_the_revenue_change_of_its_evidence(self) -> None:
        """Discount creep alerts put the revenue change in their evidence, not their params:
        Olympus grew 20% while its discount crept, so the action must not say 'not growing'."""
        creep = alert("creep", ["O"], points=2.5).model_copy(
            update={"evidence": {"revenue_change": 0.2}}
        )
        [action] = triggered_actions(portfolio(CREEP), [creep])
        assert action.text("en") == "Review terms with Olympus: discount +2.5 pts, revenue up 20%."


class TestFigures:
    def test_live_figures(self) -> None:
        figures = segment_figures(portfolio(CREEP), HALF)
        intrinsic = figures["intrinsic"]
        assert (intrinsic.accounts, intrinsic.net_revenue) == (1, 6000)
        assert intrinsic.margin == pytest.approx(0.2)
        # Σ discount / Σ list: 3 · (1000/.95 − 1000) + 3 · (1000/.91 − 1000) over Σ list.
        lists = [1000 / 0.95] * 3 + [1000 / 0.91] * 3
        assert intrinsic.discount_rate == pytest.approx((sum(lists) - 6000) / sum(lists))
        assert intrinsic.revenue_share == pytest.approx(6000 / 24000)
        assert intrinsic.growth is None  # no stored prior period
        assert [(a.account, a.share) for a in figures["other"].top_accounts] == [("O", 1.0)]

    def test_growth_against_the_prior_period(self) -> None:
        figures = segment_figures(
            portfolio(CREEP), Period(start=date(2024, 4, 1), end=date(2024, 6, 1))
        )
        assert figures["other"].net_revenue_prior == 9000
        assert figures["other"].growth == pytest.approx(0)

    def test_cards_for_every_segment(self) -> None:
        rows = [*CREEP, Row("2024-01", "U", None, 50)]
        cards = strategy_cards(portfolio(rows), HALF, alerts=[])
        assert [card.segment for card in cards] == [*SEGMENTS, "unassigned"]
        by_segment = {card.segment: card for card in cards}
        assert by_segment["extrinsic"].figures is None and by_segment["extrinsic"].actions == []
        assert by_segment["unassigned"].figures.net_revenue == 50
        assert by_segment["strategic"].playbook("zh").name == "战略价值客户（企业级）"

    def test_a_period_without_rows(self) -> None:
        empty = Period(start=date(2030, 1, 1), end=date(2030, 3, 1))
        assert segment_figures(portfolio(CREEP), empty) == {}
        cards = strategy_cards(portfolio(CREEP), empty)
        assert [card.segment for card in cards] == list(SEGMENTS)
        assert all(card.figures is None and card.actions == [] for card in cards)

    def test_discount_rate_agrees_with_the_discount_core(self) -> None:
        con = portfolio(CREEP)
        rates = discount_rates(con, HALF, "segment").set_index("segment")
        for segment, figures in segment_figures(con, HALF).items():
            assert figures.discount_rate == pytest.approx(rates.loc[segment, "discount_rate"])
