"""`make load`: concurrent headless Chromium sessions against `streamlit run app.py` on 1M rows.

    .venv/bin/python -m tests.load.run_load [--sessions 10] [--seconds 120]

Builds (once) benchmarks/out/load_1000000.duckdb, serves it on a free 127.0.0.1 port, and lets
every session open every page of ui/navigation.PAGES by URL, in turn, for --seconds. Prints
and writes to benchmarks/out/load/ the page visits, the errors (exception boxes, pages that
never became idle, failed navigations), p50/p95 render times overall and per page, the server's
peak memory and the machine's load. Exits 1 when any visit failed. A standalone script, not a
test module: pytest never collects it, so `make test` does not run it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks._harness import OUT, ROOT
from benchmarks.bench_page import percentile
from tests.e2e.conftest import _free_port, _stop, _wait_healthy
from tests.load.database import ROWS, load_database
from tests.load.sessions import VIEWS, Plan, Visit, drive

WARMUP_TIMEOUT_S = 180
"""A warm-up visit computes the page's figures from cold; it may take this long."""


def navigation_paths() -> list[str]:
    """The URL path of every page in ui/navigation.PAGES ('' is the landing page)."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # ui/ caches warn that no server runs here
    from ui.navigation import PAGES

    return [spec.url_path for spec in PAGES]


def start_server(database: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port, serving `database`; (process, URL)."""
    port = _free_port()
    env = {
        **os.environ,
        "KEYSTONE_DB_PATH": str(database),
        "KEYSTONE_LANGUAGE": "en",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    # No file watcher: edits to the working tree during a run must not rerun or reload the app.
    server_flags = ["--server.headless", "true", "--server.address", "127.0.0.1",
                    "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), *server_flags,
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url, log)
    except pytest.fail.Exception as exc:  # the e2e helper fails a test; here, stop the run
        _stop(process)
        raise RuntimeError(str(exc)) from None
    return process, url


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces and ')'
        tree[parent].append(int(entry.name))
    return tree


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MiB (from /proc)."""
    tree, pending, total = _children(), [pid], 0
    while pending:
        current = pending.pop()
        total += _rss_kib(current)
        pending.extend(tree.get(current, []))
    return total / 1024


class PeakMemory(threading.Thread):
    """Polls a process tree's resident memory every `every_s` and keeps the peak."""

    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.peak_mib = self.start_mib = tree_rss_mib(pid)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every_s):
            self.peak_mib = max(self.peak_mib, tree_rss_mib(self.pid))


def uptime() -> str:
    """`uptime`'s line: the machine's load averages."""
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False, timeout=10)
    return done.stdout.strip()


def timings(visits: list[Visit], limit_s: float) -> dict[str, float | int | None]:
    """Visit, error and timeout counts, and p50/p95/max seconds to idle over the visits that
    got there plus the timed-out ones counted at the limit (with timeouts, a lower bound)."""
    seconds = [v.seconds for v in visits if v.seconds is not None]
    seconds += [limit_s for v in visits if v.timed_out]
    figures: dict[str, float | int | None] = {
        "visits": len(visits),
        "errors": sum(v.error is not None for v in visits),
        "timeouts": sum(v.timed_out for v in visits),
    }
    for name, share in (("p50_s", 0.5), ("p95_s", 0.95), ("max_s", 1.0)):
        figures[name] = round(percentile(seconds, share), 3) if seconds else None
    drawn = [v.elements for v in visits if v.elements is not None]
    figures["max_elements"] = max(drawn) if drawn else None
    return figures


def summarise(visits: list[Visit], paths: list[str], limit_s: float) -> dict:
    """Overall and per-page timings, and the failed visits."""
    return {
        "overall": timings(visits, limit_s),
        "pages": {
            f"/{path}": timings([v for v in visits if v.page == path], limit_s) for path in paths
        },
        "errors": [asdict(v) for v in visits if v.error is not None],
    }


def table(summary: dict) -> str:
    """The per-page figures as a text table."""

    def cell(value: float | None) -> str:
        return f"{value:8.2f}" if value is not None else f"{'-':>8}"

    lines = [
        f"{'page':<16}{'visits':>7}{'errors':>7}{'timeouts':>9}"
        f"{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'elements':>9}"
    ]
    rows = [*summary["pages"].items(), ("all pages", summary["overall"])]
    for name, row in rows:
        lines.append(
            f"{name:<16}{row['visits']:>7}{row['errors']:>7}{row['timeouts']:>9}"
            f"{cell(row['p50_s'])}{cell(row['p95_s'])}{cell(row['max_s'])}"
            f"{row['max_elements'] if row['max_elements'] is not None else '-':>9}"
        )
    return "\n".join(lines)


