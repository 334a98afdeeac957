"""The Segments page's figures at 1M and 10M stored rows: Keystone's core, raw DuckDB SQL and
plain pandas on the same database, in one run (harness: benchmarks/_harness.py).

"The page's figures" are, for the last 12 months: the segment mix, its shift against the prior
period and the same period last year, the quarterly mix over all 36 months, the revenue bridge
from the prior period, the value scorecard of both periods (growth against each one's prior)
with its tiers, and the tier migration between them. The database (36 months, 20,000 accounts
in four segments plus unassigned ones, some accounts arriving or leaving part way) is generated
once into benchmarks/out/. The core and raw SQL both take each account's segment from the
stored account directory (core.directory, kept by every write); pandas derives it from the rows.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import _harness as harness

ROW_COUNTS = (1_000_000, 10_000_000)
ACCOUNTS = 20_000
MONTHS = 36
CURRENT = (date(2025, 11, 1), date(2026, 10, 1))
PRIOR = LAST_YEAR = (date(2024, 11, 1), date(2025, 10, 1))
BASE = (date(2023, 11, 1), date(2024, 10, 1))
"""The prior period's own prior, which its growth is measured against."""
WEIGHTS = {"revenue": 30, "margin": 25, "growth": 20, "discount": 15, "breadth": 10}
TIERS = (("platinum", 0.2), ("gold", 0.5), ("iron", 0.8), ("lead", 1.0))

GENERATE = """
INSERT INTO facts (upload_id, line, month, account_id, account_name, account_key, segment,
                   currency, product, quantity, net_revenue, list_revenue, discount_amount,
                   off_invoice, cost, gross_profit)
SELECT m + 1, i, month, key, 'Customer ' || a, key, segment, 'CNY', 'P' || (i % (3 + a % 7)),
       1, list - discount, list, discount, off, round((list - discount) * margin, 2),
       list - discount - round((list - discount) * margin, 2)
FROM (
    SELECT *, round(list * rate, 2) AS discount, round(list * 0.01 * (a % 4), 2) AS off
    FROM (
        SELECT i, m, (DATE '2023-11-01' + to_months(m))::DATE AS month, a,
               'C' || lpad(a::VARCHAR, 6, '0') AS key,
               CASE WHEN a % 10 < 2 THEN 'intrinsic' WHEN a % 10 < 4 THEN 'extrinsic'
                    WHEN a % 10 = 4 THEN 'strategic' WHEN a % 10 < 9 THEN 'other' END AS segment,
               round(2200000 / (a + 3) * (0.5 + (hash(i) % 1000) / 1000.0)
                     * (1 + (a % 5) * m / 100.0), 2) AS list,
               0.03 + (a % 13) / 100.0 + (hash(i + 7) % 100) / 4000.0 AS rate,
               0.55 + (a % 11) / 50.0 AS margin
        FROM (SELECT i, (i * {months} // {rows}) AS m,
                     (i * 7919 + (i // {accounts})) % {accounts} AS a
              FROM range({rows}) AS r(i))
    )
    -- 1 account in 50 arrives in month 20, 1 in 50 leaves after month 17.
    WHERE NOT (a % 50 = 1 AND m < 20) AND NOT (a % 50 = 2 AND m > 17)
)
"""
"""Rows in month order; segments, margins, rates and growth vary by account."""


def make_database(rows: int) -> Path:
    """A Keystone database with `rows` stored rows over 36 months, generated once."""
    return harness.make_database(
        "segments", rows, GENERATE.format(rows=rows, months=MONTHS, accounts=ACCOUNTS), MONTHS
    )


def _figures(mix, shift_pts, trend_buckets, trend_intrinsic, bridge, tiers, scores, moved):
    """The headline figures every case reports, from its own results."""
    return {
        "intrinsic_share": mix["intrinsic"][0],
        "unassigned_share": mix["unassigned"][0],
        "strategic_margin": mix["strategic"][1],
        "accounts": sum(value[2] for value in mix.values()),
        "shift_pts_intrinsic": shift_pts,
        "trend_buckets": trend_buckets,
        "trend_intrinsic": trend_intrinsic,
        **{f"bridge_{part}": amount for part, amount in bridge.items()},
        **{f"tier_{tier}": count for tier, count in tiers.items()},
        # Mid-rank percentiles average 50 whatever the data, so the sum of scores says nothing;
        # the sum of squares and the top platinum revenue do.
        "score_squares": scores[0],
        "platinum_revenue": scores[1],
        "tier_changes": moved,
    }


