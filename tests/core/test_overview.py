"""The Overview: KPI tiles against the prior period and last year, with the direction each
should move, the revenue bridge, and the ranked alert list."""

from __future__ import annotations

from datetime import date

import pytest

from core.alerts import Alert
from core.metrics import Period
from core.overview import KPIS, Kpi, RankedAlert, overview, rank_alerts
from tests.core.segments_reference import Row, portfolio

JAN_2024 = Period(start=date(2024, 1, 1), end=date(2024, 1, 1))

ROWS = [
    # The period, 2024-01.
    Row("2024-01", "A", "other", 600, cost=400, list_revenue=700, discount=100, name="Acme"),
    Row("2024-01", "B", "other", 300, cost=240, list_revenue=300, discount=0, name="Beta"),
    Row("2024-01", "C", "other", 100, name="Gamma"),
    # The prior period, 2023-12.
    Row("2023-12", "A", "other", 500, cost=350, list_revenue=550, discount=50, name="Acme"),
    Row("2023-12", "B", "other", 500, cost=400, list_revenue=500, discount=0, name="Beta"),
    # The same period last year, 2023-01: no list data.
    Row("2023-01", "A", "other", 400, cost=300, name="Acme"),
    Row("2023-01", "B", "other", 100, cost=80, name="Beta"),
    Row("2023-01", "C", "other", 100, cost=60, name="Gamma"),
    Row("2023-01", "D", "other", 400, cost=200, name="Delta"),
]
"""By hand, per window (now / prior / last year):
net revenue 1,000 / 1,000 / 1,000;
gross profit 200 + 60 = 260 (C has no cost) / 150 + 100 = 250 / 100 + 20 + 40 + 200 = 360;
margin 260 / 900 (revenue of rows with cost) / 250 / 1,000 / 360 / 1,000;
active accounts 3 / 2 / 4;
top-20% share: ⌈0.6⌉ = 1 account, 600 / 1,000 / ⌈0.4⌉ = 1, 500 / 1,000 / ⌈0.8⌉ = 1, 0.4;
HHI 3,600 + 900 + 100 = 4,600 / 2,500 + 2,500 = 5,000 / 1,600 + 100 + 100 + 1,600 = 3,400;
discount rate 100 / 1,000 / 50 / 1,050 / none (no list data)."""

EXPECTED = {
    "net_revenue": (1000, 1000, 1000),
    "gross_profit": (260, 250, 360),
    "margin": (260 / 900, 0.25, 0.36),
    "active_accounts": (3, 2, 4),
    "top20_share": (0.6, 0.5, 0.4),
    "hhi": (4600, 5000, 3400),
    "discount_rate": (0.1, 50 / 1050, None),
}


@pytest.fixture(scope="module")
def view():
    return overview(portfolio(ROWS), JAN_2024)


def tile(view, code: str) -> Kpi:
    return next(item for item in view.kpis if item.code == code)


class TestTiles:
    def test_values_in_the_three_windows(self, view) -> None:
        assert view.prior_period == Period(start=date(2023, 12, 1), end=date(2023, 12, 1))
        assert view.last_year_period == Period(start=date(2023, 1, 1), end=date(2023, 1, 1))
        assert [item.code for item in view.kpis] == list(EXPECTED)
        for code, (now, prior, last_year) in EXPECTED.items():
            found = tile(view, code)
            assert found.value == pytest.approx(now), code
            assert found.prior == pytest.approx(prior), code
            if last_year is None:
                assert found.last_year is None
            else:
                assert found.last_year == pytest.approx(last_year), code

    def test_lower_is_better_for_concentration_and_discount(self) -> None:
        better = {code: higher for code, _, higher in KPIS}
        assert [code for code, higher in better.items() if not higher] == [
            "top20_share",
            "hhi",
            "discount_rate",
        ]

    def test_whether_each_change_is_good(self, view) -> None:
        # Gross profit +10 on prior (good), −100 on last year (bad); HHI −400 on prior is
        # good, +1,200 on last year bad; top-20% share rose on both: bad; the discount rate
        # rose on prior (bad) and has no last-year value; net revenue did not change.
        good = {item.code: (item.good("prior"), item.good("last_year")) for item in view.kpis}
        assert good == {
            "net_revenue": (None, None),
            "gross_profit": (True, False),
            "margin": (True, False),
            "active_accounts": (True, False),
            "top20_share": (False, False),
            "hhi": (True, False),
            "discount_rate": (False, None),
        }

    def test_delta_and_growth(self, view) -> None:
        profit = tile(view, "gross_profit")
        assert profit.delta("prior") == pytest.approx(10)
        assert profit.growth("prior") == pytest.approx(260 / 250 - 1)
        assert profit.delta("last_year") == pytest.approx(-100)
        assert tile(view, "discount_rate").delta("last_year") is None

    def test_no_comparison_without_covered_history(self) -> None:
        # Only 2024-01 stored: neither the prior month nor last year is covered.
        found = overview(portfolio([r for r in ROWS if r.month == "2024-01"]), JAN_2024)
        assert found.prior_period is None and found.last_year_period is None
        assert all(item.prior is None and item.last_year is None for item in found.kpis)
        assert found.bridge is None

    def test_a_period_without_stored_months(self) -> None:
        found = overview(portfolio(ROWS), Period(start=date(2030, 1, 1), end=date(2030, 1, 1)))
        assert found.period is None
        assert all(item.value is None for item in found.kpis)
        assert found.alerts == []