def _watchdog(signum: int, frame: object) -> None:
    raise TimeoutError("the load test overran its time limit")


def run(args: argparse.Namespace) -> int:
    """The whole load test; the exit status (1 when any visit failed)."""
    paths = navigation_paths()
    database = load_database(ROWS)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log = out / f"streamlit-{stamp}.log"
    views = VIEWS[: args.views]
    warmup_budget = (WARMUP_TIMEOUT_S + 30) * len(paths) * len(views) if args.warmup else 0
    signal.signal(signal.SIGALRM, _watchdog)
    signal.alarm(int(args.seconds + 2 * args.visit_timeout + warmup_budget + 300))
    load_before, started_at = uptime(), datetime.now(UTC)
    process = memory = None
    try:
        process, url = start_server(database, log)
        memory = PeakMemory(process.pid)
        memory.start()
        plan = Plan(
            url, paths, views, args.sessions, args.seconds, args.visit_timeout, WARMUP_TIMEOUT_S
        )
        print(
            f"{args.sessions} sessions x {len(paths)} pages for {args.seconds:.0f} s on {url}"
            f"{' after a warm-up' if args.warmup else ''} ...",
            flush=True,
        )
        warm, visits = asyncio.run(drive(plan, args.warmup))
    finally:
        signal.alarm(0)
        if memory is not None:
            memory.done.set()
            memory.join(timeout=5)
        if process is not None:
            _stop(process)
    server_log = log.read_text(errors="replace")
    summary = summarise(visits, paths, args.visit_timeout)
    result = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "sessions": args.sessions,
        "seconds": args.seconds,
        "visit_timeout_s": args.visit_timeout,
        "views": list(views),
        "database": {"path": str(database), "rows": ROWS},
        **summary,
        "warmup": summarise(warm, paths, WARMUP_TIMEOUT_S) if warm else None,
        "server_rss_mib": {"start": round(memory.start_mib), "peak": round(memory.peak_mib)},
        "server_log_tracebacks": server_log.count("Traceback (most recent call last)"),
        "uptime_before": load_before,
        "uptime_after": uptime(),
        "visit_log": [asdict(v) for v in warm + visits],
    }
    target = out / f"load-{stamp}.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (out / "latest.json").write_text(target.read_text())

    if warm:
        print("warm-up: one session, every page and view once, from cold caches")
        print(table(result["warmup"]) + "\n")
    print(f"{args.sessions} concurrent sessions, views {list(views)}")
    print(table(summary))
    overall = summary["overall"]
    print(
        f"\nvisits {overall['visits']}, errors {overall['errors']}, "
        f"server RSS peak {memory.peak_mib:.0f} MiB (start {memory.start_mib:.0f} MiB), "
        f"tracebacks in the server log {result['server_log_tracebacks']}"
    )
    print("elements: the most Streamlit elements one visit drew; timed-out visits count at the")
    print("time limit in p50/p95/max, which are then lower bounds")
    print(f"load before: {load_before}\nload after:  {result['uptime_after']}")
    for error in [*(result["warmup"] or {}).get("errors", []), *summary["errors"]]:
        print(f"\nERROR session {error['session']} /{error['page']}{error['view']}:")
        print(error["error"][:3000])
    print(f"\nwritten: {target} (server log: {log})")
    failed = overall["errors"] + (result["warmup"]["overall"]["errors"] if warm else 0)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=120, help="how long sessions start visits")
    parser.add_argument(
        "--views", type=int, default=2, choices=range(1, len(VIEWS) + 1),
        help="distinct views (language, filter, period) the sessions spread over",
    )  # fmt: skip
    parser.add_argument(
        "--visit-timeout", type=float, default=Plan.visit_timeout_s,
        help="seconds a page may take to become idle before the visit counts as an error",
    )  # fmt: skip
    parser.add_argument(
        "--no-warmup", dest="warmup", action="store_false",
        help="skip the warm-up: the sessions start on cold caches",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT / "load", help="folder for the JSON")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
