"""The harness the figure benchmarks share: core, raw DuckDB SQL and pandas on one database.

Every run of a case is a fresh subprocess of the benchmark script (so its peak RSS is its own);
the cases take turns for --repeat rounds and each keeps its best time. The parent prints times,
ratios to raw SQL and pandas, and peak memory, and checks that every case agrees with the core
on the headline figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"

Case = Callable[[object], dict]
"""A case: a read-only DuckDB connection in, the headline figures out."""


def make_database(name: str, rows: int, generate: str, months: int) -> Path:
    """out/<name>_<rows>.duckdb: the schema, the rows `generate` inserts into facts, `months`
    active months from 2023-11 and the account directory; generated once, then reused."""
    import duckdb

    from core.directory import DIRECTORY, refresh_directory
    from core.schema import SCHEMA_SQL

    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}_{rows}.duckdb"
    if path.exists():
        with duckdb.connect(str(path)) as con:  # a file made before the account directory
            if not con.sql(
                "SELECT 1 FROM duckdb_tables() WHERE table_name = ?", params=[DIRECTORY]
            ).fetchall():
                refresh_directory(con)
        return path
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    with duckdb.connect(str(building)) as con:
        for statement in SCHEMA_SQL:
            con.sql(statement)
        con.sql(generate)
        con.sql(f"""INSERT INTO upload_months
                    SELECT m + 1, 'bench', (DATE '2023-11-01' + to_months(m))::DATE, true, NULL
                    FROM range({months}) AS r(m)""")
        refresh_directory(con)  # as every store does
    building.rename(path)
    return path


def run_case(
    cases: Mapping[str, Case], case: str, path: Path, repeat: int, preload: Sequence[str] = ()
) -> dict:
    """Run one case `repeat` times in this process; the best time and the figures.

    `preload` names modules imported first, since imports are not what is measured.
    """
    import duckdb

    for module in preload:
        importlib.import_module(module)
    best, figures = float("inf"), {}
    for _ in range(repeat):
        with duckdb.connect(str(path), read_only=True) as con:
            start = time.perf_counter()
            figures = cases[case](con)
            best = min(best, time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": best,
        "peak_mb": peak_mb,
        "figures": {k: float(v) for k, v in figures.items()},
    }


def agree(results: dict[str, dict]) -> list[str]:
    """Headline figures on which a case differs from the core."""
    core = results["core"]["figures"]
    return [
        f"{case}.{name}: {value} vs {core[name]}"
        for case, result in results.items()
        for name, value in result["figures"].items()
        if abs(value - core[name]) > 1e-6 * max(1.0, abs(core[name]))
    ]


def main(
    script: str,
    description: str | None,
    cases: Mapping[str, Case],
    make_database: Callable[[int], Path],
    row_counts: Sequence[int],
    preload: Sequence[str] = (),
) -> None:
    """The benchmark's command line: `script` is the benchmark file, run again per case."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, nargs="+", default=list(row_counts))
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the best counts")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(cases, args.one[0], Path(args.one[1]), args.repeat, preload)))
        return
    print(
        f"{'rows':>12}  {'case':<9}{'seconds':>9}{'× raw SQL':>11}{'pandas ×':>10}{'peak MiB':>10}"
    )
    for rows in args.rows:
        started = time.perf_counter()
        path = make_database(rows)
        made = time.perf_counter() - started
        results: dict[str, dict] = {}
        for _ in range(args.repeat):  # round robin, so a busy moment hits every case alike
            for case in cases:
                done = subprocess.run(
                    [sys.executable, script, "--one", case, str(path), "--repeat", "1"],
                    capture_output=True,
                    text=True,
                    check=False,
                    cwd=ROOT,
                )
                if done.returncode:
                    sys.stderr.write(done.stderr)
                    raise SystemExit(f"case {case} failed on {path.name}")
                run = json.loads(done.stdout.strip().splitlines()[-1])
                best = results.setdefault(case, run)
                best["seconds"] = min(best["seconds"], run["seconds"])
                best["peak_mb"] = max(best["peak_mb"], run["peak_mb"])
        raw, pandas = results["raw_sql"]["seconds"], results["pandas"]["seconds"]
        for case, result in results.items():
            print(
                f"{rows:>12,}  {case:<9}{result['seconds']:>9.2f}"
                f"{result['seconds'] / raw:>11.2f}{pandas / result['seconds']:>10.2f}"
                f"{result['peak_mb']:>10.0f}"
            )
        mismatches = agree(results)
        print(
            f"{'':>12}  database {path.name} ({path.stat().st_size / 2**20:.0f} MiB, "
            f"ready in {made:.1f} s); figures agree: {'yes' if not mismatches else mismatches}"
        )
