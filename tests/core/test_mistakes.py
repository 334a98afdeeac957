"""The five-mistakes check: each mistake on a tiny hand-worked portfolio, at its thresholds, and
the demo's planted accounts found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from core.alerts import Alert
from core.bootstrap import build_demo_database
from core.db import Database
from core.demo import PLANTED
from core.metrics import Period
from core.mistakes import (
    MISTAKES,
    MistakeCheck,
    MistakeThresholds,
    better_terms,
    five_mistakes,
    mistakes_metrics,
    single_indicator,
    worst,
)
from core.scorecard import ScorecardWeights, scorecard
from core.settings import get_settings
from tests.core.segments_reference import Row, portfolio

JAN = Period(start=date(2024, 1, 1), end=date(2024, 1, 1))
MARGIN_ONLY = ScorecardWeights(revenue=0, margin=100, growth=0, discount=0, breadth=0)


def check(
    con: duckdb.DuckDBPyConnection, period: Period, mistake: str, **thresholds: object
) -> MistakeCheck:
    """One mistake's check of the period, at the default thresholds unless given."""
    found = five_mistakes(con, period, MistakeThresholds(**thresholds))  # type: ignore[arg-type]
    assert [item.mistake for item in found.checks] == list(MISTAKES)
    return next(item for item in found.checks if item.mistake == mistake)


class TestStatus:
    def test_worst_of_several(self) -> None:
        assert worst(["ok", "act", "watch"]) == "act"
        assert worst(["ok", "watch"]) == "watch"
        assert worst([]) == "ok"

    def test_thresholds_come_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KEYSTONE_MISTAKES__PRODUCT_SHARE", "0.8")
        assert get_settings().mistakes.product_share == 0.8
        assert get_settings().mistakes.margin_gap == 0.05


def ranked_by_margin(margins: list[float]) -> list[Row]:
    """Ten accounts K0..K9 in January: revenue 100 − 10 i, cost giving each its margin."""
    return [
        Row("2024-01", f"K{i}", "other", 100 - 10 * i, cost=(100 - 10 * i) * (1 - margin))
        for i, margin in enumerate(margins)
    ]


class TestSingleIndicator:
    """Scored on margin alone, the platinum tier is the ⌈0.2 · 10⌉ = 2 best margins; the
    revenue-only list is K0 and K1 (revenue 100 and 90)."""

    def verdict(self, margins: list[float], **thresholds: object) -> MistakeCheck:
        con = portfolio(ranked_by_margin(margins))
        card = scorecard(con, JAN, MARGIN_ONLY)
        return single_indicator(card, con, MistakeThresholds(**thresholds))  # type: ignore[arg-type]

    def test_half_overlap_is_watch(self) -> None:
        # Best margins: K0 (0.5) and K9 (0.45); K1 has the worst. Overlap {K0}: 1 / 2 = 0.5,
        # not below act (0.5), below watch (0.75).
        found = self.verdict([0.5, 0.05, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.45])
        assert found.status == "watch"
        assert found.evidence["overlap"] == 1
        assert found.evidence["overlap_share"] == pytest.approx(0.5)
        assert found.accounts == ["K1", "K9"], "revenue-only first, then scorecard-only"
        assert found.account_figures["K1"]["revenue_only"] == 1
        assert found.account_figures["K9"]["revenue_rank"] == 10

    def test_no_overlap_is_act(self) -> None:
        # Best margins K8 and K9: neither is in the revenue top 2.
        found = self.verdict([0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 0.6])
        assert found.status == "act"
        assert found.evidence["overlap_share"] == 0
        assert found.accounts == ["K0", "K1", "K8", "K9"]

    def test_the_same_lists_are_ok(self) -> None:
        found = self.verdict([0.6, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1])
        assert (found.status, found.accounts, found.reasons) == ("ok", [], [])

    def test_the_threshold_is_a_setting(self) -> None:
        found = self.verdict([0.5, 0.05, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.45], overlap_act=0.6)
        assert found.status == "act"


MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")
MAR_APR = Period(start=date(2024, 3, 1), end=date(2024, 4, 1))


def twenty(key_factor: float, lost: tuple[int, ...] = (1, 2)) -> list[Row]:
    """A01..A20 sell 100 + i a month; from March the top four (A17..A20) sell `key_factor`
    times that, and the `lost` ones sell nothing."""
    rows = []
    for month in MONTHS:
        for i in range(1, 21):
            later = month >= "2024-03"
            if later and i in lost:
                continue
            factor = key_factor if later and i >= 17 else 1.0
            rows.append(Row(month, f"A{i:02d}", "other", (100 + i) * factor))
    return rows


class TestBigOverSmall:
    """March–April against January–February. Key accounts (top ⌈0.2 · 20⌉ = 4) are A17..A20 in
    both periods; the small and mid ones are A01..A16 (16)."""

    def test_small_accounts_leave_while_key_accounts_grow_is_act(self) -> None:
        # A01 and A02 stop: churn 2 / 16 = 0.125 ≥ 0.05. Key accounts: before
        # 2 · (117 + 118 + 119 + 120) = 948, now 1.5 · 948: growth +50%. HHI about 600 (low),
        # top-20% share 1,422 / 4,488 = 0.317: neither raises a reason.
        found = check(portfolio(twenty(1.5)), MAR_APR, "big_over_small")
        assert found.status == "act"
        assert found.reasons == ["churn_while_key_grow"]
        assert found.evidence["small_accounts"] == 16
        assert found.evidence["lost"] == 2
        assert found.evidence["lapsed"] == 0, "a 2-month period is shorter than 3 lapse months"
        assert found.evidence["churn_share"] == pytest.approx(2 / 16)
        assert found.evidence["key_growth"] == pytest.approx(0.5)
        assert found.evidence["top20_share"] == pytest.approx(1422 / 4488)
        assert found.evidence["hhi"] < 1000
        assert found.accounts == ["A02", "A01"], "largest first: 204 before 202"
        assert found.evidence["churned_revenue"] == pytest.approx(204 + 202)

    def test_churn_without_key_growth_is_watch(self) -> None:
        found = check(portfolio(twenty(1.0)), MAR_APR, "big_over_small")
        assert (found.status, found.reasons) == ("watch", ["small_churn"])
        assert found.evidence["key_growth"] == pytest.approx(0.0)

    def test_churn_below_the_threshold_is_ok(self) -> None:
        found = check(portfolio(twenty(1.5)), MAR_APR, "big_over_small", small_churn=0.2)
        assert (found.status, found.reasons) == ("ok", [])

    def test_lapsed_accounts_count_without_a_prior_period(self) -> None:
        # January–April, nothing stored before: A01 buys in January only, so it has lapsed
        # (no revenue February–April, the last 3 months). Churn 1 / 16 = 0.0625 ≥ 0.05, key
        # growth unknown: watch.
        rows = [r for r in twenty(1.0, lost=()) if r.account != "A01" or r.month == "2024-01"]
        period = Period(start=date(2024, 1, 1), end=date(2024, 4, 1))
        found = check(portfolio(rows), period, "big_over_small")
        assert (found.status, found.reasons) == ("watch", ["small_churn"])
        assert (found.evidence["lost"], found.evidence["lapsed"]) == (0, 1)
        assert found.evidence["key_growth"] is None
        assert found.accounts == ["A01"]
        assert found.missing == "no_prior"

    def test_high_hhi_is_act(self) -> None:
        # 800, 100, 100: HHI = 6,400 + 100 + 100 = 6,600 > 1,800; the top ⌈0.6⌉ = 1 holds 0.8.
        sales = {"A": 800, "B": 100, "C": 100}
        rows = [Row("2024-01", key, "other", net) for key, net in sales.items()]
        found = check(portfolio(rows), JAN, "big_over_small")
        assert found.status == "act"
        assert found.reasons == ["hhi_high", "top20_share"]
        assert found.evidence["hhi"] == pytest.approx(6600)

    def test_moderate_hhi_is_watch(self) -> None:
        # 270 and nine of 70: HHI = 10,000 · (0.3² + 9 · (70 / 900)²) = 900 + 544.4 = 1,444.4.
        rows = [Row("2024-01", "A", "other", 270)]
        rows += [Row("2024-01", f"B{i}", "other", 70) for i in range(9)]
        found = check(portfolio(rows), JAN, "big_over_small")
        assert (found.status, found.reasons) == ("watch", ["hhi_moderate"])
        assert found.evidence["hhi"] == pytest.approx(900 + 9 * 10_000 * (70 / 900) ** 2)

    def test_hhi_rising_on_last_year_is_watch(self) -> None:
        # January 2023: 20 equal accounts, HHI 500. January 2024: A01 sells 400, the others 100:
        # HHI = 10,000 · ((400 / 2,300)² + 19 · (100 / 2,300)²) = 661.8, up 161.8 > 100.
        rows = [Row("2023-01", f"A{i:02d}", "other", 100) for i in range(1, 21)]
        rows += [Row("2024-01", f"A{i:02d}", "other", 400 if i == 1 else 100) for i in range(1, 21)]
        found = check(portfolio(rows), JAN, "big_over_small")
        now = 10_000 * ((400 / 2300) ** 2 + 19 * (100 / 2300) ** 2)
        assert (found.status, found.reasons) == ("watch", ["hhi_rising"])
        assert found.evidence["hhi_last_year"] == pytest.approx(500)
        assert found.evidence["hhi_rise"] == pytest.approx(now - 500)


