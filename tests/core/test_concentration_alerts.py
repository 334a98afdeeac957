"""Dependency alerts: each rule on a portfolio built to trip it, with its evidence."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from pydantic import ValidationError

from core.concentration_alerts import ConcentrationThresholds, dependency_alerts
from core.concentration_sql import comparisons
from core.i18n import _LOCALE_DIR, _flatten
from core.metrics import Period
from tests.core.concentration_reference import portfolio

JAN_2025 = Period(start=date(2025, 1, 1), end=date(2025, 1, 1))
# 2024-01: A 50, B 50 (HHI 5000). 2024-12: A–D 100 each (all key). 2025-01: A 80, B 10, C 10
# (HHI 6600): A is down exactly 20%, B and C 90%, D 100%.
ROWS = (
    ("2024-01", "A", 50, None, "Alpha Group"),
    ("2024-01", "B", 50),
    ("2024-12", "A", 100, None, "Alpha Group"),
    ("2024-12", "B", 100),
    ("2024-12", "C", 100),
    ("2024-12", "D", 100),
    ("2025-01", "A", 80, None, "Alpha Group"),
    ("2025-01", "B", 10),
    ("2025-01", "C", 10),
)


def by_rule(alerts: list) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for alert in alerts:
        grouped.setdefault(alert.rule, []).append(alert)
    return grouped


class TestRules:
    def test_every_rule_fires_with_its_evidence(self) -> None:
        alerts = by_rule(dependency_alerts(portfolio(ROWS), JAN_2025))
        assert set(alerts) == {"group_share", "top5_share", "hhi", "hhi_yoy", "key_account_drop"}

        groups = alerts["group_share"]
        assert [a.params["group"] for a in groups] == ["Alpha Group", "B", "C"]
        assert groups[0].evidence["share"] == pytest.approx(0.8)
        assert groups[0].accounts == ["A"]
        assert groups[0].severity == "act"

        (top5,) = alerts["top5_share"]
        assert top5.evidence["share"] == pytest.approx(1)
        assert top5.accounts == ["A", "B", "C"]

        (hhi,) = alerts["hhi"]
        assert hhi.evidence["hhi"] == pytest.approx(6600)

        (yoy,) = alerts["hhi_yoy"]
        assert yoy.evidence["hhi_last_year"] == pytest.approx(5000)
        assert yoy.evidence["rise"] == pytest.approx(1600)
        assert yoy.params["last_year_from"] == "2024-01"
        assert yoy.accounts[0] == "A"  # its share rose from .5 to .8

        drops = alerts["key_account_drop"]
        assert [a.accounts for a in drops] == [["D"], ["B"], ["C"]]  # A fell exactly 20%
        assert drops[0].evidence["change"] == pytest.approx(-1)
        assert drops[1].evidence == {
            "before": 100,
            "now": 10,
            "change": pytest.approx(-0.9),
            "threshold": 0.2,
        }
        assert drops[1].params["prior_from"] == "2024-12"

    def test_thresholds_come_from_settings(self) -> None:
        quiet = ConcentrationThresholds(
            group_share=0.9, top5_share=1, hhi=7000, hhi_yoy_rise=2000, key_account_drop=1
        )
        # Three accounts always hold 100%, so only the top-5 rule can still fire.
        assert [a.rule for a in dependency_alerts(portfolio(ROWS), JAN_2025, quiet)] == [
            "top5_share"
        ]
        touchy = ConcentrationThresholds(key_account_drop=0.19)
        drops = by_rule(dependency_alerts(portfolio(ROWS), JAN_2025, touchy))["key_account_drop"]
        assert ["A"] in [a.accounts for a in drops]

    def test_comparisons_need_stored_history(self) -> None:
        first = Period(start=date(2024, 1, 1), end=date(2024, 1, 1))
        rules = {a.rule for a in dependency_alerts(portfolio(ROWS), first)}
        assert rules == {"group_share", "top5_share", "hhi"}

    def test_group_level_uses_groups_for_hhi(self) -> None:
        con = portfolio([("2024-01", f"K{i}", 10, None, "G" if i < 5 else None) for i in range(10)])
        assert "hhi" not in {a.rule for a in dependency_alerts(con, Period())}
        alerts = by_rule(dependency_alerts(con, Period(), by="group"))
        assert alerts["hhi"][0].evidence["hhi"] == pytest.approx(2500 + 5 * 100)

    def test_no_alerts_for_a_period_without_data(self) -> None:
        assert dependency_alerts(portfolio(ROWS), Period(start=date(2030, 1, 1))) == []


class TestComparisonPeriods:
    def test_prior_and_last_year_of_a_clipped_period(self) -> None:
        months = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
        con = portfolio([(month, "A", 1) for month in months[:18]])  # 2023-01 … 2024-06
        compared = comparisons(con, Period(start=date(2024, 1, 1), end=date(2030, 1, 1)))
        assert compared.current == Period(start=date(2024, 1, 1), end=date(2024, 6, 1))
        assert compared.prior == Period(start=date(2023, 7, 1), end=date(2023, 12, 1))
        assert compared.last_year == Period(start=date(2023, 1, 1), end=date(2023, 6, 1))

    def test_a_window_with_a_missing_month_is_no_comparison(self) -> None:
        """2023-09 was never uploaded: the prior half-year would compare 5 months with 6."""
        months = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
        stored = [month for month in months[:18] if month != "2023-09"]
        compared = comparisons(
            portfolio([(month, "A", 1) for month in stored]),
            Period(start=date(2024, 1, 1), end=date(2024, 6, 1)),
        )
        assert compared.prior is None
        assert compared.last_year == Period(start=date(2023, 1, 1), end=date(2023, 6, 1))

    def test_uncovered_comparisons_are_none(self) -> None:
        compared = comparisons(portfolio([("2024-03", "A", 1)]), Period())
        assert compared.current == Period(start=date(2024, 3, 1), end=date(2024, 3, 1))
        assert compared.prior is None and compared.last_year is None


class TestThresholds:
    def test_defaults(self) -> None:
        assert ConcentrationThresholds().model_dump() == {
            "group_share": 0.10,
            "top5_share": 0.50,
            "hhi": 1800,
            "hhi_yoy_rise": 100,
            "key_account_drop": 0.20,
        }

    def test_unknown_keys_and_impossible_values_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            ConcentrationThresholds(top3_share=0.4)  # type: ignore[call-arg]
        with pytest.raises(ValidationError, match="less than or equal to 1"):
            ConcentrationThresholds(group_share=1.5)


class TestMessages:
    def test_every_alert_reads_in_both_languages(self) -> None:
        for alert in dependency_alerts(portfolio(ROWS), JAN_2025):
            english, chinese = alert.message("en"), alert.message("zh")
            assert "{" not in english and "{" not in chinese
            assert english != chinese

    def test_the_locale_pair_has_identical_keys(self) -> None:
        keys = []
        for language in ("en", "zh"):
            with (_LOCALE_DIR / f"concentration.{language}.toml").open("rb") as handle:
                keys.append(set(_flatten(tomllib.load(handle))))
        assert keys[0] == keys[1]
        assert all(key.startswith("concentration.") for key in keys[0])
        assert {
            f"concentration.alert.{rule}"
            for rule in ("group_share", "top5_share", "hhi", "hhi_yoy", "key_account_drop")
        } <= keys[0]