# ---------------------------------------------------------------------------------------------
# (a) Keystone's core


def run_core(con) -> dict:
    from core.bridge import prior_bridge
    from core.metrics import Period
    from core.scorecard import scorecard
    from core.scorecard_tiers import tier_migration, tier_summary
    from core.segments import segment_mix, segment_mix_shift, segment_mix_trend
    from core.segments_base import period_base

    period = Period(start=CURRENT[0], end=CURRENT[1])
    # As the page does (ui/segments_cache.py): the period's sums read once, shared by all.
    base = period_base(con, period)
    mix = segment_mix(con, period, base)
    shift = segment_mix_shift(con, period, base).table.set_index("segment")
    trend = segment_mix_trend(con, "quarter", base=base)
    bridge = prior_bridge(con, period, base)
    card = scorecard(con, period, base=base)
    tiers = tier_summary(con, card)
    migration = tier_migration(con, card)
    moved = migration[migration["tier_from"] != migration["tier_to"]]["accounts"].sum()
    return _figures(
        {r.segment: (r.revenue_share, r.margin, r.accounts) for r in mix.itertuples()},
        shift.loc["intrinsic", "revenue_share_pts_prior"],
        len(trend),
        trend[trend["segment"] == "intrinsic"]["revenue_share"].sum(),
        bridge.parts(),
        dict(zip(tiers["tier"], tiers["accounts"], strict=True)),
        (
            (card.table["score"] ** 2).sum(),
            card.table.loc[card.table["tier"] == "platinum", "revenue"].sum(),
        ),
        moved,
    )


# ---------------------------------------------------------------------------------------------
# (b) Hand-written DuckDB SQL


def _pct(column: str, descending: bool = False) -> str:
    """Mid-rank percentile of a column among the accounts, 50 where it is NULL."""
    # Rounded as the core ranks them (core.scorecard_sql.KEY_DIGITS): float noise never ties.
    key = f"-round({column}, 9)" if descending else f"round({column}, 9)"
    return f"""coalesce(100.0 * (rank() OVER (ORDER BY {key}) - 1
                        + (count(*) OVER (PARTITION BY {key}) - 1) / 2)
                       / nullif(count({column}) OVER () - 1, 0)
                       + CASE WHEN {column} IS NULL THEN NULL ELSE 0 END, 50)"""


RAW_SCORES = f"""
WITH a AS (SELECT account_key, sum(net_revenue) AS rev,
                  sum(gross_profit) / sum(net_revenue) AS margin,
                  (sum(discount_amount) + sum(off_invoice)) / sum(list_revenue) AS disc,
                  count(DISTINCT product)::DOUBLE AS breadth
           FROM active_rows WHERE month BETWEEN $s AND $e GROUP BY 1),
p AS (SELECT account_key, sum(net_revenue) AS r0 FROM active_rows
      WHERE month BETWEEN $ps AND $pe GROUP BY 1),
i AS (SELECT a.*, CASE WHEN p.r0 > 0 THEN a.rev / p.r0 - 1 END AS growth
      FROM a LEFT JOIN p USING (account_key) WHERE a.rev > 0),
s AS (SELECT account_key, rev,
             0.30 * {_pct("rev")} + 0.25 * {_pct("margin")} + 0.20 * {_pct("growth")}
             + 0.15 * {_pct("disc", descending=True)} + 0.10 * {_pct("breadth")} AS score
      FROM i),
r AS (SELECT *, rank() OVER (ORDER BY round(score, 9) DESC) AS rk, count(*) OVER () AS n FROM s)
SELECT account_key, rev, score,
       CASE WHEN rk <= ceil(0.2 * n) THEN 'platinum' WHEN rk <= ceil(0.5 * n) THEN 'gold'
            WHEN rk <= ceil(0.8 * n) THEN 'iron' ELSE 'lead' END AS tier
FROM r"""


