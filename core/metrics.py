"""Portfolio figures for a period, computed in DuckDB over the active stored rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.sql import fetch_all, fetch_one, frame


class Period(BaseModel):
    """An inclusive range of months; open ends mean all stored history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date | None = None
    """First month (first day), or None for the earliest."""
    end: date | None = None
    """Last month (first day), or None for the latest."""

    @classmethod
    def from_text(cls, start: str | None, end: str | None) -> Period:
        """From 'YYYY-MM' strings, as the command line takes them."""

        def parse(text: str | None) -> date | None:
            if not text:
                return None
            try:
                year, month = (int(part) for part in text.split("-"))
                return date(year, month, 1)
            except ValueError as exc:
                raise ValueError(f"'{text}' is not a month in the form YYYY-MM") from exc

        return cls(start=parse(start), end=parse(end))

    def params(self) -> dict[str, date | None]:
        return {"start": self.start, "end": self.end}


PERIOD_FILTER = "($start IS NULL OR month >= $start) AND ($end IS NULL OR month <= $end)"
"""SQL condition selecting the period's months; bind with Period.params()."""


class PortfolioMetrics(BaseModel):
    """The headline figures of `keystone metrics`; later issues add fields, never rename."""

    model_config = ConfigDict(extra="forbid")

    months: list[str]
    """YYYY-MM of every month holding data in the period."""
    accounts: int
    """Accounts with positive net revenue in the period."""
    net_revenue: float
    gross_profit: float | None
    """None when no row in the period carries cost or gross profit."""
    discount_rate: float | None
    """Σ discount / Σ list over rows with list data; None without list data."""
    rows: int
    """Stored rows in the period."""
    negative_accounts: int
    """Accounts with zero or negative net revenue in the period, reported apart."""
    sources: list[str]


def portfolio_metrics(con: duckdb.DuckDBPyConnection, period: Period) -> PortfolioMetrics:
    """Headline figures for the period."""
    months, sources, rows, net, gross, has_cost, discount, listed = fetch_one(
        con,
        f"""SELECT list(DISTINCT strftime(month, '%Y-%m')), list(DISTINCT source), count(*),
                  coalesce(sum(net_revenue), 0), sum(gross_profit), count(gross_profit) > 0,
                  sum(discount_amount) FILTER (WHERE list_revenue IS NOT NULL),
                  sum(list_revenue)
           FROM active_rows WHERE {PERIOD_FILTER}""",
        period.params(),
    )
    positive, other = fetch_one(
        con,
        f"""SELECT count(*) FILTER (WHERE net > 0), count(*) FILTER (WHERE net <= 0)
            FROM (SELECT account_key, sum(net_revenue) AS net FROM active_rows
                  WHERE {PERIOD_FILTER} GROUP BY account_key)""",
        period.params(),
    )
    return PortfolioMetrics(
        months=sorted(months or []),
        accounts=int(positive),
        net_revenue=round(float(net), 2),
        gross_profit=round(float(gross), 2) if has_cost else None,
        discount_rate=(float(discount) / float(listed)) if listed else None,
        rows=int(rows),
        negative_accounts=int(other),
        sources=sorted(sources or []),
    )


def revenue_by_month(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Net revenue, gross profit and active accounts per month and source."""
    return frame(
        con,
        f"""SELECT month, source, sum(net_revenue) AS net_revenue,
                   sum(gross_profit) AS gross_profit,
                   count(DISTINCT account_key) FILTER (WHERE net_revenue > 0) AS accounts
            FROM active_rows WHERE {PERIOD_FILTER}
            GROUP BY month, source ORDER BY month, source""",
        period.params(),
    )


def stored_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Every month with active data, ascending."""
    return [
        row[0] for row in fetch_all(con, "SELECT DISTINCT month FROM active_rows ORDER BY month")
    ]


def sources_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Where the stored data came from: per source, its files, months, rows and revenue."""
    return frame(
        con,
        """SELECT m.source,
                  count(DISTINCT m.upload_id) AS files,
                  count(DISTINCT m.month) AS months,
                  min(m.month) AS first_month,
                  max(m.month) AS last_month,
                  (SELECT count(*) FROM active_rows AS a WHERE a.source = m.source) AS rows,
                  (SELECT sum(net_revenue) FROM active_rows AS a WHERE a.source = m.source)
                      AS net_revenue
           FROM upload_months AS m WHERE m.active GROUP BY m.source ORDER BY m.source""",
    )


def period_currency(con: duckdb.DuckDBPyConnection, period: Period) -> str | None:
    """The currency code most of the period's revenue is in; None when no row carries one."""
    rows = fetch_all(
        con,
        f"""SELECT upper(trim(currency)) AS code FROM active_rows
            WHERE {PERIOD_FILTER} AND nullif(trim(currency), '') IS NOT NULL
            GROUP BY code ORDER BY sum(abs(net_revenue)) DESC, code LIMIT 1""",
        period.params(),
    )
    return rows[0][0] if rows else None
