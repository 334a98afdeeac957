"""Key people: who covers which buying role at each account, how recently, and how well.

Accounts come from the active contacts files (view `active_contacts`) and the period's key
accounts, the top ceil(20% · n) by net revenue exactly as core.concentration ranks them. Every
figure is computed in DuckDB. Recency is counted up to the "as of" date: the last day of the
selected period (see `as_of_date`), so an older period is judged as it stood then.

Coverage score (0–100): Σ over the five buying roles of weight × credit, with weights
economic buyer 30, technical buyer 25, coach 20, user buyer 15, gatekeeper 10 (domain.md §7:
the economic buyer can veto, the technical buyer can say no, the coach wants us to win).
A role's credit is 1 when someone in it was contacted within `recency_days` of the as-of date,
0.5 when it is named but not contacted that recently (or never), and 0 when nobody holds it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Final

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from core.concentration_sql import RANKED_SQL, Scope, units_sql
from core.metrics import Period
from core.reference_fields import BUYING_ROLES
from core.sql import fetch_all, fetch_one, frame

ROLE_WEIGHTS: Final[dict[str, float]] = {
    "economic_buyer": 30.0,
    "technical_buyer": 25.0,
    "coach": 20.0,
    "user_buyer": 15.0,
    "gatekeeper": 10.0,
}
"""Points each buying role adds to the coverage score when covered and recent; they sum to 100."""
STALE_CREDIT: Final = 0.5
"""Share of a role's points when its people were not contacted within the recency window."""
STANCE_ORDER: Final = ("champion", "supporter", "neutral", "detractor")


class PeopleThresholds(BaseModel):
    """When a key-people alert fires; defaults follow issue 7."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recency_days: int = Field(
        default=90, gt=0, description="A contact older than this many days is not recent."
    )
    key_min_coverage: float = Field(
        default=60.0, ge=0, le=100, description="A key account below this coverage score."
    )
    detractor_influence: int = Field(
        default=4, ge=1, le=5, description="A detractor with at least this influence (1–5)."
    )


class PeopleSummary(BaseModel):
    """The portfolio's relationship coverage for one period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: date
    """The day recency is counted to: the last day of the period."""
    contacts: int
    """Distinct people (account, name) in the active contacts files."""
    accounts_with_contacts: int
    single_threaded_accounts: int
    """Accounts with exactly one named person."""
    key_accounts: int
    """ceil(20% · n) accounts with the most net revenue in the period."""
    key_accounts_uncovered: int
    """Key accounts with nobody named."""
    key_revenue: float
    key_revenue_at_risk: float
    """Net revenue of key accounts that are single-threaded or have nobody named."""
    key_revenue_at_risk_share: float | None
    """key_revenue_at_risk / key_revenue; None without contacts or key accounts."""
    mean_key_coverage: float | None
    """Average coverage score of the key accounts."""


def as_of_date(con: duckdb.DuckDBPyConnection, period: Period) -> date:
    """The last day of the period's end month; of the latest stored month when open-ended."""
    end = period.end
    if end is None:
        end = fetch_one(con, "SELECT max(month) FROM active_rows")[0]
    if end is None:
        return date.today()
    return end.replace(day=calendar.monthrange(end.year, end.month)[1])


