"""Discount alerts on portfolios worked out by hand: which rule fires, its evidence, its text."""

from __future__ import annotations

import string
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

from core.alerts import Alert
from core.db import Database
from core.demo import PLANTED
from core.discounts_alerts import discount_alerts
from core.discounts_creep import DiscountThresholds
from core.i18n import _LOCALE_DIR, _flatten
from core.metrics import Period
from core.settings import Settings
from core.store import store_uploads
from tests.core.conftest import prepare

ALL = Period()
ROOT = Path(__file__).resolve().parents[2]
HEADER = "month,account_id,segment,net_revenue,list_revenue,discount_amount,off_invoice,cost\n"

# A misses Feb and May. Prior window (Jan, Mar): 40 / 400 = 10%; last (Apr, Jun): 80 / 400 =
# 20%: +10 points; monthly rates 10, 10, 15, 25 at t = 0, 2, 3, 5: slope 40 / 13. Net 360
# before and 320 after over 3 stored months each: -11.1%, so A's discount bought nothing.
# B is flat at 5%. G goes from 10% to 20% (+10 points) while its revenue grows 90 -> 400.
CREEP = (
    "2024-01,A,intrinsic,90,100,10,,",
    "2024-03,A,intrinsic,270,300,30,,",
    "2024-04,A,intrinsic,170,200,30,,",
    "2024-06,A,intrinsic,150,200,50,,",
    *(f"2024-0{m},B,intrinsic,95,100,5,," for m in range(1, 7)),
    "2024-01,G,extrinsic,90,100,10,,",
    "2024-04,G,extrinsic,400,500,100,,",
)

# One segment of five at 5, 6, 7, 8 and 20%. In one band E's peers (5, 6, 7, 8%) have their
# 90th percentile at 7% + 0.7 · 1% = 7.7%: E is 12.3 points above it; D's peers (5, 6, 7,
# 20%) put it at 16.1%. At the median instead: E's peers 6.5%, D's (5, 6, 7, 20) 6.5% too,
# C's (5, 6, 8, 20) 7%, so E and D are above and C is not.
CORRIDOR = tuple(
    f"2024-01,{key},intrinsic,{100 - rate},100,{rate},,"
    for key, rate in zip("ABCDE", (5, 6, 7, 8, 20), strict=True)
)
ONE_BAND = DiscountThresholds(revenue_bands=1)