def run_raw(con) -> dict:
    from core.sql import fetch_all

    # Each account's latest segment, from the stored account directory as the core reads it.
    seg = """(SELECT account_key, coalesce(segment, 'unassigned') AS segment
              FROM account_directory)"""
    mix = fetch_all(
        con,
        f"""WITH a AS (SELECT account_key, month BETWEEN $cs AND $ce AS cur,
                              sum(net_revenue) AS net, sum(gross_profit) AS gp
                       FROM active_rows WHERE month BETWEEN $ps AND $ce GROUP BY 1, 2)
            SELECT segment, sum(net) FILTER (WHERE cur) / sum(sum(net) FILTER (WHERE cur)) OVER (),
                   sum(gp) FILTER (WHERE cur) / sum(net) FILTER (WHERE cur),
                   count(*) FILTER (WHERE cur AND net > 0),
                   sum(net) FILTER (WHERE NOT cur) / sum(sum(net) FILTER (WHERE NOT cur)) OVER ()
            FROM a JOIN {seg} USING (account_key) GROUP BY segment""",
        {"cs": CURRENT[0], "ce": CURRENT[1], "ps": PRIOR[0]},
    )
    trend = fetch_all(
        con,
        f"""WITH q AS (SELECT date_trunc('quarter', r.month) AS b, s.segment,
                              sum(r.net_revenue) AS net
                       FROM active_rows AS r JOIN {seg} AS s USING (account_key) GROUP BY 1, 2)
            SELECT count(*), sum(net / t) FILTER (WHERE segment = 'intrinsic')
            FROM q JOIN (SELECT b, sum(net) AS t FROM q GROUP BY b) USING (b)""",
    )[0]
    (bridge,) = fetch_all(
        con,
        """WITH a AS (SELECT account_key,
                             greatest(coalesce(sum(net_revenue) FILTER (WHERE month < $cs), 0), 0)
                                 AS r0,
                             greatest(coalesce(sum(net_revenue) FILTER (WHERE month >= $cs), 0), 0)
                                 AS r1
                      FROM active_rows WHERE month BETWEEN $ps AND $ce GROUP BY 1)
           SELECT sum(r0), sum(r1) FILTER (WHERE r0 = 0),
                  sum(r1 - r0) FILTER (WHERE r0 > 0 AND r1 > r0),
                  sum(r0 - r1) FILTER (WHERE r1 > 0 AND r0 > r1), sum(r0) FILTER (WHERE r1 = 0),
                  sum(r1)
           FROM a""",
        {"cs": CURRENT[0], "ce": CURRENT[1], "ps": PRIOR[0]},
    )
    now = fetch_all(
        con, RAW_SCORES, {"s": CURRENT[0], "e": CURRENT[1], "ps": PRIOR[0], "pe": PRIOR[1]}
    )
    then = fetch_all(con, RAW_SCORES, {"s": PRIOR[0], "e": PRIOR[1], "ps": BASE[0], "pe": BASE[1]})
    tiers = {tier: 0 for tier, _ in TIERS}
    for _, _, _, tier in now:
        tiers[tier] += 1
    before = {key: tier for key, _, _, tier in then}
    after = {key: tier for key, _, _, tier in now}
    moved = sum(before.get(key, "new") != after.get(key, "lost") for key in before | after)
    by_segment = {row[0]: row[1:] for row in mix}
    return _figures(
        {s: (v[0], v[1], v[2]) for s, v in by_segment.items()},
        100 * (by_segment["intrinsic"][0] - by_segment["intrinsic"][3]),
        trend[0],
        trend[1],
        dict(
            zip(
                ("start", "new", "expansion", "contraction", "lost", "end"),
                (v or 0 for v in bridge),
                strict=True,
            )
        ),
        tiers,
        (
            sum(row[2] ** 2 for row in now),
            sum(row[1] for row in now if row[3] == "platinum"),
        ),
        moved,
    )


# ---------------------------------------------------------------------------------------------
# (c) Plain pandas


def _pandas_scores(rows, period, base):
    import pandas as pd

    inside = rows[rows["month"].between(pd.Timestamp(period[0]), pd.Timestamp(period[1]))]
    grouped = inside.groupby("account_key")
    a = grouped[["net_revenue", "gross_profit", "discount_amount", "off_invoice", "list_revenue"]]
    sums = a.sum()
    values = pd.DataFrame(
        {
            "rev": sums["net_revenue"],
            "margin": sums["gross_profit"] / sums["net_revenue"],
            "disc": (sums["discount_amount"] + sums["off_invoice"]) / sums["list_revenue"],
            "breadth": grouped["product"].nunique().astype(float),
        }
    )
    values = values[values["rev"] > 0]
    prior = rows[rows["month"].between(pd.Timestamp(base[0]), pd.Timestamp(base[1]))]
    r0 = prior.groupby("account_key")["net_revenue"].sum()
    r0 = r0.reindex(values.index)
    values["growth"] = (values["rev"] / r0.where(r0 > 0) - 1).astype(float)

    def pct(column):
        present = column.dropna()
        ranks = present.round(9).rank(method="average")
        return (100 * (ranks - 1) / (len(present) - 1)).reindex(column.index).fillna(50)

    score = (
        0.30 * pct(values["rev"])
        + 0.25 * pct(values["margin"])
        + 0.20 * pct(values["growth"])
        + 0.15 * pct(-values["disc"])
        + 0.10 * pct(values["breadth"])
    )
    rank = score.round(9).rank(method="min", ascending=False)
    n = len(score)
    tier = pd.Series("lead", index=score.index)
    for name, cut in reversed(TIERS[:-1]):
        tier[rank <= math.ceil(cut * n)] = name
    return score, tier, values["rev"]