Q1 = Period(start=date(2024, 1, 1), end=date(2024, 3, 1))


def dependence_rows() -> list[Row]:
    """January–March, ten accounts, so K1 and K2 are the ⌈2⌉ key accounts.

    K1 sells P1 95 and P2 5 every month: 300, top product 0.95, product HHI 9,025 + 25.
    K2 sells P1 100 + P2 100 in January, nothing in February, P1 5 + P2 5 in March: 210, top
    product 0.5, top month 200 / 210 = 0.952; monthly [200, 0, 10] has mean 70 and population
    standard deviation √((130² + 70² + 60²) / 3) = 92.01, so CV 1.314.
    S1..S8 sell 10 of P1 a month (30 each).
    """
    rows = []
    for month in ("2024-01", "2024-02", "2024-03"):
        rows += [
            Row(month, "K1", "other", 95, product="P1"),
            Row(month, "K1", "other", 5, product="P2"),
        ]
        rows += [Row(month, f"S{i}", "other", 10, product="P1") for i in range(1, 9)]
    rows += [Row("2024-01", "K2", "other", 100, product=p) for p in ("P1", "P2")]
    rows += [Row("2024-03", "K2", "other", 5, product=p) for p in ("P1", "P2")]
    return rows


class TestProductNotCustomer:
    def test_one_product_and_one_month(self) -> None:
        # Both key accounts depend: their share of key revenue is 1 ≥ 0.10: act.
        found = check(portfolio(dependence_rows()), Q1, "product_not_customer")
        assert (found.status, found.reasons) == ("act", ["one_product", "one_month"])
        assert found.accounts == ["K1", "K2"]
        k1, k2 = found.account_figures["K1"], found.account_figures["K2"]
        assert k1["top_product_share"] == pytest.approx(0.95)
        assert k1["product_hhi"] == pytest.approx(9025 + 25)
        assert k2["top_product_share"] == pytest.approx(0.5)
        assert k2["top_month_share"] == pytest.approx(200 / 210)
        assert k2["cv"] == pytest.approx(((130**2 + 70**2 + 60**2) / 3) ** 0.5 / 70)
        assert found.evidence["dependent_share"] == pytest.approx(1.0)

    def test_a_short_period_never_flags_a_month(self) -> None:
        # min_months 4 > 3: only K1 (one product), 300 / 510 = 0.588 of key revenue.
        found = check(portfolio(dependence_rows()), Q1, "product_not_customer", min_months=4)
        assert (found.accounts, found.reasons) == (["K1"], ["one_product"])
        assert found.evidence["dependent_share"] == pytest.approx(300 / 510)
        assert found.status == "act"

    def test_a_small_dependent_share_is_watch(self) -> None:
        found = check(
            portfolio(dependence_rows()),
            Q1,
            "product_not_customer",
            min_months=4,
            dependent_share=0.6,
        )
        assert found.status == "watch"

    def test_no_dependence_is_ok(self) -> None:
        con = portfolio(dependence_rows())
        found = check(con, Q1, "product_not_customer", min_months=4, product_share=0.99)
        assert (found.status, found.accounts) == ("ok", [])


