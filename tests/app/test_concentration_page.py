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

import base64
import re
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database

PAGE = "app_pages/concentration.py"
TOP_N_KEY = "conc_stress_top_2025-11-01_2026-01-01_account"
ACCOUNTS_KEY = "conc_stress_accounts_2025-11-01_2026-01-01"
MEMBERS_KEY = "conc_members_group"
SHARES = [2700 / 4420, 1450 / 4420, 270 / 4420]
HHI = sum((100 * share) ** 2 for share in SHARES)

OpenApp = Callable[..., AppTest]


def captions(at: AppTest) -> str:
    """Every caption, with markdown escapes removed."""
    return " ".join(re.sub(r"\\(.)", r"\1", caption.value) for caption in at.caption)


def figure(chart) -> go.Figure:
    """A plotly_chart element's figure."""
    return plotly.io.from_json(chart.proto.spec)


def values(array: object) -> list:
    """A trace's array, decoded when plotly sent it as typed binary data."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)  # type: ignore[call-overload]


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def stress_table(at: AppTest):
    frames = [
        frame.value
        for frame in at.dataframe
        if "Before" in frame.value.columns or "移除前" in frame.value.columns
    ]
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

    def test_group_level_and_flagged_groups(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        at.segmented_control(key="conc_by").set_value("group").run()
        assert not at.exception
        assert tiles(at)["Pareto point"] == "2 / 3", "lone accounts are their own groups"
        options = at.selectbox(key=MEMBERS_KEY).options
        assert "⚠️ Acme Ltd · 61.1% · 1 accounts" in options
        assert "⚠️ Beta Co · 32.8% · 1 accounts" in options
        assert "*Gamma* <b>Inc</b> · 6.1% · 1 accounts" in options, "names stay text"

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
        assert list(accounts["Name"]) == ["Acme Ltd", "Beta Co", "*Gamma* <b>Inc</b>", "Delta GmbH"]
        assert accounts["Share"].iloc[0] == pytest.approx(SHARES[0])

    def test_chinese(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE, query={"lang": "zh"})
        at.switch_page(PAGE).run()
        assert at.title[0].value == "客户集中度与依赖风险"
        shown = tiles(at)
        assert shown["前五大占比"] == "100.0%" and shown["帕累托点"] == "2 / 3"
        assert shown["基尼系数"] == "0.367"
        assert "高（反垄断类比：美国并购指南）" in captions(at)
        assert captions(at).count("较去年同期：无可比数据") == 8
        at.segmented_control(key="conc_grain").set_value("quarter").run()
        trend = next(
            chart
            for chart in map(figure, at.get("plotly_chart"))
            if "按季度" in chart.layout.title.text
        )
        assert list(trend.data[0].customdata)[0] == "2025年第4季度（仅存储 2/3 个月）"
        at.number_input(key=TOP_N_KEY).set_value(1).run()
        assert stress_table(at).loc["净收入", "移除后"] == "1,620"


HISTORY_CSV = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2025-01,A1,Acme Ltd,600,0,600,400
2025-01,A2,Beta Co,400,0,400,300
"""
"""2025-01 added to the portfolio, so 2026-01 has both comparisons. By hand:
2026-01: A2 950 alone (A4 −100 apart): HHI 10,000, Gini 0, net revenue 850.
Prior, 2025-12: A1 1,800, A3 270: HHI 3,312,900 / 2,070² · 10⁴ = 7,731.6, Gini 1,530 / 4,140
= 0.370, net revenue 2,070. Last year, 2025-01: A1 600, A2 400: HHI 5,200, Gini 0.1, net 1,000."""

GROUPS_CSV = """Month,Account ID,Account Name,Parent Group,Net Revenue
2026-01,A1,Acme Ltd,Acme Holdings,600
2026-01,A2,Acme Trading,Acme Holdings,200
2026-01,B1,Beta Co,,150
2026-01,C1,<b>Gamma</b>,Small Group,30
2026-01,C2,Gamma Two,Small Group,20
"""
"""Total 1,000: Acme Holdings 80% and Beta Co (no group) 15% are flagged, Small Group 5% is not;
Gamma is 30 of Small Group's 50 (60%) and 3% of the total."""


def metric(at: AppTest, label: str):
    return next(element for element in at.metric if element.label == label)


def shown_in(at: AppTest, only_month: str) -> AppTest:
    at.selectbox(key="period_from").set_value(only_month)
    at.selectbox(key="period_to").set_value("2026-01").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


