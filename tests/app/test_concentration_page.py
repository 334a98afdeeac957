"""The Concentration page on the hand-worked portfolio (tests/app/conftest.py).

Period: the stored 2025-11 … 2026-01. Positive accounts A1 2,700, A2 1,450, A3 270 (total
4,420); A4 at −100 is apart. Shares 61.09%, 32.81%, 6.11%, so:
top-5 = 100%; top-20% = ceil(0.6) = 1 account = 61.1%; Pareto k = 2 of 3;
HHI = 61.086² + 32.805² + 6.109² = 4,845; effective accounts 10,000 / 4,845 = 2.1;
Gini = ((−2)·270 + 0·1,450 + 2·2,700) / (3 · 4,420) = 0.367.
Gross profit by account: A1 900, A2 350, A3 −30, A4 −20 (total 1,200), so the whale curve
peaks at 1,250 / 1,200 = 104.2% and 2 of 4 accounts destroy 50.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database

PAGE = "app_pages/concentration.py"
TOP_N_KEY = "conc_stress_top_2025-11-01_2026-01-01_account"
ACCOUNTS_KEY = "conc_stress_accounts_2025-11-01_2026-01-01"
SHARES = [2700 / 4420, 1450 / 4420, 270 / 4420]
HHI = sum((100 * share) ** 2 for share in SHARES)

OpenApp = Callable[..., AppTest]


def captions(at: AppTest) -> str:
    """Every caption, with markdown escapes removed."""
    return " ".join(re.sub(r"\\(.)", r"\1", caption.value) for caption in at.caption)


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def stress_table(at: AppTest):
    frames = [frame.value for frame in at.dataframe if "Before" in frame.value.columns
              or "移除前" in frame.value.columns]
    assert len(frames) == 1
    return frames[0].set_index(frames[0].columns[0])


class TestFigures:
    def test_tiles_show_the_hand_worked_figures(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert at.title[0].value == "Concentration and dependency risk"
        assert tiles(at) == {
            "Top-5 share": "100.0%",
            "Top-20% share": "61.1%",
            "Pareto point": "2 / 3",
            "HHI": f"{HHI:,.0f}",
            "Effective accounts": f"{10_000 / HHI:,.1f}",
            "Gini": "0.367",
            "Accounts at ≤ 0": "1",
            "Net revenue": "4,320",
        }
        assert f"{HHI:,.0f}" == "4,845"
        assert "High (antitrust analogy: US merger guidelines)" in captions(at)
        assert "the largest 1 accounts" in captions(at)

    def test_no_history_before_means_no_deltas(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert all(metric.delta in (None, "") for metric in at.metric)

    def test_group_level_and_flagged_groups(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        at.segmented_control(key="conc_by").set_value("group").run()
        assert not at.exception
        assert tiles(at)["Pareto point"] == "2 / 3", "lone accounts are their own groups"
        labels = [expander.label for expander in at.expander]
        assert any(label.startswith("⚠️ Acme Ltd") for label in labels)
        assert any(label.startswith("⚠️ Beta Co") for label in labels)

    def test_alerts_carry_evidence_and_names_as_text(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert at.subheader[0].value == "Dependency alerts (4)"
        errors = " ".join(box.value for box in at.error)
        assert "Single-customer dependency" in errors and "Acme Ltd" in errors
        assert "High concentration (HHI)" in errors
        assert "Top-5 share" in " ".join(box.value for box in at.warning)
        raw = " ".join(caption.value for caption in at.caption)
        assert "threshold 10.0%" in captions(at)
        assert "\\<b\\>Inc" in raw and "<b>Inc" not in raw

    def test_whale_curve_and_note(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        note = captions(at)
        assert "104.2%" in note and "2 accounts (50.0%) lose money" in note
        assert "give back 50 of gross profit" in note


class TestStressTest:
    def test_removing_the_top_account_changes_the_result(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert "Pick accounts or groups" in at.info[0].value
        at.number_input(key=TOP_N_KEY).set_value(1).run()
        assert not at.exception
        table = stress_table(at)
        assert table.loc["Net revenue", "Before"] == "4,320"
        assert table.loc["Net revenue", "After"] == "1,620"
        assert table.loc["Net revenue", "Change"] == "-2,700 (-62.5%)"
        after = (1450 / 1720) ** 2 * 1e4 + (270 / 1720) ** 2 * 1e4
        assert table.loc["HHI", "After"] == f"{after:,.0f}"
        assert table.loc["Gross profit", "After"] == "300"
        assert table.loc["Pareto point", "After"] == "1 (50.0%)"

    def test_picking_an_account_by_name(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        at.multiselect(key=ACCOUNTS_KEY).set_value(["A2"]).run()
        table = stress_table(at)
        assert table.loc["Net revenue", "After"] == "2,870"
        assert "Removed 1 accounts carrying 1,450" in captions(at)


class TestTablesAndLanguage:
    def test_tables_and_csv_downloads(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        names = [frame.value for frame in at.dataframe if "Name" in frame.value.columns]
        accounts = next(frame for frame in names if len(frame) == 4)
        assert list(accounts["Name"]) == ["Acme Ltd", "Beta Co", "*Gamma* <b>Inc</b>",
                                          "Delta GmbH"]
        assert accounts["Share"].iloc[0] == pytest.approx(SHARES[0])

    def test_chinese(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE, query={"lang": "zh"})
        at.switch_page(PAGE).run()
        assert at.title[0].value == "客户集中度与依赖风险"
        shown = tiles(at)
        assert shown["前五大占比"] == "100.0%" and shown["帕累托点"] == "2 / 3"
        assert shown["基尼系数"] == "0.367"
        assert "高（反垄断类比：美国并购指南）" in captions(at)
        at.number_input(key=TOP_N_KEY).set_value(1).run()
        assert stress_table(at).loc["净收入", "移除后"] == "1,620"
