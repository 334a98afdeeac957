"""The segment keys `keystone metrics` adds: the mix, the pyramid tiers and the revenue bridge."""

from __future__ import annotations

import duckdb

from core.bridge import BRIDGE_PARTS, prior_bridge
from core.metrics import Period
from core.scorecard import ScorecardWeights, scorecard
from core.scorecard_tiers import tier_summary
from core.segments import segment_mix


def _rounded(value: object, digits: int) -> float | None:
    """A float rounded for JSON; None for NULL and NaN."""
    if value is None or value != value:  # NaN is not equal to itself
        return None
    return round(float(value), digits)  # type: ignore[arg-type]


def segment_metrics(
    con: duckdb.DuckDBPyConnection, period: Period, weights: ScorecardWeights | None = None
) -> dict[str, object]:
    """`segments`, `tiers` and `bridge` for the period, as plain JSON-ready values.

    - segments: [{segment, accounts, net_revenue, share, gross_profit, margin}] in display
      order; share is of the period's net revenue, gross_profit and margin None without cost.
    - tiers: [{tier, accounts, net_revenue}] for platinum, gold, iron and lead, scored with
      `weights` (default: the settings).
    - bridge: {start, new, expansion, contraction, lost, end} from the same-length period just
      before; None when stored history does not cover that period. Amounts are exact to
      1/10,000, so start + new + expansion − contraction − lost = end.
    """
    mix = segment_mix(con, period)
    tiers = tier_summary(con, scorecard(con, period, weights))
    bridge = prior_bridge(con, period)
    return {
        "segments": [
            {
                "segment": row.segment,
                "accounts": int(row.accounts),
                "net_revenue": _rounded(row.net_revenue, 2),
                "share": _rounded(row.revenue_share, 6),
                "gross_profit": _rounded(row.gross_profit, 2),
                "margin": _rounded(row.margin, 6),
            }
            for row in mix.itertuples()
        ],
        "tiers": [
            {
                "tier": row.tier,
                "accounts": int(row.accounts),
                "net_revenue": _rounded(row.net_revenue, 2),
            }
            for row in tiers.itertuples()
        ],
        "bridge": None
        if bridge is None
        else {part: _rounded(getattr(bridge.total, part), 4) for part in BRIDGE_PARTS},
    }