@pytest.fixture
def alerts(db: Database) -> Iterator[Callable[..., list[Alert]]]:
    """Store CSV body lines, then return discount_alerts over them with the given options."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def run(lines: tuple[str, ...], period: Period = ALL, **options: object) -> list[Alert]:
        if not db.path.exists():
            store_uploads(db, [prepare("sales.csv", HEADER + "\n".join(lines) + "\n")])
        opened.append(duckdb.connect(str(db.path), read_only=True))
        return discount_alerts(opened[-1], period, **options)  # type: ignore[arg-type]

    yield run
    for connection in opened:
        connection.close()


def by_rule(found: list[Alert]) -> dict[str, list[Alert]]:
    grouped: dict[str, list[Alert]] = {}
    for alert in found:
        grouped.setdefault(alert.rule, []).append(alert)
    return grouped


class TestCreepAndBuysNothing:
    def test_creep_without_growth_raises_both_with_evidence(self, alerts) -> None:
        found = alerts(CREEP, thresholds=DiscountThresholds())
        assert [(a.rule, a.accounts) for a in found] == [
            ("buys_nothing", ["A"]),
            ("creep", ["A"]),
            ("creep", ["G"]),
        ]
        nothing, creep_a = found[0], found[1]
        assert (nothing.severity, creep_a.severity) == ("act", "watch")
        evidence = creep_a.evidence
        assert evidence["points"] == pytest.approx(10)
        assert evidence["slope"] == pytest.approx(40 / 13)
        assert evidence["revenue_change"] == pytest.approx(320 / 360 - 1)
        assert (evidence["rate_prior"], evidence["rate_last"]) == (
            pytest.approx(0.1),
            pytest.approx(0.2),
        )
        assert evidence["threshold"] == 2.0
        assert nothing.evidence == creep_a.evidence

    def test_creep_with_growth_is_only_creep(self, alerts) -> None:
        found = by_rule(alerts(CREEP, thresholds=DiscountThresholds()))
        g = next(a for a in found["creep"] if a.accounts == ["G"])
        assert g.evidence["revenue_change"] == pytest.approx(400 / 90 - 1)
        assert all(a.accounts != ["G"] for a in found["buys_nothing"])

    def test_the_threshold_decides(self, alerts) -> None:
        # A and G creep exactly 10 points: above 9.9, not above 10.
        assert len(alerts(CREEP, thresholds=DiscountThresholds(creep_points=9.9))) == 3
        assert alerts(CREEP, thresholds=DiscountThresholds(creep_points=10)) == []

    def test_without_a_positive_prior_level_the_message_quotes_levels(self, alerts) -> None:
        # Credit notes only: prior -90 at 10%, last -100 at 20%; no relative change exists.
        lines = ("2024-01,N,intrinsic,-90,-100,-10,,", "2024-04,N,intrinsic,-100,-125,-25,,")
        nothing = by_rule(alerts(lines, thresholds=DiscountThresholds()))["buys_nothing"][0]
        assert nothing.message_key == "discounts.alert.buys_nothing_levels"
        assert nothing.evidence["revenue_change"] is None
        assert nothing.message() == (
            "N: discount rate up +10.0 points while monthly net revenue did not grow "
            "(-90 to -100): the extra discount bought nothing."
        )

    def test_a_period_without_rows_has_no_alerts(self, alerts) -> None:
        future = Period(start=date(2030, 1, 1))
        assert alerts(CREEP, future, thresholds=DiscountThresholds()) == []


class TestCorridor:
    def test_outlier_with_its_peer_percentile(self, alerts) -> None:
        [outlier] = alerts(CORRIDOR, thresholds=ONE_BAND)
        assert (outlier.rule, outlier.severity, outlier.accounts) == ("corridor", "watch", ["E"])
        assert outlier.evidence["rate"] == pytest.approx(0.2)
        assert outlier.evidence["peer_p90"] == pytest.approx(0.077)
        assert outlier.evidence["excess_points"] == pytest.approx(12.3)
        assert (outlier.evidence["peers"], outlier.evidence["band"]) == (4, 1)

    def test_quantile_bands_and_top_change_the_outcome(self, alerts) -> None:
        median = DiscountThresholds(revenue_bands=1, peer_quantile=0.5)
        found = alerts(CORRIDOR, thresholds=median)
        assert [a.accounts[0] for a in found] == ["E", "D"]  # by excess: 13.5, then 1.5 points
        assert found[1].evidence["excess_points"] == pytest.approx(1.5)
        assert "peer 50th percentile of 6.5%" in found[1].message("en")
        assert alerts(CORRIDOR, thresholds=median, corridor_top=1)[0].accounts == ["E"]
        assert alerts(CORRIDOR, thresholds=DiscountThresholds()) == []  # quintiles of one


class TestMessages:
    def test_english(self, alerts) -> None:
        found = alerts(CREEP, thresholds=DiscountThresholds())
        assert found[0].message("en") == (
            "A: discount rate up +10.0 points while monthly revenue changed -11.1%: "
            "the extra discount bought nothing."
        )
        assert found[1].message("en") == (
            "A: discount rate up +10.0 points (10.0% to 20.0%) over the last 3 months against "
            "the 3 before (threshold 2.0 points)."
        )

    def test_chinese(self, alerts) -> None:
        found = alerts(CREEP, thresholds=DiscountThresholds())
        assert found[0].message("zh") == (
            "A：折扣率上升 +10.0 个百分点，月均收入却变动 -11.1%：多给的折扣没有换来增长。"
        )
        assert found[1].message("zh") == (
            "A：近 3 个月的折扣率较前 3 个月上升 +10.0 个百分点（10.0% 升至 20.0%），"
            "阈值 2.0 个百分点。"
        )

    def test_corridor_in_both_languages(self, alerts) -> None:
        """The segment code is named in the reader's language, not as stored."""
        [outlier] = alerts(CORRIDOR, thresholds=ONE_BAND)
        assert outlier.params["segment"] == "intrinsic"
        assert outlier.message("en") == (
            "E (Intrinsic): discount rate 20.0%, above the peer 90th percentile of 7.7% in its "
            "segment and revenue band."
        )
        assert outlier.message("zh") == (
            "E（内在价值）：折扣率 20.0%，高于同一细分市场、同一收入档位客户的第 90 百分位 7.7%。"
        )

    def test_both_languages_have_the_same_keys_and_placeholders(self) -> None:
        texts = []
        for language in ("en", "zh"):
            with (_LOCALE_DIR / f"discounts.{language}.toml").open("rb") as handle:
                texts.append(_flatten(tomllib.load(handle)))
        english, chinese = texts
        assert english.keys() == chinese.keys()
        fields = string.Formatter()
        for key, text in english.items():
            assert {f for _, f, _, _ in fields.parse(text) if f} == {
                f for _, f, _, _ in fields.parse(chinese[key]) if f
            }, key


class TestSettings:
    def test_defaults_come_from_settings(self, alerts, monkeypatch) -> None:
        assert Settings().discounts == DiscountThresholds()
        monkeypatch.setenv("KEYSTONE_DISCOUNTS__CREEP_POINTS", "10")
        assert Settings().discounts.creep_points == 10
        assert alerts(CREEP) == []
        monkeypatch.setenv("KEYSTONE_DISCOUNTS__CREEP_POINTS", "9.9")
        assert len(alerts(CREEP)) == 3

    def test_settings_are_strict(self, monkeypatch) -> None:
        monkeypatch.setenv("KEYSTONE_DISCOUNTS__PEER_QUANTILE", "1.5")
        with pytest.raises(ValidationError, match="less than 1"):
            Settings()
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            Settings(discounts={"creep": 2})

    @pytest.mark.parametrize(
        "modules", [("core.settings", "core.discounts_alerts"), ("core.discounts_alerts",)]
    )
    def test_no_import_cycle(self, modules: tuple[str, ...]) -> None:
        code = "; ".join(f"import {name}" for name in modules)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
        )
        assert done.returncode == 0, done.stderr


class TestDemo:
    def test_planted_creep_accounts_raise_creep_and_buys_nothing(self, demo) -> None:
        found = by_rule(discount_alerts(demo, ALL, DiscountThresholds()))
        planted = set(PLANTED["discount_creep"])
        assert {a.accounts[0] for a in found["creep"]} == planted
        assert {a.accounts[0] for a in found["buys_nothing"]} == planted
        assert all(a.evidence["slope"] > 0 for a in found["creep"])

    def test_corridor_alerts_are_the_largest_excesses(self, demo) -> None:
        corridor = by_rule(discount_alerts(demo, ALL, DiscountThresholds()))["corridor"]
        excess = [a.evidence["excess_points"] for a in corridor]
        assert 0 < len(corridor) <= 10 and excess == sorted(excess, reverse=True)
        assert all(a.evidence["rate"] > a.evidence["peer_p90"] for a in corridor)