def margin_rows(k2_cost: float = 600, small_cost: float = 60) -> list[Row]:
    """January: K1 1,000 at cost 900, K2 800 at `k2_cost`, S1..S7 100 at `small_cost`, S8 100
    at cost 120 (a loss of 20)."""
    rows = [Row("2024-01", "K1", "other", 1000, cost=900)]
    rows += [Row("2024-01", "K2", "other", 800, cost=k2_cost)]
    rows += [Row("2024-01", f"S{i}", "other", 100, cost=small_cost) for i in range(1, 8)]
    return [*rows, Row("2024-01", "S8", "other", 100, cost=120)]


class TestProfitSource:
    def test_key_accounts_well_below_the_rest_is_act(self) -> None:
        # Key (K1, K2): (100 + 200) / 1,800 = 0.1667. Rest: (7 · 40 − 20) / 800 = 0.325. Gap
        # 0.158 > 0.05: act. S8 loses money but is not key: a second, 'watch' reason.
        found = check(portfolio(margin_rows()), JAN, "profit_source")
        assert (found.status, found.reasons) == ("act", ["key_margin_low", "loss_makers"])
        assert found.evidence["key_margin"] == pytest.approx(300 / 1800)
        assert found.evidence["rest_margin"] == pytest.approx(260 / 800)
        assert found.evidence["margin_gap"] == pytest.approx(260 / 800 - 300 / 1800)
        assert found.accounts == ["S8"]
        assert found.account_figures == {"S8": {"key": 0}}

    def test_whale_curve_and_breakdown(self) -> None:
        # Profit by rank: 200, 100, 40 × 7, −20: total 560, peak 580 / 560; S8 gives back 20.
        found = check(portfolio(margin_rows()), JAN, "profit_source")
        assert found.evidence["whale_peak"] == pytest.approx(580 / 560)
        assert found.evidence["profit_destroyed"] == pytest.approx(20)
        assert found.breakdown["segment"] == {"other": pytest.approx(560 / 2600)}
        assert set(found.breakdown["tier"]) == {"platinum", "gold", "iron", "lead"}

    def test_a_key_loss_maker_is_act(self) -> None:
        # K2 at cost 850 loses 50; key margin (100 − 50) / 1,800 = 0.028, rest 0.325.
        found = check(portfolio(margin_rows(k2_cost=850)), JAN, "profit_source")
        assert found.status == "act"
        assert "key_loss_makers" in found.reasons
        assert found.accounts == ["K2", "S8"], "most negative first"
        assert found.account_figures["K2"] == {"key": 1}

    def test_a_small_gap_is_watch(self) -> None:
        # Small accounts at cost 80 earn 20: rest (7 · 20 − 20) / 800 = 0.15 against key 0.1667:
        # key accounts earn more; S8 still loses: watch, loss makers only.
        found = check(portfolio(margin_rows(small_cost=80)), JAN, "profit_source")
        assert (found.status, found.reasons) == ("watch", ["loss_makers"])

    def test_without_cost_data_it_says_so(self) -> None:
        rows = [Row("2024-01", key, "other", 100) for key in "ABC"]
        found = check(portfolio(rows), JAN, "profit_source")
        assert (found.status, found.missing, found.accounts) == ("ok", "no_cost", [])


