"""The value scorecard as one DuckDB query over several named periods (domain.md §6).

Layers: `raw` (per period × account: the indicators' values) → `indicators` (the scored
periods' accounts with positive net revenue, growth against each one's base period) → `long`
(one row per account × indicator) → `scored` (percentiles, effective weights, contributions)
→ `cards` (one row per account, score, rank and tier). Only fixed names from this module are
formatted into the SQL; every date and weight is bound.
"""

from __future__ import annotations

from typing import Final

from core.concentration_sql import period_buckets
from core.discounts_sql import LISTED
from core.metrics import Period
from core.scorecard_weights import HIGHER_IS_BETTER, INDICATORS, ScorecardWeights
from core.segments_sql import ACCOUNT_NAME_SQL, account_segments_sql

NEUTRAL: Final = 50.0
"""The percentile of an account missing an indicator that other accounts of its period have."""

TIER_CUTS: Final[tuple[tuple[str, float], ...]] = (
    ("platinum", 0.2),
    ("gold", 0.5),
    ("iron", 0.8),
    ("lead", 1.0),
)
"""Tier of rank r among n (1 = best): the first whose ⌈cut · n⌉ ≥ r."""

TIERS: Final[tuple[str, ...]] = tuple(name for name, _ in TIER_CUTS)

_RAW = f"""
    SELECT b.bucket, r.account_key AS account, {ACCOUNT_NAME_SQL} AS name,
           sum(net_revenue) AS revenue,
           sum(gross_profit) AS gross_profit,
           sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) AS costed_net,
           CASE WHEN sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) > 0
                THEN sum(gross_profit)
                     / sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) END AS margin,
           (sum(discount_amount) FILTER (WHERE {LISTED})
            + sum(coalesce(off_invoice, 0)) FILTER (WHERE {LISTED}))
               / nullif(sum(list_revenue) FILTER (WHERE {LISTED}), 0) AS discount,
           nullif(count(DISTINCT product), 0)::DOUBLE AS breadth
    FROM active_rows AS r JOIN buckets AS b
      ON (b.b_start IS NULL OR r.month >= b.b_start) AND (b.b_end IS NULL OR r.month <= b.b_end)
    GROUP BY b.bucket, r.account_key"""
"""Per period × account: revenue, gross profit and the revenue of rows with cost; margin
(gross profit over the revenue of rows with cost, NULL unless that is positive); discount
(concession degree over rows with list data); breadth (distinct products, NULL when no row
names one)."""


_DIRECTION = (
    "CASE indicator "
    + " ".join(f"WHEN '{name}' THEN {1 if HIGHER_IS_BETTER[name] else -1}" for name in INDICATORS)
    + " END"
)
"""+1 when a higher value scores higher, −1 when lower does (discount)."""


def _wide(column: str, suffix: str) -> str:
    return ", ".join(
        f"any_value({column}) FILTER (WHERE indicator = '{name}') AS {name}{suffix}"
        for name in INDICATORS
    )


def _tier_case() -> str:
    cases = " ".join(f"WHEN rank <= ceil({cut} * n) THEN '{name}'" for name, cut in TIER_CUTS)
    return f"CASE {cases} END"


