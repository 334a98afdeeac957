"""The value scorecard as one DuckDB query over several named periods (domain.md §6).

Layers: `raw` (per period × account, from core.segments_base sums: the indicators' values) →
`indicators` (the scored periods' accounts with positive net revenue, growth against each
one's base period) → `mid_ranks` (one window over one row per account × indicator) →
`percentiles`, effective weights and contributions → `scores` → `ranks` → `cards` (one row
per account, score, rank and tier). Only fixed names from this module are formatted into the
SQL; every date and weight is bound."""

from __future__ import annotations

from typing import Final

from core.scorecard_weights import HIGHER_IS_BETTER, INDICATORS, ScorecardWeights
from core.segments_base import ACCOUNTS_VIEW

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

_RAW = """
    SELECT bucket, account_key AS account,
           net_revenue AS revenue,
           gross_profit,
           costed_net,
           CASE WHEN costed_net > 0 THEN gross_profit / costed_net END AS margin,
           (discount_amount + off_invoice) / nullif(list_revenue, 0) AS discount,
           nullif(products, 0)::DOUBLE AS breadth
    FROM ({sums})"""
"""Per period × account, from core.segments_base sums: revenue, gross profit and the revenue of
rows with cost; margin (gross profit over the revenue of rows with cost, NULL unless that is
positive); discount (concession degree over rows with list data); breadth (distinct products,
NULL when no row names one)."""


KEY_DIGITS: Final = 9
"""Values are ranked rounded to this many decimals, so that equal figures whose float sums
differ in the last digits (parallel sums do) tie as they should."""


def _each(template: str, joiner: str = ", ") -> str:
    """`template` filled with {name} (an indicator), {i} (its position), {key} (its rounded
    value, signed so that higher scores higher) and {w} (its weight parameter), joined over the
    indicators."""
    return joiner.join(
        template.format(
            name=name,
            i=index,
            key=f"{'' if HIGHER_IS_BETTER[name] else '-'}round({name}, {KEY_DIGITS})",
            w=f"$w_{name}",
        )
        for index, name in enumerate(INDICATORS)
    )


_PRESENT = _each("count({name}) OVER (PARTITION BY bucket) AS {name}_n")
"""How many accounts of the period have each indicator."""

_LONG = _each(
    "SELECT id, period_no * 8 + {i} AS part, {key} AS key FROM indicators WHERE {name} IS NOT NULL",
    " UNION ALL ",
)
"""One row per scored account (id) and indicator it has, with its rounded, signed ranking key;
`part` numbers the period × indicator (integers partition faster than names)."""

_MID_RANKS = f"""
    SELECT id, part % 8 AS indicator,
           -- peers share rank(); count(*) over the default frame counts the values <= key.
           (rank() OVER w - 1) + (count(*) OVER w - rank() OVER w) / 2 AS mid_rank
    FROM ({_LONG})
    WINDOW w AS (PARTITION BY part ORDER BY key)"""
"""Each present value's mid-rank from 0: the accounts strictly below it plus half of the others
tied with it, so tied values share the mean of the ranks they span. One window over narrow
rows ranks every period × indicator side by side, rather than one after another."""

_RANKS_WIDE = _each("any_value(mid_rank) FILTER (WHERE indicator = {i}) AS {name}_rank")

_PERCENTILE = f"""
    CASE WHEN {{name}}_n = 0 THEN NULL
         WHEN {{name}} IS NULL OR {{name}}_n = 1 THEN {NEUTRAL}
         ELSE 100 * {{name}}_rank / ({{name}}_n - 1)
    END AS {{name}}_pct"""
_PERCENTILES = _each(_PERCENTILE)
"""Mid-rank percentiles, 0–100 within the period."""

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


def scorecard_sql(sums: str, scored: tuple[str, ...], bases: dict[str, str]) -> str:
    """The query scoring the `scored` periods of `sums` (a core.segments_base sums body whose
    buckets are the periods' names, run while the base is in view); `bases` maps a scored
    period to the period its growth is measured against (a period without a base has no growth
    for anyone).

    Columns: bucket, account, name, segment, the five values, {indicator}_pct (0–100, NULL
    when the indicator is missing for the whole period), {indicator}_weight (effective),
    {indicator}_points (contribution), gross_profit, costed_net (revenue of rows with cost),
    score, rank (1 = best, ties share), n and tier; then, for the 'current' bucket's accounts
    scored in 'compare' too, prior_score, prior_tier, score_change, {indicator}_change (the
    contribution's change) and driver (the indicator whose contribution moved most; ties go
    to the first in display order). 'current' rows come first.
    """
    links = ", ".join(f"('{name}', '{base}')" for name, base in bases.items())
    links_sql = (
        f"SELECT * FROM (VALUES {links}) AS l(bucket, base)"
        if links
        else "SELECT NULL::VARCHAR AS bucket, NULL::VARCHAR AS base WHERE false"
    )
    names = ", ".join(f"'{name}'" for name in scored)
    sql = f"""
    WITH links AS ({links_sql}),
    raw AS MATERIALIZED ({_RAW.replace("{sums}", sums)}),
    indicators AS MATERIALIZED (
        SELECT row_number() OVER () AS id, list_position([{names}], c.bucket) AS period_no,
               c.bucket, c.account, c.revenue, c.margin,
               CASE WHEN p.revenue > 0 THEN c.revenue / p.revenue - 1 END AS growth,
               c.discount, c.breadth, c.gross_profit, c.costed_net
        FROM raw AS c
        LEFT JOIN links AS l ON l.bucket = c.bucket
        LEFT JOIN raw AS p ON p.bucket = l.base AND p.account = c.account
        WHERE c.bucket IN ({names}) AND c.revenue > 0
    ),
    mid_ranks AS (SELECT id, {_RANKS_WIDE} FROM ({_MID_RANKS}) GROUP BY id),
    present AS (
        SELECT i.*, {_PRESENT}
        FROM indicators AS i
    ),
    percentiles AS (
        SELECT p.*, {_PERCENTILES}, {_AVAILABLE} AS available
        FROM present AS p LEFT JOIN mid_ranks AS m USING (id)
    ),
    weighted AS (SELECT *, {_WEIGHTS} FROM percentiles),
    wide AS (SELECT *, {_POINTS} FROM weighted),
    -- Every scored account has revenue, so n (accounts scored) is revenue_n.
    scores AS MATERIALIZED (SELECT *, {_SCORE} AS score, revenue_n AS n FROM wide),
    ranks AS MATERIALIZED (
        -- Ranked over narrow rows: a window carries every column of its input.
        SELECT id, rank() OVER (PARTITION BY period_no ORDER BY key DESC) AS rank
        FROM (SELECT id, period_no, round(score, 9) AS key FROM scores)
    ),
    cards AS MATERIALIZED (
        SELECT bucket, account, s.name, s.segment, {", ".join(INDICATORS)},
               {_each("{name}_pct")}, {_each("{name}_weight")}, {_each("{name}_points")},
               gross_profit, costed_net, score, rank, n, {_tier_case()} AS tier
        FROM scores AS c JOIN ranks AS r USING (id)
        JOIN {ACCOUNTS_VIEW} AS s ON s.account_key = c.account
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
    return sql


def weight_params(weights: ScorecardWeights) -> dict[str, float]:
    """The $w_<indicator> parameters of scorecard_sql."""
    return {f"w_{name}": weight for name, weight in weights.as_dict().items()}