def has_contacts(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database holds an active contacts file."""
    found = fetch_all(con, "SELECT 1 FROM duckdb_views() WHERE view_name = 'active_contacts'")
    return bool(found) and bool(fetch_one(con, "SELECT count(*) FROM active_contacts")[0])


def _weights_sql() -> str:
    rows = ", ".join(
        f"('{role}', {weight}::DOUBLE, {i})"
        for i, (role, weight) in enumerate(ROLE_WEIGHTS.items())
    )
    return f"SELECT * FROM (VALUES {rows}) AS w(buying_role, weight, role_order)"


def _base_sql(period: Period) -> tuple[str, dict[str, object]]:
    """`WITH … people, roles, per_account, universe` for the period (see the module docstring)."""
    head, params = Scope.scan(period).head({"current": period})
    sql = f"""{head},
        units AS ({units_sql("account")}),
        ranked AS ({RANKED_SQL}),
        weights AS ({_weights_sql()}),
        people AS (
            SELECT account_id, contact_name, title, buying_role, style, influence, stance,
                   last_contact, owner, account_name AS listed_name,
                   -- greatest() skips NULLs: a missing date must stay missing, not 0 days.
                   CASE WHEN last_contact IS NOT NULL
                        THEN greatest(date_diff('day', last_contact, $as_of::DATE), 0) END AS days
            FROM active_contacts
        ),
        roles AS (
            SELECT account_id, buying_role, count(DISTINCT contact_name) AS people,
                   min(days) AS days, max(last_contact) AS last_contact,
                   string_agg(DISTINCT contact_name, ' / ' ORDER BY contact_name) AS names,
                   arg_max(stance, (coalesce(influence, 0),
                                    coalesce(last_contact, DATE '1900-01-01'), contact_name))
                       AS stance,
                   max(influence) AS influence,
                   (CASE WHEN min(days) <= $recent THEN 1 ELSE {STALE_CREDIT} END)::DOUBLE AS credit
            FROM people GROUP BY account_id, buying_role
        ),
        per_account AS (
            SELECT p.account_id, count(DISTINCT p.contact_name) AS contacts,
                   max(p.last_contact) AS last_contact, min(p.days) AS days_since_contact,
                   bool_or(p.buying_role = 'economic_buyer') AS has_economic_buyer,
                   bool_or(p.buying_role = 'coach') AS has_coach,
                   bool_or(p.buying_role = 'technical_buyer') AS has_technical_buyer,
                   min(p.days) FILTER (WHERE p.buying_role = 'technical_buyer') AS technical_days,
                   count(DISTINCT p.contact_name) FILTER (
                       WHERE p.stance = 'detractor' AND p.influence >= $influence
                   ) AS strong_detractors,
                   list(DISTINCT p.contact_name ORDER BY p.contact_name) FILTER (
                       WHERE p.stance = 'detractor' AND p.influence >= $influence
                   ) AS detractor_names,
                   max(p.listed_name) AS listed_name
            FROM people AS p GROUP BY p.account_id
        ),
        scores AS (
            SELECT r.account_id, count(*) AS roles_filled, sum(w.weight * r.credit) AS coverage
            FROM roles AS r JOIN weights AS w USING (buying_role) GROUP BY r.account_id
        ),
        key_accounts AS (SELECT key, rank FROM ranked WHERE rank <= (n + 4) // 5),
        universe AS (
            SELECT account_id AS key FROM per_account
            UNION SELECT key FROM key_accounts
        )"""
    return sql, params


def _params(con: duckdb.DuckDBPyConnection, period: Period, thresholds: PeopleThresholds) -> dict:
    return {
        "as_of": as_of_date(con, period),
        "recent": thresholds.recency_days,
        "influence": thresholds.detractor_influence,
    }


ACCOUNT_SQL: Final = """
    SELECT u.key AS account_id,
           coalesce(m.account_name, un.name, pa.listed_name, u.key) AS name,
           coalesce(un.net_revenue, 0) AS net_revenue,
           k.rank IS NOT NULL AS is_key, k.rank AS key_rank, m.segment,
           coalesce(pa.contacts, 0) AS contacts,
           coalesce(pa.contacts, 0) = 1 AS single_threaded,
           coalesce(s.roles_filled, 0) AS roles_filled,
           coalesce(s.coverage, 0) AS coverage,
           pa.last_contact, pa.days_since_contact,
           coalesce(pa.has_economic_buyer, false) AS has_economic_buyer,
           coalesce(pa.has_technical_buyer, false) AS has_technical_buyer,
           coalesce(pa.has_coach, false) AS has_coach,
           pa.technical_days,
           coalesce(pa.strong_detractors, 0) AS strong_detractors,
           pa.detractor_names
    FROM universe AS u
    LEFT JOIN per_account AS pa ON pa.account_id = u.key
    LEFT JOIN scores AS s ON s.account_id = u.key
    LEFT JOIN key_accounts AS k ON k.key = u.key
    LEFT JOIN units AS un ON un.key = u.key
    LEFT JOIN account_master AS m ON m.account_id = u.key"""
"""One row per account of the universe, after `_base_sql`."""


def account_coverage(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: PeopleThresholds
) -> pd.DataFrame:
    """Per account with contacts, and per key account: its people and coverage.

    Columns: account_id, name, net_revenue, is_key, key_rank, segment, contacts (distinct
    people), single_threaded, roles_filled (of 5), coverage (0–100), last_contact,
    days_since_contact, has_economic_buyer, has_technical_buyer, has_coach, technical_days
    (days since the technical buyer was contacted), strong_detractors, detractor_names.
    Empty when no contacts file is stored. Key accounts first by rank, then by revenue.
    """
    if not has_contacts(con):
        return pd.DataFrame(columns=[c.strip() for c in _ACCOUNT_COLUMNS])
    head, params = _base_sql(period)
    return frame(
        con,
        f"""{head} SELECT * FROM ({ACCOUNT_SQL})
            ORDER BY is_key DESC, key_rank, net_revenue DESC, account_id""",
        {**params, **_params(con, period, thresholds)},
    )


_ACCOUNT_COLUMNS: Final = (
    "account_id name net_revenue is_key key_rank segment contacts single_threaded roles_filled "
    "coverage last_contact days_since_contact has_economic_buyer has_technical_buyer has_coach "
    "technical_days strong_detractors detractor_names"
).split()


def role_coverage(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: PeopleThresholds,
    key_only: bool = True,
) -> pd.DataFrame:
    """Per account × buying role (all five, in ROLE_WEIGHTS order): who, stance, recency.

    Columns: account_id, name, net_revenue, key_rank, buying_role, people (0 when nobody),
    names, stance (of the role's most influential person, then most recent), influence,
    last_contact, days, recent (contacted within the window), credit (0, 0.5 or 1).
    """
    if not has_contacts(con):
        return pd.DataFrame(columns=_ROLE_COLUMNS)
    head, params = _base_sql(period)
    return frame(
        con,
        f"""{head}, accounts_shown AS ({ACCOUNT_SQL})
            SELECT a.account_id, a.name, a.net_revenue, a.key_rank, w.buying_role,
                   coalesce(r.people, 0) AS people, r.names, r.stance, r.influence,
                   r.last_contact, r.days, coalesce(r.days <= $recent, false) AS recent,
                   coalesce(r.credit, 0.0) AS credit
            FROM accounts_shown AS a CROSS JOIN weights AS w
            LEFT JOIN roles AS r ON r.account_id = a.account_id AND r.buying_role = w.buying_role
            WHERE a.is_key OR NOT $key_only
            ORDER BY a.is_key DESC, a.key_rank, a.net_revenue DESC, a.account_id, w.role_order""",
        {**params, **_params(con, period, thresholds), "key_only": key_only},
    )


_ROLE_COLUMNS: Final = (
    "account_id name net_revenue key_rank buying_role people names stance influence "
    "last_contact days recent credit"
).split()


def account_contacts(con: duckdb.DuckDBPyConnection, account_id: str, as_of: date) -> pd.DataFrame:
    """The people of one account, by role order then influence.

    Columns: contact_name, title, buying_role, style, influence, stance, last_contact, days,
    owner, source.
    """
    if not has_contacts(con):
        return pd.DataFrame(columns=_CONTACT_COLUMNS)
    return frame(
        con,
        f"""WITH weights AS ({_weights_sql()})
            SELECT c.contact_name, c.title, c.buying_role, c.style, c.influence, c.stance,
                   c.last_contact, CASE WHEN c.last_contact IS NOT NULL
                       THEN greatest(date_diff('day', c.last_contact, $as_of::DATE), 0) END
                       AS days, c.owner, c.source
            FROM active_contacts AS c JOIN weights AS w USING (buying_role)
            WHERE c.account_id = $account
            ORDER BY w.role_order, c.influence DESC NULLS LAST, c.contact_name""",
        {"account": account_id, "as_of": as_of},
    )


_CONTACT_COLUMNS: Final = (
    "contact_name title buying_role style influence stance last_contact days owner source"
).split()


def people_summary(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: PeopleThresholds
) -> PeopleSummary:
    """Portfolio figures: single-threaded accounts and the key revenue at risk."""
    as_of = as_of_date(con, period)
    if not has_contacts(con):
        return PeopleSummary(
            as_of=as_of,
            contacts=0,
            accounts_with_contacts=0,
            single_threaded_accounts=0,
            key_accounts=0,
            key_accounts_uncovered=0,
            key_revenue=0.0,
            key_revenue_at_risk=0.0,
            key_revenue_at_risk_share=None,
            mean_key_coverage=None,
        )
    head, params = _base_sql(period)
    row = fetch_one(
        con,
        f"""{head}, a AS ({ACCOUNT_SQL})
            SELECT (SELECT count(*) FROM (SELECT DISTINCT account_id, contact_name FROM people)),
                   count(*) FILTER (WHERE contacts > 0),
                   count(*) FILTER (WHERE single_threaded),
                   count(*) FILTER (WHERE is_key),
                   count(*) FILTER (WHERE is_key AND contacts = 0),
                   coalesce(sum(net_revenue) FILTER (WHERE is_key), 0),
                   coalesce(sum(net_revenue) FILTER (WHERE is_key AND contacts <= 1), 0),
                   avg(coverage) FILTER (WHERE is_key)
            FROM a""",
        {**params, **_params(con, period, thresholds)},
    )
    contacts, with_contacts, single, keys, uncovered, key_revenue, at_risk, mean = row
    return PeopleSummary(
        as_of=as_of,
        contacts=contacts,
        accounts_with_contacts=with_contacts,
        single_threaded_accounts=single,
        key_accounts=keys,
        key_accounts_uncovered=uncovered,
        key_revenue=float(key_revenue),
        key_revenue_at_risk=float(at_risk),
        key_revenue_at_risk_share=float(at_risk) / float(key_revenue) if key_revenue else None,
        mean_key_coverage=float(mean) if mean is not None else None,
    )


def role_order() -> tuple[str, ...]:
    """The buying roles in display order: by weight, the economic buyer first."""
    return tuple(sorted(BUYING_ROLES, key=lambda role: -ROLE_WEIGHTS[role]))
