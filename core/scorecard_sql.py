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
from core.segments_sql import account_segments_sql

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
    SELECT b.bucket, r.account_key AS account,
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


KEY_DIGITS: Final = 9
"""Values are ranked rounded to this many decimals, so that equal figures whose float sums
differ in the last digits (parallel sums do) tie as they should."""


def _each(template: str, joiner: str = ", ") -> str:
    """`template` filled with {name} (an indicator), {key} (its rounded value, signed so that
    higher scores higher) and {w} (its weight parameter), joined over the indicators."""
    return joiner.join(
        template.format(
            name=name,
            key=f"{'' if HIGHER_IS_BETTER[name] else '-'}round({name}, {KEY_DIGITS})",
            w=f"$w_{name}",
        )
        for name in INDICATORS
    )


_PRESENT = _each("count({name}) OVER (PARTITION BY bucket) AS {name}_n")
"""How many accounts of the period have each indicator."""

_PERCENTILE = f"""
    CASE WHEN {{name}}_n = 0 THEN NULL
         WHEN {{name}} IS NULL OR {{name}}_n = 1 THEN {NEUTRAL}
         ELSE 100 * ((rank() OVER (PARTITION BY bucket ORDER BY {{key}}) - 1)
                     + (count(*) OVER (PARTITION BY bucket, {{key}}) - 1) / 2)
              / ({{name}}_n - 1)
    END AS {{name}}_pct"""
_PERCENTILES = _each(_PERCENTILE)
"""Mid-rank percentiles: tied values share the mean of the ranks they span (NULL keys sort
last, so they never move a present value's rank)."""

_AVAILABLE = _each("CASE WHEN {name}_n > 0 THEN {w} ELSE 0 END", " + ")
"""The weight of the indicators the period has."""

_WEIGHTS = _each(
    "CASE WHEN {name}_n > 0 AND available > 0 THEN {w} * 100 / available ELSE 0 END"
    " AS {name}_weight"
)
"""Effective weights: a missing indicator's weight shared out in proportion."""

_POINTS = _each("{name}_weight * coalesce({name}_pct, 0) / 100 AS {name}_points")
_SCORE = _each("{name}_points", " + ")


_DRIVER = " ".join(
    f"WHEN abs({name}_change) = greatest({_each('abs({name}_change)')}) THEN '{name}'"
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
    score, rank (1 = best, ties share), n and tier; then, for the 'current' bucket's accounts
    scored in 'compare' too, prior_score, prior_tier, score_change, {indicator}_change (the
    contribution's change) and driver (the indicator whose contribution moved most; ties go
    to the first in display order). 'current' rows come first.
    """
    buckets, params = period_buckets(periods)
    links = ", ".join(f"('{name}', '{base}')" for name, base in bases.items())
    links_sql = (
        f"SELECT * FROM (VALUES {links}) AS l(bucket, base)"
        if links
        else "SELECT NULL::VARCHAR AS bucket, NULL::VARCHAR AS base WHERE false"
    )
    names = ", ".join(f"'{name}'" for name in scored)
    sql = f"""
    WITH buckets AS ({buckets}),
    links AS ({links_sql}),
    account_segments AS ({account_segments_sql()}),
    raw AS MATERIALIZED ({_RAW}),
    indicators AS (
        SELECT c.bucket, c.account, c.revenue, c.margin,
               CASE WHEN p.revenue > 0 THEN c.revenue / p.revenue - 1 END AS growth,
               c.discount, c.breadth, c.gross_profit, c.costed_net
        FROM raw AS c
        LEFT JOIN links AS l ON l.bucket = c.bucket
        LEFT JOIN raw AS p ON p.bucket = l.base AND p.account = c.account
        WHERE c.bucket IN ({names}) AND c.revenue > 0
    ),
    present AS (SELECT *, {_PRESENT} FROM indicators),
    percentiles AS (SELECT *, {_PERCENTILES}, {_AVAILABLE} AS available FROM present),
    weighted AS (SELECT *, {_WEIGHTS} FROM percentiles),
    wide AS (SELECT *, {_POINTS} FROM weighted),
    scores AS (SELECT *, {_SCORE} AS score FROM wide),
    cards AS MATERIALIZED (
        SELECT bucket, account, s.name, s.segment, {", ".join(INDICATORS)},
               {_each("{name}_pct")}, {_each("{name}_weight")}, {_each("{name}_points")},
               gross_profit, costed_net, score, rank, n, {_tier_case()} AS tier
        FROM (
            SELECT *, rank() OVER (PARTITION BY bucket ORDER BY round(score, 9) DESC) AS rank,
                   count(*) OVER (PARTITION BY bucket) AS n
            FROM scores
        ) AS c JOIN account_segments AS s ON s.account_key = c.account
    ),
    changes AS (
        SELECT now.*, before.score AS prior_score, before.tier AS prior_tier,
               now.score - before.score AS score_change,
               {_each("now.{name}_points - before.{name}_points AS {name}_change")}
        FROM cards AS now
        LEFT JOIN cards AS before ON now.bucket = 'current' AND before.bucket = 'compare'
         AND before.account = now.account
    )
    SELECT *, CASE WHEN score_change IS NULL THEN NULL {_DRIVER} END AS driver
    FROM changes
    ORDER BY bucket DESC, rank, round(revenue, 4) DESC, account"""
    return sql, params


def weight_params(weights: ScorecardWeights) -> dict[str, float]:
    """The $w_<indicator> parameters of scorecard_sql."""
    return {f"w_{name}": weight for name, weight in weights.as_dict().items()}