def run_pandas(con) -> dict:
    import pandas as pd

    rows = (
        con.sql("""SELECT month, account_key, segment, net_revenue, gross_profit, list_revenue,
                          discount_amount, off_invoice, product FROM active_rows""")
        .to_arrow_table()
        .to_pandas(date_as_object=False)
    )
    named = rows.dropna(subset=["segment"]).sort_values("month")
    segment = named.groupby("account_key")["segment"].last()
    segment = segment.reindex(rows["account_key"].unique()).fillna("unassigned")
    rows["seg"] = rows["account_key"].map(segment)

    def window(period):
        return rows[rows["month"].between(pd.Timestamp(period[0]), pd.Timestamp(period[1]))]

    now, before = window(CURRENT), window(PRIOR)
    accounts = now.groupby(["seg", "account_key"])[["net_revenue", "gross_profit"]].sum()
    mix = accounts.groupby("seg").agg(
        net=("net_revenue", "sum"),
        gp=("gross_profit", "sum"),
        n=("net_revenue", lambda v: int((v > 0).sum())),
    )
    share = mix["net"] / mix["net"].sum()
    prior_net = before.groupby("seg")["net_revenue"].sum()
    prior_share = prior_net / prior_net.sum()
    quarters = rows.assign(q=rows["month"].dt.to_period("Q")).groupby(["q", "seg"])["net_revenue"]
    q = quarters.sum()
    q_share = q / q.groupby(level="q").transform("sum")
    r0 = before.groupby("account_key")["net_revenue"].sum().clip(lower=0)
    r1 = now.groupby("account_key")["net_revenue"].sum().clip(lower=0)
    both = pd.concat([r0.rename("r0"), r1.rename("r1")], axis=1).fillna(0)
    kept = (both["r0"] > 0) & (both["r1"] > 0)
    bridge = {
        "start": both["r0"].sum(),
        "new": both.loc[both["r0"] == 0, "r1"].sum(),
        "expansion": (both["r1"] - both["r0"])[kept & (both["r1"] > both["r0"])].sum(),
        "contraction": (both["r0"] - both["r1"])[kept & (both["r1"] < both["r0"])].sum(),
        "lost": both.loc[both["r1"] == 0, "r0"].sum(),
        "end": both["r1"].sum(),
    }
    score, tier, revenue = _pandas_scores(rows, CURRENT, PRIOR)
    _, tier_then, _ = _pandas_scores(rows, PRIOR, BASE)
    joined = pd.concat([tier_then.rename("then"), tier.rename("now")], axis=1)
    moved = int((joined["then"].fillna("new") != joined["now"].fillna("lost")).sum())
    counts = tier.value_counts()
    return _figures(
        {s: (share[s], mix.loc[s, "gp"] / mix.loc[s, "net"], mix.loc[s, "n"]) for s in mix.index},
        100 * (share["intrinsic"] - prior_share["intrinsic"]),
        len(q),
        q_share.xs("intrinsic", level="seg").sum(),
        bridge,
        {name: int(counts.get(name, 0)) for name, _ in TIERS},
        ((score**2).sum(), revenue[tier == "platinum"].sum()),
        moved,
    )


CASES = {"core": run_core, "raw_sql": run_raw, "pandas": run_pandas}


def main() -> None:
    harness.main(
        __file__,
        __doc__,
        CASES,
        make_database,
        ROW_COUNTS,
        preload=("numpy", "pandas", "core.segments", "core.scorecard_tiers", "core.bridge"),
    )


if __name__ == "__main__":
    main()
