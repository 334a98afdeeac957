"""The load test's database: the demo portfolio plus one generated export, 1,000,000 rows stored.

Both halves go through Keystone's own write path (`keystone demo`, then `keystone ingest`), so
the file holds real uploads, raw files, contacts and the account master, as a user's would. The
export adds 20,000 accounts over the demo's 36 months (2023-11 .. 2026-10) with Pareto-shaped
revenue and per-account segment, parent group, region, owner, industry, product breadth,
discount rate (a few creeping late), margin (a few loss makers) and growth; 1 account in 50
arrives part way and 1 in 50 leaves. Built once into benchmarks/out/ and reused.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks._harness import OUT, ROOT

ROWS = 1_000_000
ACCOUNTS = 20_000
MONTHS = 36
SOURCE = "load"

EXPORT_SQL = """
COPY (
    SELECT * EXCLUDE (i)
    FROM (SELECT * FROM ({rows_sql}) ORDER BY hash(i + 1) LIMIT {wanted})
    ORDER BY i
) TO '{path}' (HEADER)
"""
"""`wanted` rows drawn evenly from ROWS_SQL, so every month keeps its share, in month order."""

ROWS_SQL = """
    SELECT i, strftime(DATE '2023-11-01' + to_months(m), '%Y-%m') AS "Month",
           'L' || lpad(a::VARCHAR, 6, '0') AS "Customer Code",
           'Load Customer ' || a AS "Customer Name",
           CASE WHEN a < 6 THEN 'Load Holding' WHEN a % 20 = 0 THEN 'Load Group ' || (a % 300) END
               AS "Parent Group",
           CASE WHEN a % 10 < 2 THEN 'intrinsic' WHEN a % 10 < 4 THEN 'extrinsic'
                WHEN a % 10 = 4 THEN 'strategic' WHEN a % 10 < 9 THEN 'other' END AS "Segment",
           ['East', 'South', 'North', 'West', 'Europe', 'Middle East'][1 + a % 6] AS "Region",
           'Manager ' || lpad((a % 40)::VARCHAR, 2, '0') AS "Account Manager",
           ['Chemicals', 'Metals', 'Energy', 'Machinery', 'Food'][1 + a % 5] AS "Industry",
           'Product ' || (i % (1 + a % 25)) AS "Product",
           1 + i % 50 AS "Quantity",
           list AS "List Amount",
           discount AS "Discount Amount",
           list - discount AS "Net Sales",
           round(list * 0.01 * (a % 3), 2) AS "Off-Invoice",
           round((list - discount) * cost_ratio, 2) AS "Cost",
           'CNY' AS "Currency"
    FROM (
        SELECT *, round(list * rate, 2) AS discount
        FROM (
            SELECT i, m, a,
                   round(2200000 / (a + 3) * (0.5 + (hash(i) % 1000) / 1000.0)
                         * (1 + ((a % 7) - 2) * m / 100.0), 2) AS list,
                   0.03 + (a % 13) / 100.0 + (hash(i + 7) % 100) / 4000.0
                       + CASE WHEN a % 400 = 7 AND m >= 27 THEN (m - 26) * 0.008 ELSE 0 END
                       AS rate,
                   CASE WHEN a % 97 = 5 THEN 1.08 ELSE 0.55 + (a % 11) / 50.0 END AS cost_ratio
            FROM (SELECT i, (i * {months} // {rows}) AS m,
                         (i * 7919 + (i // {accounts})) % {accounts} AS a
                  FROM range({rows}) AS r(i))
        )
        WHERE NOT (a % 50 = 1 AND m < 20) AND NOT (a % 50 = 2 AND m > 17)
    )
"""
"""About `rows` export rows; the arrivals and departures drop 2.1% of them."""


def _keystone(*argv: str, timeout_s: float) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"keystone {argv[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def stored_rows(path: Path) -> int:
    """Rows in the facts table."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute("SELECT count(*) FROM facts").fetchone()
    return int(found[0]) if found else 0


def _top_up(building: Path, rows: int) -> None:
    """Ingest a generated export that brings the stored rows to `rows`, or just below."""
    export = building.with_suffix(".csv")
    wanted = rows - stored_rows(building)
    # The WHERE clause drops the first 20 months of 1 account in 50 and the last 18 of another
    # 1 in 50; generate enough that what survives is at least `wanted`.
    generated = round(wanted * 1.03)
    rows_sql = ROWS_SQL.format(rows=generated, months=MONTHS, accounts=ACCOUNTS)
    with duckdb.connect() as con:
        con.execute(EXPORT_SQL.format(rows_sql=rows_sql, wanted=wanted, path=export))
    try:
        _keystone("ingest", "--db", str(building), "--source", SOURCE, str(export), timeout_s=1800)
    finally:
        export.unlink(missing_ok=True)


def load_database(rows: int = ROWS) -> Path:
    """benchmarks/out/load_<rows>.duckdb, built on first use (minutes), then reused."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"load_{rows}.duckdb"
    if path.exists():
        return path
    building = OUT / f"load_{rows}.building.duckdb"
    for leftover in OUT.glob(f"load_{rows}.building*"):
        leftover.unlink()
    started = time.monotonic()
    print(f"building {path.name} (once) ...", flush=True)
    _keystone("demo", "--db", str(building), timeout_s=1800)
    _top_up(building, rows)
    count = stored_rows(building)
    if count != rows:
        raise RuntimeError(f"{building.name} holds {count:,} rows, not {rows:,}")
    building.rename(path)
    for leftover in OUT.glob(f"load_{rows}.building*"):
        leftover.unlink()
    print(f"built {path.name}: {count:,} rows in {time.monotonic() - started:.0f} s", flush=True)
    return path
