"""The Concentration page's figures at 1M and 10M stored rows: Keystone's core, raw DuckDB SQL
and plain pandas on the same database, in one run.

"The page's figures" are, for the last 12 months: the per-account and per-group tables, the
summary with its prior-period and last-year comparisons, the ≥ 10% groups, the Lorenz and whale
curves, the dependency alerts, a stress test without the largest group, and the monthly trend
over all 36 months. Every run of a case is a fresh subprocess (so its peak RSS is its own); the
cases take turns for --repeat rounds and each keeps its best time. The parent prints times,
ratios and peak memory, and checks that the three cases agree on the headline figures.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import _harness as harness

ROW_COUNTS = (1_000_000, 10_000_000)
ACCOUNTS = 20_000
MONTHS = 36
FIRST_MONTH = date(2023, 11, 1)
CURRENT = (date(2025, 11, 1), date(2026, 10, 1))
PRIOR = LAST_YEAR = (date(2024, 11, 1), date(2025, 10, 1))

GENERATE = """
INSERT INTO facts (upload_id, line, month, account_id, account_name, account_key, parent_group,
                   segment, currency, product, quantity, net_revenue, list_revenue,
                   discount_amount, cost, gross_profit)
SELECT m + 1, i, month, key, 'Customer ' || a, key, grp, 'other', 'CNY', 'P' || (i % 9), 1,
       net, net * 1.1, net * 0.1, net - gp, gp
