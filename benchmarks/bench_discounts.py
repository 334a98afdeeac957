"""The Discounts page's figures at 1M and 10M stored rows: Keystone's core, raw DuckDB SQL and
plain pandas on the same database, in one run.

"The page's figures" are, for the last 12 months: the portfolio and per-segment discount rate,
concession degree and coverage, the portfolio price waterfall, each account's discount creep
(with the discount that buys nothing) over the 6 months ending at the period's last month, and
the peer-corridor outliers. The creep table and the outliers are per-account lists with names
and segments, as the page shows them, in the core and in raw SQL alike (both name accounts from
the stored account directory); pandas only sums them. Every run of a case is a fresh
subprocess (so its peak RSS is its own); the cases take turns for --repeat rounds and each keeps
its best time. The parent prints times, ratios and peak memory, and checks that the three cases
agree on the headline figures.

The concentration benchmark's database has one segment and one flat discount rate, so this one
generates its own (same shape, 36 months, 20,000 accounts) into benchmarks/out/.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import _harness as harness

ROW_COUNTS = (1_000_000, 10_000_000)
ACCOUNTS = 20_000
MONTHS = 36
CURRENT = (date(2025, 11, 1), date(2026, 10, 1))
CREEP_WINDOWS = (date(2026, 5, 1), date(2026, 8, 1), date(2026, 10, 1))
"""First month, first month of the last 3, last month: the creep windows ending 2026-10."""
CREEP_POINTS, PEER_QUANTILE, BANDS, MIN_PEERS = 2.0, 0.9, 5, 4

GENERATE = """
INSERT INTO facts (upload_id, line, month, account_id, account_name, account_key, segment,
                   currency, product, quantity, net_revenue, list_revenue, discount_amount,
                   off_invoice, cost, gross_profit)
SELECT m + 1, i, month, key, 'Customer ' || a, key, segment, 'CNY', 'P' || (i % 9), 1,
       list - discount, list, discount, off, round((list - discount) * 0.62, 2),
       list - discount - round((list - discount) * 0.62, 2)