def discount_alert(rule: str, account: str, **evidence: float) -> Alert:
    return Alert(
        rule=rule,
        severity="act" if rule == "buys_nothing" else "watch",
        message_key=f"discounts.alert.{rule}",
        params={},
        evidence=evidence,
        accounts=[account],
    )


class TestBetterTerms:
    def test_discount_that_buys_nothing_is_act(self) -> None:
        alerts = [
            discount_alert("buys_nothing", "A", points=3.0, revenue_change=-0.01, threshold=2.0),
            discount_alert("creep", "A", points=3.0, threshold=2.0),
            discount_alert("creep", "B", points=2.5, threshold=2.0),
            discount_alert("corridor", "C", rate=0.15, peer_p90=0.12),
        ]
        found = better_terms(alerts)
        assert found.status == "act"
        assert found.accounts == ["A", "B", "C"]
        counts = {"buys_nothing": 1, "creep": 2, "corridor": 1, "creep_threshold": 2}
        assert found.evidence == counts
        assert found.account_figures["A"] == {"points": 3.0, "revenue_change": -0.01}

    def test_creep_or_corridor_alone_is_watch(self) -> None:
        found = better_terms([discount_alert("corridor", "C", rate=0.15, peer_p90=0.12)])
        assert (found.status, found.reasons) == ("watch", ["corridor"])

    def test_no_discount_alert_is_ok(self) -> None:
        assert better_terms([]).status == "ok"


class TestMetricsKey:
    def test_one_entry_per_mistake(self) -> None:
        # The margin portfolio: mistake 4 acts on S8's loss and the key accounts' low margin.
        found = mistakes_metrics(portfolio(margin_rows()), JAN, MistakeThresholds())
        entries = found["mistakes"]
        assert [entry["id"] for entry in entries] == list(MISTAKES)
        profit = entries[3]
        assert profit == {
            "id": "profit_source",
            "status": "act",
            "reasons": ["key_margin_low", "loss_makers"],
            "accounts": ["S8"],
        }


class TestEmpty:
    def test_a_period_without_stored_months_has_no_checks(self) -> None:
        con = portfolio([Row("2024-01", "A", "other", 100)])
        found = five_mistakes(con, Period(start=date(2030, 1, 1), end=date(2030, 1, 1)))
        assert (found.period, found.checks, found.status()) == (None, [], "ok")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path: Path = tmp_path_factory.mktemp("demo") / "keystone.duckdb"
    build_demo_database(Database(path))
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


LAST_12 = Period(start=date(2025, 11, 1), end=date(2026, 10, 1))


@pytest.fixture(scope="module")
def checks(demo: duckdb.DuckDBPyConnection) -> dict[str, MistakeCheck]:
    found = five_mistakes(demo, LAST_12, MistakeThresholds())
    return {item.mistake: item for item in found.checks}


class TestDemo:
    def test_the_one_product_account_is_flagged(self, checks: dict[str, MistakeCheck]) -> None:
        assert PLANTED["one_product"] == ["C00617"]
        found = checks["product_not_customer"]
        assert "C00617" in found.accounts
        assert found.account_figures["C00617"]["top_product_share"] > 0.9

    def test_the_negative_margin_accounts_appear(self, checks: dict[str, MistakeCheck]) -> None:
        planted = set(PLANTED["negative_margin"])
        assert planted == {"C00111", "C00438", "C00053", "C00334"}
        found = checks["profit_source"]
        assert set(found.accounts) == planted
        assert found.status == "act", "C00111 (size rank 45) is a key account"

    def test_the_creep_accounts_appear(self, checks: dict[str, MistakeCheck]) -> None:
        found = checks["better_terms"]
        assert set(found.accounts[:2]) == set(PLANTED["discount_creep"]), "buys nothing first"
        assert found.status == "act"

    def test_the_churned_small_accounts_are_found(self, checks: dict[str, MistakeCheck]) -> None:
        # 60 small accounts stop buying in 2025-11 .. 2026-04: lapsed by the period's end.
        found = checks["big_over_small"]
        assert set(PLANTED["churned"]) <= set(found.accounts)
        assert found.status == "act"