FROM (
    SELECT i, m, (DATE '2023-11-01' + to_months(m))::DATE AS month, a,
           'C' || lpad(a::VARCHAR, 6, '0') AS key,
           CASE WHEN a < 8 THEN 'Big Group' WHEN a % 25 = 0 THEN 'Group ' || (a % 300) END
               AS grp,
           round(2000000 / (a + 3) * (0.5 + (hash(i) % 1000) / 1000.0), 2) AS net,
           round(2000000 / (a + 3) * (0.5 + (hash(i) % 1000) / 1000.0), 2)
               * CASE WHEN a % 97 = 5 THEN -0.3 ELSE 0.35 END AS gp
    FROM (SELECT i, (i * {months} // {rows}) AS m, (i * 7919 + (i // {accounts})) % {accounts} AS a
          FROM range({rows}) AS r(i))
)
"""
"""Rows in month order (as monthly uploads arrive); a few accounts lose money, 8 form a group."""


def make_database(rows: int) -> Path:
    """A Keystone database with `rows` stored rows over 36 months, generated once."""
    return harness.make_database(
        "concentration", rows, GENERATE.format(rows=rows, months=MONTHS, accounts=ACCOUNTS), MONTHS
    )


# ---------------------------------------------------------------------------------------------
# (a) Keystone's core


def run_core(con) -> dict:
    from core.concentration_report import concentration_report
    from core.metrics import Period

    report = concentration_report(con, Period(start=CURRENT[0], end=CURRENT[1]))
    stress = report.stress_test(con, remove_groups=[report.summary.groups_over_10pct[0].group])
    return {
        "hhi": report.summary.hhi,
        "top5": report.summary.top5_share,
        "top20pct": report.summary.top20pct_share,
        "pareto_k": report.summary.pareto_k,
        "gini": report.summary.gini,
        "prior_hhi": report.prior.hhi,
        "big_group": report.summary.groups_over_10pct[0].share,
        "whale_peak": report.whale.peak,
        "loss_makers": report.whale.negative_accounts,
        "key_drops": sum(a.rule == "key_account_drop" for a in report.alerts),
        "trend_hhi": float(report.trend["hhi"].sum()),
        "stress_hhi": stress.after.hhi,
        "lorenz_points": len(report.lorenz),
        "groups": len(report.groups),
    }


# ---------------------------------------------------------------------------------------------
# (b) Hand-written DuckDB SQL

RAW_FIGURES = """
    r AS (SELECT *, row_number() OVER w AS rn, count(*) OVER p AS n, sum(net) OVER p AS tot,
                 sum(net) OVER w AS cum
          FROM u WHERE net > 0
          WINDOW p AS (PARTITION BY b), w AS (PARTITION BY b ORDER BY net DESC, k))
    SELECT b, any_value(n) AS n,
           sum(net) FILTER (WHERE rn <= 5) / any_value(tot) AS top5,
           sum(net) FILTER (WHERE rn <= (n + 4) // 5) / any_value(tot) AS top20pct,
           min(rn) FILTER (WHERE cum >= 0.8 * tot * (1 - 1e-9)) AS pareto_k,
           10000 * sum((net / tot) ** 2) AS hhi,
           sum((n + 1 - 2 * rn) * net) / (any_value(n) * any_value(tot)) AS gini,
           max(net / tot) AS top1,
           list(k ORDER BY rn) FILTER (WHERE rn <= 5) AS top5_keys,
           (SELECT count(*) FROM u AS z WHERE z.b = r.b AND z.net <= 0) AS nonpositive
    FROM r GROUP BY b ORDER BY b"""


def run_raw(con) -> dict:
    from core.sql import fetch_all

    params = {"cs": CURRENT[0], "ce": CURRENT[1], "ps": PRIOR[0], "pe": PRIOR[1]}
    con.sql("""CREATE OR REPLACE TEMP TABLE m AS
               SELECT month, account_key, max(account_name) AS name, max(parent_group) AS grp,
                      sum(net_revenue) AS net, sum(gross_profit) AS gp
               FROM active_rows GROUP BY month, account_key""")
    con.sql(
        """CREATE OR REPLACE TEMP TABLE a AS
               SELECT p.b, m.account_key, max(m.name) AS name, max(m.grp) AS grp,
                      sum(m.net) AS net, sum(m.gp) AS gp
               FROM m JOIN (VALUES ('cur', $cs::DATE, $ce::DATE), ('prior', $ps, $pe))
                           AS p(b, s, e) ON m.month BETWEEN p.s AND p.e
               GROUP BY ALL""",
        params=params,
    )
    summary = fetch_all(con, f"WITH u AS (SELECT b, account_key AS k, net FROM a), {RAW_FIGURES}")
    by_group = fetch_all(
        con,
        f"""WITH u AS (SELECT b, coalesce(grp, account_key) AS k,
                                                    sum(net) AS net FROM a GROUP BY ALL),
                                  {RAW_FIGURES}""",
    )
    accounts = con.sql("""SELECT row_number() OVER w AS rank, account_key, name, grp, net, gp,
                                 net / sum(net) OVER () AS share,
                                 sum(net) OVER w / sum(net) OVER () AS cum_share
                          FROM a WHERE b = 'cur' AND net > 0
                          WINDOW w AS (ORDER BY net DESC, account_key)""").to_arrow_table()
    groups = con.sql("""SELECT k, count(*) AS members, sum(net) AS net,
                               sum(net) / sum(sum(net)) OVER () AS share,
                               list(account_key ORDER BY net DESC) AS member_keys
                        FROM (SELECT coalesce(grp, account_key) AS k, * FROM a WHERE b = 'cur')
                        GROUP BY k HAVING sum(net) > 0
                        ORDER BY net DESC""").to_arrow_table()
    lorenz = con.sql("""SELECT row_number() OVER w / count(*) OVER () AS x,
                               sum(net) OVER w / sum(net) OVER () AS y
                        FROM a WHERE b = 'cur' AND net > 0
                        WINDOW w AS (ORDER BY net, account_key DESC)""").to_arrow_table()
    whale_curve = con.sql("""SELECT row_number() OVER w / count(*) OVER () AS x,
                                    sum(gp) OVER w / sum(gp) OVER () AS y, account_key, gp
                             FROM a WHERE b = 'cur' AND gp IS NOT NULL
                             WINDOW w AS (ORDER BY gp DESC, account_key)""").to_arrow_table()
    ((peak, loss_makers, _destroyed),) = fetch_all(
        con,
        """SELECT greatest(max(cum) / any_value(tot), 1), count(*) FILTER (WHERE gp < 0),
                       -sum(gp) FILTER (WHERE gp < 0)
                FROM (SELECT gp, sum(gp) OVER (ORDER BY gp DESC, account_key) AS cum,
                             sum(gp) OVER () AS tot
                      FROM a WHERE b = 'cur' AND gp IS NOT NULL)""",
    )
    drops = fetch_all(
        con,
        """
        WITH r AS (SELECT b, account_key, net,
                          sum(net) OVER (PARTITION BY b ORDER BY net DESC, account_key) AS cum,
                          sum(net) OVER (PARTITION BY b) AS tot
                   FROM a WHERE net > 0),
             k AS (SELECT DISTINCT account_key FROM r WHERE cum - net < 0.8 * tot * (1 - 1e-9))
        SELECT account_key, now, before FROM (
            SELECT account_key, coalesce(sum(net) FILTER (WHERE b = 'cur'), 0) AS now,
                   sum(net) FILTER (WHERE b = 'prior') AS before
            FROM a WHERE account_key IN (SELECT account_key FROM k) GROUP BY account_key)
        WHERE before > 0 AND now / before - 1 < -0.2""",
    )
    trend = con.sql(f"""WITH u AS (SELECT month AS b, account_key AS k, net FROM m),
                        {RAW_FIGURES}""").to_arrow_table()
    biggest = groups["k"][0].as_py()
    stress = fetch_all(
        con,
        f"""
        WITH u AS (SELECT 'before' AS b, account_key AS k, net FROM a WHERE b = 'cur'
                   UNION ALL
                   SELECT 'after', account_key, net FROM a
                   WHERE b = 'cur' AND coalesce(grp, account_key) <> $g),
        {RAW_FIGURES}""",
        {"g": biggest},
    )
    revenue = fetch_all(
        con,
        """SELECT sum(net), sum(gp) FROM a WHERE b = 'cur'
                                UNION ALL SELECT sum(net), sum(gp) FROM a
                                WHERE b = 'cur' AND coalesce(grp, account_key) <> $g""",
        {"g": biggest},
    )
    current = summary[0]
    assert current[0] == "cur" and by_group and accounts.num_rows and whale_curve.num_rows
    assert revenue and lorenz.num_rows
    return {
        "hhi": current[5],
        "top5": current[2],
        "top20pct": current[3],
        "pareto_k": current[4],
        "gini": current[6],
        "prior_hhi": summary[1][5],
        "big_group": groups["share"][0].as_py(),
        "whale_peak": peak,
        "loss_makers": loss_makers,
        "key_drops": len(drops),
        "trend_hhi": float(sum(trend["hhi"].to_pylist())),
        "stress_hhi": next(row[5] for row in stress if row[0] == "after"),
        "lorenz_points": lorenz.num_rows + 1,
        "groups": groups.num_rows,
    }


# ---------------------------------------------------------------------------------------------
# (c) Plain pandas


def pandas_figures(frame, bucket: str, key: str):
    """Per bucket: n, top-5, top-20%, Pareto k, HHI, Gini from (bucket, key, net) rows."""
    import numpy as np

    positive = frame[frame["net"] > 0].sort_values(
        [bucket, "net", key], ascending=[True, False, True]
    )
    grouped = positive.groupby(bucket, sort=False)["net"]
    rn = grouped.cumcount() + 1
    n = grouped.transform("size")
    tot = grouped.transform("sum")
    cum = grouped.cumsum()
    share = positive["net"] / tot
    parts = positive.assign(
        top5=np.where(rn <= 5, share, 0.0),
        top20pct=np.where(rn <= (n + 4) // 5, share, 0.0),
        pareto=np.where(cum - positive["net"] < 0.8 * tot * (1 - 1e-9), 1, 0),
        hhi=10_000 * share**2,
        gini=(n + 1 - 2 * rn) * positive["net"] / (n * tot),
        one=1,
    )
    out = parts.groupby(bucket)[["top5", "top20pct", "pareto", "hhi", "gini", "one"]].sum()
    return out.rename(columns={"pareto": "pareto_k", "one": "n"})


def run_pandas(con) -> dict:
    import numpy as np
    import pandas as pd

    rows = (
        con.sql("""SELECT month, account_key, account_name, parent_group, net_revenue,
                             gross_profit FROM active_rows""")
        .to_arrow_table()
        .to_pandas(date_as_object=False)
    )
    monthly = rows.groupby(["month", "account_key"], sort=False, as_index=False).agg(
        name=("account_name", "max"),
        grp=("parent_group", "max"),
        net=("net_revenue", "sum"),
        gp=("gross_profit", "sum"),
    )
    periods = {"cur": CURRENT, "prior": PRIOR}
    accounts = pd.concat(
        [
            monthly[
                (monthly["month"] >= pd.Timestamp(start)) & (monthly["month"] <= pd.Timestamp(end))
            ]
            .groupby("account_key", as_index=False)
            .agg(name=("name", "max"), grp=("grp", "max"), net=("net", "sum"), gp=("gp", "sum"))
            .assign(b=label)
            for label, (start, end) in periods.items()
        ]
    )
    summary = pandas_figures(accounts, "b", "account_key")
    accounts["k"] = accounts["grp"].fillna(accounts["account_key"])
    current = accounts[accounts["b"] == "cur"]
    groups = current.groupby("k", as_index=False).agg(
        net=("net", "sum"), members=("account_key", "size"), member_keys=("account_key", list)
    )
    groups = groups[groups["net"] > 0].sort_values("net", ascending=False)
    groups["share"] = groups["net"] / groups["net"].sum()
    table = current[current["net"] > 0].sort_values(["net", "account_key"], ascending=[False, True])
    table = table.assign(
        rank=np.arange(1, len(table) + 1),
        share=table["net"] / table["net"].sum(),
        cum_share=table["net"].cumsum() / table["net"].sum(),
    )
    ascending = np.sort(table["net"].to_numpy())
    lorenz = np.cumsum(ascending) / ascending.sum()
    profits = np.sort(current["gp"].dropna().to_numpy())[::-1]
    whale = np.cumsum(profits) / profits.sum()
    key = accounts.sort_values(["b", "net", "account_key"], ascending=[True, False, True])
    key = key[key["net"] > 0]
    cum = key.groupby("b")["net"].cumsum()
    tot = key.groupby("b")["net"].transform("sum")
    key_accounts = set(key.loc[cum - key["net"] < 0.8 * tot * (1 - 1e-9), "account_key"])
    pivot = accounts[accounts["account_key"].isin(key_accounts)].pivot_table(
        index="account_key", columns="b", values="net", aggfunc="sum"
    )
    now, before = pivot["cur"].fillna(0), pivot["prior"]
    drops = pivot[(before > 0) & (now / before - 1 < -0.2)]
    trend = pandas_figures(monthly, "month", "account_key")
    biggest = groups["k"].iloc[0]
    kept = current[current["k"] != biggest]
    stress = pandas_figures(kept.assign(b="after"), "b", "account_key")
    return {
        "hhi": summary.loc["cur", "hhi"],
        "top5": summary.loc["cur", "top5"],
        "top20pct": summary.loc["cur", "top20pct"],
        "pareto_k": summary.loc["cur", "pareto_k"],
        "gini": summary.loc["cur", "gini"],
        "prior_hhi": summary.loc["prior", "hhi"],
        "big_group": groups["share"].iloc[0],
        "whale_peak": max(whale.max(), 1.0),
        "loss_makers": int((profits < 0).sum()),
        "key_drops": len(drops),
        "trend_hhi": float(trend["hhi"].sum()),
        "stress_hhi": stress.loc["after", "hhi"],
        "lorenz_points": len(lorenz) + 1,
        "groups": len(groups),
    }


CASES = {"core": run_core, "raw_sql": run_raw, "pandas": run_pandas}


def main() -> None:
    harness.main(__file__, __doc__, CASES, make_database, ROW_COUNTS, preload=())


if __name__ == "__main__":
    main()