FROM (
    SELECT *, round(list * rate, 2) AS discount, round(list * 0.01 * (a % 4), 2) AS off
    FROM (
        SELECT i, m, (DATE '2023-11-01' + to_months(m))::DATE AS month, a,
               'C' || lpad(a::VARCHAR, 6, '0') AS key,
               CASE WHEN a % 10 < 2 THEN 'intrinsic' WHEN a % 10 < 5 THEN 'extrinsic'
                    ELSE 'other' END AS segment,
               round(2200000 / (a + 3) * (0.5 + (hash(i) % 1000) / 1000.0), 2) AS list,
               0.03 + (a % 13) / 100.0 + (hash(i + 7) % 100) / 4000.0
                   + CASE WHEN a % 400 = 7 AND m >= 27 THEN (m - 26) * 0.008 ELSE 0 END AS rate
        FROM (SELECT i, (i * {months} // {rows}) AS m,
                     (i * 7919 + (i // {accounts})) % {accounts} AS a
              FROM range({rows}) AS r(i))
    )
)
"""
"""Rows in month order; rates vary by account and row, and 1 account in 400 creeps late on."""


def make_database(rows: int) -> Path:
    """A Keystone database with `rows` stored rows over 36 months, generated once."""
    return harness.make_database(
        "discounts", rows, GENERATE.format(rows=rows, months=MONTHS, accounts=ACCOUNTS), MONTHS
    )


def _finite(values) -> float:
    """Sum of the non-null values of an iterable (NULL and NaN skipped)."""
    return float(sum(v for v in values if v is not None and v == v))


# ---------------------------------------------------------------------------------------------
# (a) Keystone's core


def run_core(con) -> dict:
    from core.discounts import (
        DiscountThresholds,
        buys_nothing,
        corridor_outliers,
        discount_creep,
        discount_rates,
        price_waterfall,
    )
    from core.discounts_base import discount_base
    from core.discounts_creep import creep_end_month
    from core.metrics import Period

    period = Period(start=CURRENT[0], end=CURRENT[1])
    thresholds = DiscountThresholds()
    # As the page does: the period's account × month table once, every figure from it.
    base = discount_base(con, period)
    portfolio = discount_rates(con, period, "portfolio", base).iloc[0]
    segments = discount_rates(con, period, "segment", base)
    fall = price_waterfall(con, period, base=base)
    creep = discount_creep(con, creep_end_month(con, period, base), base)
    nothing = buys_nothing(creep, thresholds.creep_points)
    outliers = corridor_outliers(con, period, thresholds, base)
    return {
        "net_revenue": portfolio["net_revenue"],
        "discount_rate": portfolio["discount_rate"],
        "concession_degree": portfolio["concession_degree"],
        "coverage": portfolio["coverage"],
        "segments": len(segments),
        "segment_rates": _finite(segments["discount_rate"]),
        "segment_degrees": _finite(segments["concession_degree"]),
        "wf_discount": fall.on_invoice_discount,
        "wf_off_invoice": fall.off_invoice,
        "wf_gross_profit": fall.gross_profit,
        "creep_accounts": int(creep["points"].notna().sum()),
        "creep_points": _finite(creep["points"]),
        "creep_slopes": _finite(creep["slope"]),
        "creep_over": int((creep["points"] > thresholds.creep_points).sum()),
        "buys_nothing": len(nothing),
        "corridor": len(outliers),
        "corridor_excess": _finite(outliers["excess_points"]),
    }


# ---------------------------------------------------------------------------------------------
# (b) Hand-written DuckDB SQL

RAW_CORRIDOR = """
WITH a AS (SELECT account_key, segment, sum(net_revenue) AS net,
                  sum(discount_amount) / nullif(sum(list_revenue), 0) AS rate
           FROM active_rows WHERE month BETWEEN $cs AND $ce GROUP BY account_key, segment),
b AS (SELECT *, ntile($bands) OVER (PARTITION BY segment ORDER BY net, account_key) AS band
      FROM a WHERE net > 0 AND rate IS NOT NULL),
r AS (SELECT *, row_number() OVER (PARTITION BY segment, band ORDER BY rate) - 1 AS j FROM b),
s AS (SELECT segment, band, count(*) AS m, list(rate ORDER BY rate) AS v,
             floor($q * (count(*) - 2))::INT AS lo FROM b GROUP BY ALL),
-- The peers' quantile leaves the account's own position j out of the band's sorted rates,
-- so it is v[lo] or v[lo + 1] blended with the next one: three values per band.
k AS (SELECT segment, band, m, lo, $q * (m - 2) - lo AS f, v[lo + 1] AS va, v[lo + 2] AS vb,
             v[lo + 3] AS vc
      FROM s WHERE m - 1 >= $min_peers),
z AS (SELECT r.account_key, r.segment, r.band, r.net, r.rate, k.f,
             CASE WHEN r.j > k.lo THEN k.va ELSE k.vb END AS v0,
             CASE WHEN r.j > k.lo + 1 THEN k.vb ELSE k.vc END AS v1
      FROM r JOIN k USING (segment, band)),
p AS (SELECT *, v0 + f * (coalesce(v1, v0) - v0) AS p90 FROM z)
SELECT account_key, d.account_name, p.segment, band, net, rate, p90, 100 * (rate - p90) AS excess
FROM p LEFT JOIN account_directory AS d USING (account_key)
WHERE rate > p90 ORDER BY excess DESC, account_key"""

RAW_CREEP = """
WITH w AS (SELECT account_key, month, month >= $split AS recent, sum(net_revenue) AS net,
                  sum(discount_amount) AS disc, sum(list_revenue) AS lst
           FROM active_rows WHERE month BETWEEN $first AND $last GROUP BY ALL),
st AS (SELECT count(*) FILTER (WHERE recent) AS ml, count(*) FILTER (WHERE NOT recent) AS mp
       FROM (SELECT DISTINCT month, recent FROM w)),
a AS (SELECT account_key,
             100 * (sum(disc) FILTER (WHERE recent) / nullif(sum(lst) FILTER (WHERE recent), 0)
                    - sum(disc) FILTER (WHERE NOT recent)
                      / nullif(sum(lst) FILTER (WHERE NOT recent), 0)) AS points,
             coalesce(sum(net) FILTER (WHERE NOT recent), 0) AS np,
             coalesce(sum(net) FILTER (WHERE recent), 0) AS nl,
             CASE WHEN count(disc / nullif(lst, 0)) >= 2
                  THEN regr_slope(100 * disc / nullif(lst, 0), datediff('month', $first, month))
             END AS slope
      FROM w GROUP BY account_key)
SELECT account_key, d.account_name, d.segment, points, slope, np / st.mp AS monthly_prior,
       nl / st.ml AS monthly_last, CASE WHEN np > 0 THEN (nl / st.ml) / (np / st.mp) - 1 END
           AS revenue_change,
       points > $creep AND nl / st.ml <= np / st.mp AS buys_nothing
FROM a CROSS JOIN st LEFT JOIN account_directory AS d USING (account_key)
ORDER BY points DESC NULLS LAST, account_key"""


def run_raw(con) -> dict:
    import pyarrow.compute as pc

    from core.sql import arrow, fetch_all

    period = {"cs": CURRENT[0], "ce": CURRENT[1]}
    rates = fetch_all(
        con,
        """SELECT segment, sum(net_revenue), sum(discount_amount) / sum(list_revenue),
                  (sum(discount_amount) + sum(off_invoice)) / sum(list_revenue),
                  sum(abs(net_revenue)) FILTER (WHERE list_revenue IS NOT NULL)
                      / sum(abs(net_revenue)),
                  sum(discount_amount), sum(off_invoice), sum(list_revenue) - sum(discount_amount)
                      - sum(off_invoice) - sum(cost)
           FROM active_rows WHERE month BETWEEN $cs AND $ce
           GROUP BY GROUPING SETS ((), (segment)) ORDER BY segment NULLS FIRST""",
        period,
    )
    portfolio, segments = rates[0], rates[1:]
    first, split, last = CREEP_WINDOWS
    # The page lists accounts by name and segment, so the creep table and the outliers are
    # fetched whole, as the core's are, naming accounts from the stored account directory
    # as the core does; the headline figures are then summed over them.
    creep = arrow(
        con, RAW_CREEP, {"first": first, "split": split, "last": last, "creep": CREEP_POINTS}
    )
    outliers = arrow(
        con,
        RAW_CORRIDOR,
        {**period, "bands": BANDS, "q": PEER_QUANTILE, "min_peers": MIN_PEERS},
    )
    over = pc.greater(creep["points"], CREEP_POINTS)
    return {
        "net_revenue": portfolio[1],
        "discount_rate": portfolio[2],
        "concession_degree": portfolio[3],
        "coverage": portfolio[4],
        "segments": len(segments),
        "segment_rates": _finite(row[2] for row in segments),
        "segment_degrees": _finite(row[3] for row in segments),
        "wf_discount": portfolio[5],
        "wf_off_invoice": portfolio[6],
        "wf_gross_profit": portfolio[7],
        "creep_accounts": pc.count(creep["points"]).as_py(),
        "creep_points": pc.sum(creep["points"]).as_py() or 0.0,
        "creep_slopes": pc.sum(creep["slope"]).as_py() or 0.0,
        "creep_over": pc.sum(over).as_py() or 0,
        "buys_nothing": pc.sum(creep["buys_nothing"]).as_py() or 0,
        "corridor": outliers.num_rows,
        "corridor_excess": pc.sum(outliers["excess"]).as_py() or 0.0,
    }


# ---------------------------------------------------------------------------------------------
# (c) Plain pandas


def _ntile(position, size, buckets: int):
    """DuckDB's ntile for 0-based positions in partitions of `size` rows."""
    import numpy as np

    base, extra = size // buckets, size % buckets
    big = extra * (base + 1)
    return np.where(
        position < big,
        position // (base + 1) + 1,
        extra + (position - big) // np.maximum(base, 1) + 1,
    )


def _peer_quantile(rates, q: float):
    """Per element of a sorted array: quantile q (linear) of the others."""
    import numpy as np

    m = len(rates)
    j = np.arange(m)
    h = q * (m - 2)
    lo = int(np.floor(h))
    f = h - lo
    v0 = rates[np.where(lo < j, lo, lo + 1)]
    v1 = rates[np.minimum(np.where(lo + 1 < j, lo + 1, lo + 2), m - 1)]
    return v0 + f * (v1 - v0)


def run_pandas(con) -> dict:
    import numpy as np
    import pandas as pd

    rows = (
        con.sql("""SELECT month, account_key, segment, net_revenue, list_revenue,
                          discount_amount, off_invoice, cost FROM active_rows""")
        .to_arrow_table()
        .to_pandas(date_as_object=False)
    )
    current = rows[rows["month"].between(pd.Timestamp(CURRENT[0]), pd.Timestamp(CURRENT[1]))]
    sums = ["net_revenue", "list_revenue", "discount_amount", "off_invoice", "cost"]
    total = current[sums].sum()
    by_segment = current.groupby("segment")[sums].sum()
    listed = current["list_revenue"].notna()
    coverage = current.loc[listed, "net_revenue"].abs().sum() / current["net_revenue"].abs().sum()

    first, split, last = (pd.Timestamp(day) for day in CREEP_WINDOWS)
    window = rows[rows["month"].between(first, last)]
    monthly = window.groupby(["account_key", "month"], as_index=False)[
        ["net_revenue", "list_revenue", "discount_amount"]
    ].sum()
    monthly["recent"] = monthly["month"] >= split
    stored = monthly.drop_duplicates("month")["recent"].value_counts()
    per = monthly.pivot_table(
        index="account_key",
        columns="recent",
        values=["net_revenue", "list_revenue", "discount_amount"],
        aggfunc="sum",
    )
    rate = per["discount_amount"] / per["list_revenue"].replace(0, np.nan)
    points = 100 * (rate[True] - rate[False])
    net_prior = per["net_revenue"][False].fillna(0) / stored[False]
    net_last = per["net_revenue"][True].fillna(0) / stored[True]
    monthly["t"] = (
        (monthly["month"].dt.year - first.year) * 12 + monthly["month"].dt.month - (first.month)
    )
    monthly["r"] = 100 * monthly["discount_amount"] / monthly["list_revenue"].replace(0, np.nan)
    fit = monthly.dropna(subset=["r"]).assign(
        tr=lambda d: d["t"] * d["r"], tt=lambda d: d["t"] ** 2
    )
    s = fit.groupby("account_key")[["t", "r", "tr", "tt"]].agg(["sum", "count"])
    n = s[("t", "count")]
    sxx = s[("tt", "sum")] - s[("t", "sum")] ** 2 / n
    slope = (s[("tr", "sum")] - s[("t", "sum")] * s[("r", "sum")] / n) / sxx.replace(0, np.nan)
    slope = slope[n >= 2]
    rising = points > CREEP_POINTS

    accounts = current.groupby("account_key").agg(
        segment=("segment", "last"),
        net=("net_revenue", "sum"),
        disc=("discount_amount", "sum"),
        lst=("list_revenue", "sum"),
    )
    accounts["rate"] = accounts["disc"] / accounts["lst"].replace(0, np.nan)
    banded = accounts[(accounts["net"] > 0) & accounts["rate"].notna()].reset_index()
    banded = banded.sort_values(["segment", "net", "account_key"])
    position = banded.groupby("segment").cumcount().to_numpy()
    size = banded.groupby("segment")["net"].transform("size").to_numpy()
    banded["band"] = _ntile(position, size, BANDS)
    excess = []
    for _, band in banded.groupby(["segment", "band"]):
        if len(band) - 1 < MIN_PEERS:
            continue
        sorted_rates = np.sort(band["rate"].to_numpy())
        peer = _peer_quantile(sorted_rates, PEER_QUANTILE)
        excess.extend(100 * (sorted_rates - peer)[sorted_rates > peer])
    return {
        "net_revenue": total["net_revenue"],
        "discount_rate": total["discount_amount"] / total["list_revenue"],
        "concession_degree": (total["discount_amount"] + total["off_invoice"])
        / total["list_revenue"],
        "coverage": coverage,
        "segments": len(by_segment),
        "segment_rates": float((by_segment["discount_amount"] / by_segment["list_revenue"]).sum()),
        "segment_degrees": float(
            (
                (by_segment["discount_amount"] + by_segment["off_invoice"])
                / by_segment["list_revenue"]
            ).sum()
        ),
        "wf_discount": total["discount_amount"],
        "wf_off_invoice": total["off_invoice"],
        "wf_gross_profit": total["list_revenue"]
        - total["discount_amount"]
        - total["off_invoice"]
        - total["cost"],
        "creep_accounts": int(points.notna().sum()),
        "creep_points": float(points.sum()),
        "creep_slopes": float(slope.sum()),
        "creep_over": int(rising.sum()),
        "buys_nothing": int((rising & (net_last <= net_prior)).sum()),
        "corridor": len(excess),
        "corridor_excess": float(sum(excess)),
    }


CASES = {"core": run_core, "raw_sql": run_raw, "pandas": run_pandas}


def main() -> None:
    harness.main(
        __file__,
        __doc__,
        CASES,
        make_database,
        ROW_COUNTS,
        preload=("numpy", "pandas", "pyarrow.compute", "core.discounts", "core.sql"),
    )


if __name__ == "__main__":
    main()
