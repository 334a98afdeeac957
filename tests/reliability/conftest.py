"""Shared pieces of the reliability tests: big generated exports, the CLI in a subprocess, and
what a reader sees of the database (its state and the `keystone metrics` JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from core.db import Database
from core.sql import fetch_all
from tests.core.keystone_cli import run

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: crash, concurrency and damage tests (part of `make test`)"
    )


def write_export(path: Path, rows: int, seed: int, months: tuple[str, ...]) -> Path:
    """A CSV export of `rows` rows spread evenly over `months`, written by DuckDB in a blink.

    Values depend on `seed`, so two files of the same months differ in every month's total."""
    month_list = "[" + ", ".join(f"'{m}'" for m in months) + "]"
    with duckdb.connect() as con:
        con.execute(
            f"""COPY (
                SELECT {month_list}[1 + i % {len(months)}] AS month,
                       'C' || lpad((i * {seed} % 6000)::VARCHAR, 5, '0') AS customer_id,
                       'Customer ' || (i * {seed} % 6000) AS customer,
                       round(50 + (i * 7919 * {seed}) % 20000 / 9.0, 2) AS "net revenue",
                       round(5 + (i * 37 * {seed}) % 991 / 3.0, 2) AS cost
                FROM range({rows}) AS t(i)
            ) TO '{path}' (HEADER)"""
        )
    return path


def keystone(*argv: str, env: dict[str, str] | None = None, timeout: float = 120):
    """`keystone ARGV` in a subprocess of this interpreter; the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


CLI_MAIN = (
    "import sys\n"
    "from core.cli import main\n"
    "from core.db import fault_point\n"
    "fault_point('parsing')  # imports done: the command reads its files next\n"
    "raise SystemExit(main(sys.argv[1:]))"
)
"""`keystone` as its console script runs it, with one more step logged before it starts."""


def spawn(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`keystone ARGV` started in a subprocess that the test may kill."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI_MAIN, *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def metrics_json(path: Path, *argv: str) -> dict:
    """What `keystone metrics` prints for the database at `path` (run in this process)."""
    code, out, err = run("metrics", "--db", str(path), *argv)
    assert code == 0, err
    return out


def state(path: Path) -> dict[str, object]:
    """The stored state a reader sees, without the upload timestamps."""
    with Database(path, lock_timeout_s=10).connect() as con:
        return {
            "uploads": fetch_all(
                con,
                "SELECT id, file, sha256, source, outcome, rows, months, accounts, "
                "round(net_revenue, 2) FROM uploads ORDER BY id",
            ),
            "upload_months": fetch_all(con, "SELECT * FROM upload_months ORDER BY ALL"),
            "by_month": fetch_all(
                con,
                "SELECT source, month, count(*), round(sum(net_revenue), 2) FROM active_rows "
                "GROUP BY ALL ORDER BY ALL",
            ),
        }


def assert_consistent(path: Path) -> None:
    """No partial upload: every upload has its bytes, all its rows and months, and each
    source-month has exactly one active version."""
    with Database(path, lock_timeout_s=10).connect() as con:
        broken = fetch_all(
            con,
            """SELECT u.id, u.rows, f.rows, u.net_revenue, f.net, u.months, f.months,
                      m.months, b.upload_id IS NULL
               FROM uploads AS u
               LEFT JOIN (SELECT upload_id, count(*) AS rows, sum(net_revenue) AS net,
                                 list_sort(list(DISTINCT strftime(month, '%Y-%m'))) AS months
                          FROM facts GROUP BY ALL) AS f ON f.upload_id = u.id
               LEFT JOIN (SELECT upload_id, list_sort(list(strftime(month, '%Y-%m'))) AS months
                          FROM upload_months GROUP BY ALL) AS m ON m.upload_id = u.id
               LEFT JOIN upload_files AS b ON b.upload_id = u.id
               WHERE f.rows IS DISTINCT FROM u.rows
                  OR abs(f.net - u.net_revenue) > 0.01
                  OR f.months IS DISTINCT FROM list_sort(u.months)
                  OR m.months IS DISTINCT FROM list_sort(u.months)
                  OR b.upload_id IS NULL""",
        )
        orphans = fetch_all(
            con,
            """SELECT 'facts', upload_id FROM facts WHERE upload_id NOT IN (SELECT id FROM uploads)
               UNION ALL SELECT 'months', upload_id FROM upload_months
                   WHERE upload_id NOT IN (SELECT id FROM uploads)
               UNION ALL SELECT 'files', upload_id FROM upload_files
                   WHERE upload_id NOT IN (SELECT id FROM uploads)
               LIMIT 5""",
        )
        doubled = fetch_all(
            con,
            "SELECT source, month FROM upload_months WHERE active GROUP BY ALL "
            "HAVING count(*) <> 1",
        )
    assert (broken, orphans, doubled) == ([], [], [])


def read_loop(path: str, stop: str, pause_s: float = 0.02) -> None:
    """A reader process, as the app reads: one connection per operation through
    Database.connect. Prints one JSON line per read until the file `stop` exists:
    {"by_month": [[month, rows, net], ...], "net": portfolio net revenue} or {"error": text}."""
    from core.metrics import Period, portfolio_metrics

    db = Database(Path(path), lock_timeout_s=30)
    while not Path(stop).exists():
        try:
            with db.connect() as con:
                by_month = fetch_all(
                    con,
                    "SELECT strftime(month, '%Y-%m'), count(*), round(sum(net_revenue), 2) "
                    "FROM active_rows GROUP BY 1 ORDER BY 1",
                )
                net = portfolio_metrics(con, Period()).net_revenue
            line = {"by_month": [list(row) for row in by_month], "net": round(net, 2)}
        except Exception as exc:  # reported to the test, which fails on any
            line = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(line), flush=True)
        time.sleep(pause_s)


def start_readers(path: Path, stop: Path, count: int) -> list[subprocess.Popen[str]]:
    """`count` reader processes running read_loop on the database at `path`, each started
    and past its first read."""
    code = (
        f"from tests.reliability.conftest import read_loop; read_loop({str(path)!r}, {str(stop)!r})"
    )
    readers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for reader in readers:
        assert reader.stdout is not None
        reader.first_read = reader.stdout.readline()  # type: ignore[attr-defined]
    return readers


def stop_readers(readers: list[subprocess.Popen[str]], stop: Path) -> list[list[dict]]:
    """Stop the readers; what each one saw, in order."""
    stop.touch()
    seen = []
    for reader in readers:
        out, _ = reader.communicate(timeout=60)
        lines = [reader.first_read, *out.splitlines()]  # type: ignore[attr-defined]
        seen.append([json.loads(line) for line in lines])
    return seen