class TestComparisons:
    @pytest.fixture
    def history(self, make_database: Callable[..., Database], portfolio_csv: str) -> Database:
        return make_database({"portfolio.csv": portfolio_csv + HISTORY_CSV.split("\n", 1)[1]})

    def test_prior_period_and_last_year_show_at_once(
        self, history: Database, open_app: OpenApp
    ) -> None:
        at = shown_in(open_app(PAGE), "2026-01")
        hhi = metric(at, "HHI")
        assert hhi.delta == "+2,268" and hhi.proto.delta_description == "vs prior period"
        assert hhi.proto.color == hhi.proto.MetricColor.RED, "more concentration reads red"
        assert metric(at, "Gini").delta == "-0.370"
        assert metric(at, "Net revenue").delta == "-58.9%"
        text = captions(at)
        assert "vs same period last year: :red[↑ +4,800]" in text
        assert "vs same period last year: :green[↓ -0.100]" in text
        assert "vs same period last year: :red[↓ -15.0%]" in text
        assert "vs same period last year: :gray[+0.0 pp]" in text
        assert "prior period (2025-12)" in text and "same period last year (2025-01)" in text
        assert "conc_compare" not in [control.key for control in at.segmented_control]

    def test_a_partly_stored_window_is_no_comparison(
        self, history: Database, open_app: OpenApp
    ) -> None:
        """2025-12 – 2026-01 against 2025-10 – 2025-11 and 2024-12 – 2025-01: one month of
        each is missing, so a change would compare unlike spans."""
        at = shown_in(open_app(PAGE), "2025-12")
        assert all(element.delta in (None, "") for element in at.metric)
        text = captions(at)
        assert text.count("vs prior period: no comparison") == 8
        assert text.count("vs same period last year: no comparison") == 8

    def test_no_history_before_means_no_comparison(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert all(element.delta in (None, "") for element in at.metric)
        assert captions(at).count("vs same period last year: no comparison") == 8
        assert "not fully in stored history" in captions(at)


class TestTrendGrain:
    def test_quarters_with_partial_ones_marked(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        """2025 Q4 (November, December): A1 2,700, A2 500, A3 270; 2026 Q1: A2 alone."""
        at = open_app(PAGE)
        at.segmented_control(key="conc_grain").set_value("quarter").run()
        assert not at.exception
        trend = next(
            chart
            for chart in map(figure, at.get("plotly_chart"))
            if "by quarter" in chart.layout.title.text
        )
        hhi = trend.data[0]
        q4 = (2700**2 + 500**2 + 270**2) / 3470**2 * 1e4
        assert values(hhi.y) == pytest.approx([q4, 10_000])
        assert list(hhi.customdata) == [
            "2025 Q4 (only 2 of 3 months stored)",
            "2026 Q1 (only 1 of 3 months stored)",
        ]
        assert trend.layout.xaxis.ticktext == ("2025 Q4*", "2026 Q1*")

    def test_months_by_default(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        trend = next(
            chart
            for chart in map(figure, at.get("plotly_chart"))
            if "by month" in chart.layout.title.text
        )
        assert list(trend.data[0].customdata) == ["2025-11", "2025-12", "2026-01"]


class TestGroupMembers:
    @pytest.fixture
    def grouped(self, make_database: Callable[..., Database]) -> Database:
        return make_database({"groups.csv": GROUPS_CSV})

    def members(self, at: AppTest):
        return next(
            frame.value for frame in at.dataframe if "Share of group" in frame.value.columns
        )

    def test_a_flagged_group_opens_first(self, grouped: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        picker = at.selectbox(key=MEMBERS_KEY)
        assert picker.value == "Acme Holdings"
        assert picker.options == [
            "⚠️ Acme Holdings · 80.0% · 2 accounts",
            "⚠️ Beta Co · 15.0% · 1 accounts",
            "Small Group · 5.0% · 2 accounts",
        ]
        members = self.members(at)
        assert list(members["Name"]) == ["Acme Ltd", "Acme Trading"]
        assert list(members["Share of group"]) == pytest.approx([0.75, 0.25])

    def test_any_group_lists_its_members(self, grouped: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        at.selectbox(key=MEMBERS_KEY).set_value("Small Group").run()
        members = self.members(at)
        assert list(members["Name"]) == ["<b>Gamma</b>", "Gamma Two"], "names stay text"
        assert list(members["Net revenue"]) == pytest.approx([30, 20])
        assert list(members["Share"]) == pytest.approx([0.03, 0.02])
        assert list(members["Share of group"]) == pytest.approx([0.6, 0.4])