class TestBridge:
    def test_prior_period_to_the_period(self, view) -> None:
        # A 500 → 600 (+100), B 500 → 300 (−200), C new (+100): 1,000 → 1,000.
        bridge = view.bridge
        assert (bridge.start, bridge.end) == (pytest.approx(1000), pytest.approx(1000))
        assert bridge.new == pytest.approx(100)
        assert bridge.expansion == pytest.approx(100)
        assert bridge.contraction == pytest.approx(200)
        assert bridge.lost == pytest.approx(0)


def alert(rule: str, severity: str, accounts: list[str], **params: object) -> Alert:
    return Alert(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        message_key="overview.action.generic",
        params=params,  # type: ignore[arg-type]
        evidence={},
        accounts=accounts,
    )


class TestRanking:
    REVENUE = {"A": 500.0, "B": 100.0, "C": -50.0}

    def test_act_first_then_revenue_at_stake(self) -> None:
        found = [
            ("discounts", alert("creep", "watch", ["A"])),
            ("discounts", alert("buys_nothing", "act", ["B"])),
            ("concentration", alert("top5_share", "act", ["A", "B"])),
            ("mistakes", alert("profit_source", "act", ["A", "C"])),
        ]
        ranked = rank_alerts(found, self.REVENUE)
        # top5: 500 + 100 = 600; profit_source: 500 + 0 (C's negative revenue counts 0);
        # buys_nothing: 100; the watch alert last despite its 500.
        assert [item.alert.rule for item in ranked] == [
            "top5_share",
            "profit_source",
            "buys_nothing",
            "creep",
        ]
        assert [item.revenue_at_stake for item in ranked] == [600, 500, 100, 500]

    def test_ties_go_by_analysis(self) -> None:
        found = [
            ("people", alert("no_coach", "watch", ["A"])),
            ("concentration", alert("key_account_drop", "watch", ["A"])),
        ]
        assert [item.source for item in rank_alerts(found, self.REVENUE)] == [
            "concentration",
            "people",
        ]

    def test_links_open_the_account_or_the_page(self) -> None:
        found = [
            ("discounts", alert("creep", "watch", ["A"])),
            ("concentration", alert("hhi", "act", ["A"])),
            ("concentration", alert("group_share", "act", ["A", "B"])),
            ("mistakes", alert("big_over_small", "act", ["A", "B"])),
            ("mistakes", alert("single_indicator", "act", ["A", "B"])),
        ]
        links = {
            item.alert.rule: (item.link_account, item.link_page)
            for item in rank_alerts(found, self.REVENUE)
        }
        assert links == {
            "creep": ("A", None),
            "hhi": (None, "concentration"),
            "group_share": (None, "concentration"),
            "big_over_small": (None, "concentration"),
            "single_indicator": (None, "segments"),
        }


class TestActions:
    def test_an_action_names_the_account(self) -> None:
        (ranked,) = rank_alerts([("discounts", alert("creep", "watch", ["A"], points=3.0))], {})
        assert ranked.action({"A": "Acme"}) == "Review terms with Acme: discount +3.0 pts."
        assert ranked.action({"A": "Acme"}, "zh") == "与 Acme 重新审视条款：折扣 +3.0 个百分点。"

    def test_a_rule_without_its_own_line_gets_the_generic_one(self) -> None:
        (ranked,) = rank_alerts([("discounts", alert("novel_rule", "watch", ["A"]))], {})
        assert ranked.action_key == "overview.action.generic"

    def test_missing_placeholders_fall_back_to_the_generic_line(self) -> None:
        (ranked,) = rank_alerts([("discounts", alert("creep", "watch", ["A"]))], {})
        assert ranked.action({}) == "Review the evidence and decide before the next review."


class TestAlertsOfThePortfolio:
    def test_every_analysis_feeds_the_list_ranked(self, view) -> None:
        # HHI 4,600 > 1,800: act, at stake the top accounts A, B, C: 600 + 300 + 100.
        first = view.alerts[0]
        assert (first.source, first.alert.rule) == ("concentration", "hhi")
        assert first.revenue_at_stake == pytest.approx(1000)
        keys = [(item.alert.severity != "act", -item.revenue_at_stake) for item in view.alerts]
        assert keys == sorted(keys)
        assert {item.source for item in view.alerts} >= {"concentration", "mistakes"}
        assert view.names["A"] == "Acme"

    def test_ranked_alert_is_strict(self) -> None:
        with pytest.raises(ValueError, match="extra"):
            RankedAlert.model_validate(
                {
                    "source": "people",
                    "alert": alert("x", "watch", []),
                    "revenue_at_stake": 0,
                    "action_key": "k",
                    "link_account": None,
                    "link_page": None,
                    "surprise": 1,
                }
            )
