"""The QBR pack: one self-contained HTML file that respects the scope and escapes every name."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from core.db import Database
from core.metrics import Period
from core.report import SECTIONS, ReportError, build_report, plotly_js, render_report
from core.scope import Aliases, Filters, Scope
from core.store import store_uploads
from tests.core.conftest import prepare

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
ACCOUNTS = [
    # id, name, group, owner, segment, monthly net revenue, months (1-based, 2025)
    ("A1", "Acme Industrial", "Acme Holdings", "Li Wei", "strategic", 500.0, range(1, 7)),
    ("A2", SCRIPT, None, "Wang Fang", "intrinsic", 300.0, range(1, 7)),
    ("A3", FORMULA, None, "Zhang Min", "extrinsic", 200.0, range(1, 7)),
    ("A4", "Beta Corp", None, "Li Wei", "other", 100.0, range(1, 4)),
]
"""By hand. Months 2025-01 to 2025-06; the period is 2025-04 – 2025-06, its prior 2025-01 – 03.
Period net revenue (500 + 300 + 200) · 3 = 3,000; prior (500 + 300 + 200 + 100) · 3 = 3,300,
so −9.1%. Beta Corp is lost. All-history revenue: A1 3,000, A2 1,800, A3 1,200, A4 300, so
the aliases are Account 001 … 004 in that order. List revenue is net / 0.9 (a 10% discount)
and cost 70% of net (30% margin) on every row."""
STORED_NAMES = ["Acme Industrial", "Acme Holdings", "Li Wei", "Wang Fang", "Zhang Min",
                "Beta Corp", SCRIPT, FORMULA]  # fmt: skip
PERIOD = Period(start=date(2025, 4, 1), end=date(2025, 6, 1))
STAMP = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def _csv() -> str:
    rows = []
    for key, name, group, owner, segment, net, months in ACCOUNTS:
        for month in months:
            rows.append(
                {
                    "month": f"2025-{month:02d}",
                    "account_id": key,
                    "account_name": name,
                    "parent_group": group,
                    "owner": owner,
                    "segment": segment,
                    "product": "P1",
                    "net_revenue": net,
                    "list_revenue": round(net / 0.9, 4),
                    "discount_amount": round(net / 0.9 - net, 4),
                    "cost": 0.7 * net,
                }
            )
    return pd.DataFrame(rows).to_csv(index=False)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(tmp_path_factory.mktemp("report") / "keystone.duckdb", lock_timeout_s=2)
    store_uploads(db, [prepare("sales.csv", _csv(), source="test")])
    return db


@pytest.fixture(scope="module")
def plain(stored: Database) -> str:
    return build_report(stored, PERIOD, "en", generated_at=STAMP)


@pytest.fixture(scope="module")
def anonymised(stored: Database) -> str:
    return build_report(stored, PERIOD, "en", Scope(anonymise=True), generated_at=STAMP)


def outside_plotly(document: str) -> str:
    """The document with the embedded plotly.js taken out."""
    assert document.count(plotly_js()) == 1
    return document.replace(plotly_js(), "")


def tile_value(document: str, label: str) -> str:
    found = re.search(
        rf'<div class="label">{re.escape(label)}</div><div class="value">([^<]*)</div>', document
    )
    assert found, label
    return found.group(1)


class TestSelfContained:
    def test_plotly_js_is_embedded_exactly_once(self, plain: str) -> None:
        assert len(plotly_js()) > 1_000_000
        assert plain.count(plotly_js()) == 1

    def test_no_network_reference(self, plain: str) -> None:
        rest = outside_plotly(plain)
        assert re.findall(r"<(?:script|link|img|iframe)\b[^>]*\bsrc\s*=", rest) == []
        assert "<link" not in rest and "@import" not in rest and "url(" not in rest
        # The only links are the table of contents' anchors within the page.
        hrefs = re.findall(r'href="([^"]*)"', rest)
        assert hrefs == [f"#{name}" for name in SECTIONS]

    def test_every_chart_is_drawn_by_the_embedded_plotly(self, plain: str) -> None:
        rest = outside_plotly(plain)
        charts = re.findall(r'<div class="chart" id="([^"]+)"', rest)
        assert "chart-bridge" in charts and "chart-pareto" in charts
        assert "chart-waterfall" in charts and "chart-whale" in charts
        assert rest.count("Plotly.newPlot(") == len(charts)
        assert rest.index("Plotly.newPlot(") > plain.index("</head>") - len(plotly_js())


class TestContent:
    def test_sections_in_order(self, plain: str) -> None:
        positions = [plain.index(f'<section id="{name}">') for name in SECTIONS]
        assert positions == sorted(positions)

    def test_title_period_timestamp_and_data_version(self, stored: Database, plain: str) -> None:
        assert "<title>QBR pack · 2025-04 – 2025-06</title>" in plain
        version = stored.data_version()
        assert version > 0
        assert f"Generated 2026-01-02 03:04 UTC · data version {version}" in plain

    def test_overview_tiles_against_the_prior_period(self, plain: str) -> None:
        """3,000 now against 3,300 before: −9.1%; gross margin 30% both times (0.0 pp)."""
        assert tile_value(plain, "Net revenue") == "3,000"
        assert "▼ -9.1% vs prior period" in plain
        assert tile_value(plain, "Gross margin %") == "30.0%"
        assert tile_value(plain, "Active accounts") == "3"
        assert tile_value(plain, "Discount rate") == "10.0%"

    def test_five_mistake_panels_and_strategy_cards(self, plain: str) -> None:
        assert len(re.findall(r'class="panel mistake" data-mistake="', plain)) == 5
        cards = re.findall(r'<div class="card" data-segment="([a-z]+)"', plain)
        assert cards[:4] == ["intrinsic", "extrinsic", "strategic", "other"]

    def test_segment_bridge_adds_up(self, plain: str) -> None:
        """Portfolio: start 3,300, lost 300 (Beta Corp), end 3,000."""
        row = re.search(r"<td[^>]*>Portfolio</td>((?:<td[^>]*>[^<]*</td>)+)", plain)
        assert row
        cells = re.findall(r">([^<]*)</td>", row.group(1))
        assert cells == ["3,300", "0", "0", "0", "-300", "3,000"]

    def test_no_stored_month_is_an_error(self, stored: Database) -> None:
        with pytest.raises(ReportError, match="No stored month falls in 2030-01 – 2030-02"):
            build_report(stored, Period(start=date(2030, 1, 1), end=date(2030, 2, 1)))


class TestEscaping:
    def test_a_script_name_renders_as_text(self, plain: str) -> None:
        assert SCRIPT not in plain
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in plain
        assert "<script>alert" not in outside_plotly(plain)

    def test_a_formula_name_is_text_too(self, plain: str) -> None:
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in plain

    def test_every_script_is_ours(self, plain: str) -> None:
        """plotly.js, then one drawing script per chart: nothing a name could have opened."""
        scripts = re.findall(r"<script>(.{0,18})", outside_plotly(plain))
        assert scripts[0] == "</script></head><b"
        assert all(text.startswith("(function(){var f=") for text in scripts[1:])


class TestAnonymise:
    def test_no_stored_name_appears_anywhere(self, anonymised: str) -> None:
        body = outside_plotly(anonymised)
        for name in STORED_NAMES:
            assert name not in body, name
            assert name.replace('"', "&quot;") not in body, name
        assert "&lt;script&gt;" not in body and "HYPERLINK" not in body

    def test_aliases_follow_all_history_revenue(self, anonymised: str) -> None:
        """Acme Industrial (3,000 over all history) is Account 001 and its group Group 01."""
        assert "Account 001" in anonymised and "Account 004" in anonymised
        assert "Names are anonymised" in anonymised

    def test_aliases_in_the_readers_language(self, stored: Database) -> None:
        scope = Scope(anonymise=True, aliases=Aliases(account="客户"))
        document = build_report(stored, PERIOD, "zh", scope)
        assert "客户 001" in document and "Acme Industrial" not in document

    def test_filter_values_are_not_shown_when_anonymised(self, stored: Database) -> None:
        scope = Scope(anonymise=True, filters=Filters(owners=("Li Wei", "Wang Fang")))
        document = build_report(stored, PERIOD, "en", scope)
        assert "Li Wei" not in document and "account managers: 2" in document


class TestIndex:
    def test_money_is_an_index_of_the_first_month(self, stored: Database) -> None:
        """2025-04 holds 1,000 of net revenue, so the period's 3,000 reads 300; the margin
        stays 30%."""
        scope = Scope(index_month=date(2025, 4, 1))
        document = build_report(stored, PERIOD, "en", scope)
        assert tile_value(document, "Net revenue") == "300"
        assert tile_value(document, "Gross margin %") == "30.0%"
        assert "net revenue in 2025-04 = 100" in document


class TestLanguages:
    def test_chinese(self, stored: Database) -> None:
        report = render_report(stored, PERIOD, "zh", generated_at=STAMP)
        assert report.html.startswith('<!DOCTYPE html><html lang="zh-CN">')
        assert "<title>QBR 汇报包 · 2025-04 – 2025-06</title>" in report.html
        for label in ("五大误区检查", "关键指标", "2 · 集中度", "5 · 策略卡片", "生成于"):
            assert label in report.html
        assert "Noto Sans CJK SC" in report.html
        assert report.sections == SECTIONS

    def test_english(self, plain: str) -> None:
        assert plain.startswith('<!DOCTYPE html><html lang="en">')
        assert "The five-mistakes check" in plain
