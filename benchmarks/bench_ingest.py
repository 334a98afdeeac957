"""Ingest a 1M-row export through Keystone and, in the same run, through raw DuckDB and pandas.

Prints wall time, the ratio to DuckDB's own load, and each run's peak memory (every case runs
in a fresh subprocess, so its peak RSS is its own).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = 1_000_000
OUT = Path(__file__).resolve().parent / "out"

GENERATE = """
COPY (
    SELECT strftime(DATE '2025-01-01' + INTERVAL (i % 12) MONTH, '%Y-%m') AS "Month",
           'C' || lpad(((i * 7919) % 20000)::VARCHAR, 6, '0') AS "Customer Code",
           'Customer ' || ((i * 7919) % 20000) AS "Customer Name",
           'Group ' || ((i * 7919) % 20000) % 150 AS "Parent Group",
           ['intrinsic', 'extrinsic', 'strategic', 'other'][1 + i % 4] AS "Segment",
           ['East', 'South', 'North', 'West', 'Europe'][1 + i % 5] AS "Region",
           'Owner ' || (i % 40) AS "Account Manager",
           'Product ' || (i % 25) AS "Product",
           1 + i % 50 AS "Quantity",
           round(1000 + (i * 37) % 90000 / 3.0, 2) AS "List Amount",
           round((1000 + (i * 37) % 90000 / 3.0) * ((i % 15) / 100.0), 2) AS "Discount Amount",
           round(1000 + (i * 37) % 90000 / 3.0, 2)
             - round((1000 + (i * 37) % 90000 / 3.0) * ((i % 15) / 100.0), 2) AS "Net Sales",
           round((1000 + (i * 37) % 90000 / 3.0) * 0.6, 2) AS "Cost",
           'CNY' AS "Currency"
    FROM range({rows}) AS r(i)
) TO '{path}' {options}
"""


def make_inputs(rows: int) -> dict[str, Path]:
    """The same export as CSV and as Parquet, generated once."""
    import duckdb

    OUT.mkdir(exist_ok=True)
    paths = {"csv": OUT / f"export_{rows}.csv", "parquet": OUT / f"export_{rows}.parquet"}
    with duckdb.connect() as con:
        for kind, path in paths.items():
            if not path.exists():
                options = "(HEADER, DELIMITER ',')" if kind == "csv" else "(FORMAT parquet)"
                con.execute(GENERATE.format(rows=rows, path=path, options=options))
    return paths


def run_case(case: str, path: Path) -> float:
    """Run one case in this process; returns seconds."""
    import duckdb

    with tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "bench.duckdb"
        start = time.perf_counter()
        if case.startswith("duckdb"):
            reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
            with duckdb.connect(str(db_path)) as con:
                con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}($p)", {"p": str(path)})
        elif case == "pandas_csv":
            import pandas as pd

            frame = pd.read_csv(path, dtype={"Customer Code": str})
            with duckdb.connect(str(db_path)) as con:
                con.register("frame", frame)
                con.execute("CREATE TABLE t AS SELECT * FROM frame")
        else:
            from core.db import Database
            from core.ingest.models import IngestOptions
            from core.ingest.pipeline import prepare_upload
            from core.store import store_uploads

            options = IngestOptions(max_bytes=2**31)
            prepared = prepare_upload(path.name, path.read_bytes(), options)
            if not prepared.report.ok:
                raise SystemExit(f"unexpected errors: {prepared.report.errors[:3]}")
            store_uploads(Database(db_path), [prepared])
        return time.perf_counter() - start


CASES = {
    "csv": ["duckdb_csv", "pandas_csv", "keystone_csv"],
    "parquet": ["duckdb_parquet", "keystone_parquet"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--one", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        seconds = run_case(args.one[0], Path(args.one[1]))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))
        return
    paths = make_inputs(args.rows)
    csv_mib = paths["csv"].stat().st_size / 2**20
    parquet_mib = paths["parquet"].stat().st_size / 2**20
    print(
        f"Ingest of a {args.rows:,}-row export: {csv_mib:.0f} MiB CSV, "
        f"{parquet_mib:.0f} MiB Parquet"
    )
    print(f"{'case':<18}{'seconds':>9}{'× DuckDB':>10}{'peak MiB':>10}")
    for kind, cases in CASES.items():
        baseline = None
        for case in cases:
            done = subprocess.run(
                [sys.executable, __file__, "--one", case, str(paths[kind])],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent.parent,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            baseline = baseline or result["seconds"]
            print(
                f"{case:<18}{result['seconds']:>9.2f}{result['seconds'] / baseline:>10.2f}"
                f"{result['peak_mb']:>10.0f}"
            )


if __name__ == "__main__":
    main()