def scorecard_sql(
    periods: dict[str, Period], scored: tuple[str, ...], bases: dict[str, str]
) -> tuple[str, dict[str, object]]:
    """The query scoring the `scored` periods; `bases` maps a scored period to the period its
    growth is measured against (a period without a base has no growth for anyone).

    Columns: bucket, account, name, segment, the five values, {indicator}_pct (0–100, NULL
    when the indicator is missing for the whole period), {indicator}_weight (effective),
    {indicator}_points (contribution), gross_profit, costed_net (revenue of rows with cost),
    score, rank (1 = best, ties share), n and tier.
    """
    buckets, params = period_buckets(periods)
    links = ", ".join(f"('{name}', '{base}')" for name, base in bases.items())
    links_sql = (
        f"SELECT * FROM (VALUES {links}) AS l(bucket, base)"
        if links
        else "SELECT NULL::VARCHAR AS bucket, NULL::VARCHAR AS base WHERE false"
    )
    weights = ", ".join(f"('{name}', $w_{name})" for name in INDICATORS)
    names = ", ".join(f"'{name}'" for name in scored)
    sql = f"""
    WITH buckets AS ({buckets}),
    links AS ({links_sql}),
    weights AS (SELECT * FROM (VALUES {weights}) AS w(indicator, weight)),
    account_segments AS ({account_segments_sql()}),
    raw AS ({_RAW}),
    indicators AS (
        SELECT c.bucket, c.account, c.name, c.revenue, c.margin,
               CASE WHEN p.revenue > 0 THEN c.revenue / p.revenue - 1 END AS growth,
               c.discount, c.breadth, c.gross_profit, c.costed_net
        FROM raw AS c
        LEFT JOIN links AS l ON l.bucket = c.bucket
        LEFT JOIN raw AS p ON p.bucket = l.base AND p.account = c.account
        WHERE c.bucket IN ({names}) AND c.revenue > 0
    ),
    long AS (
        SELECT bucket, account, indicator, value
        FROM indicators UNPIVOT INCLUDE NULLS (value FOR indicator IN ({", ".join(INDICATORS)}))
    ),
    ranked AS (
        SELECT *, {_DIRECTION} * value AS key,
               count(value) OVER (PARTITION BY bucket, indicator) AS present
        FROM long
    ),
    percentiles AS (
        -- Mid-rank percentile: tied values share the mean of the ranks they span.
        SELECT *,
               CASE WHEN present = 0 THEN NULL
                    WHEN value IS NULL OR present = 1 THEN {NEUTRAL}
                    ELSE 100 * ((rank() OVER (PARTITION BY bucket, indicator ORDER BY key) - 1)
                                + (count(*) OVER (PARTITION BY bucket, indicator, key) - 1) / 2)
                         / (present - 1)
               END AS pct
        FROM ranked
    ),
    weighted AS (
        SELECT p.*,
               CASE WHEN p.present > 0
                    THEN w.weight * 100 / nullif(sum(w.weight) FILTER (WHERE p.present > 0)
                                             OVER (PARTITION BY p.bucket, p.account), 0)
                    ELSE 0 END AS eff_weight
        FROM percentiles AS p JOIN weights AS w USING (indicator)
    ),
    contributions AS (
        SELECT *, coalesce(eff_weight, 0) * coalesce(pct, 0) / 100 AS points FROM weighted
    ),
    wide AS (
        SELECT bucket, account, {_wide("value", "")}, {_wide("pct", "_pct")},
               {_wide("coalesce(eff_weight, 0)", "_weight")}, {_wide("points", "_points")},
               sum(points) AS score
        FROM contributions GROUP BY bucket, account
    ),
    cards AS (
        SELECT w.*, i.name, s.segment, i.gross_profit, i.costed_net,
               rank() OVER (PARTITION BY w.bucket ORDER BY round(w.score, 9) DESC) AS rank,
               count(*) OVER (PARTITION BY w.bucket) AS n
        FROM wide AS w JOIN indicators AS i USING (bucket, account)
        JOIN account_segments AS s ON s.account_key = w.account
    )
    SELECT bucket, account, name, segment, {", ".join(INDICATORS)},
           {", ".join(f"{name}_pct" for name in INDICATORS)},
           {", ".join(f"{name}_weight" for name in INDICATORS)},
           {", ".join(f"{name}_points" for name in INDICATORS)},
           gross_profit, costed_net, score, rank, n, {_tier_case()} AS tier
    FROM cards
    ORDER BY bucket, rank, revenue DESC, account"""
    return sql, params


def weight_params(weights: ScorecardWeights) -> dict[str, float]:
    """The $w_<indicator> parameters of scorecard_sql."""
    return {f"w_{name}": weight for name, weight in weights.as_dict().items()}
