"""The Concentration page on the demo data through Streamlit's AppTest: one cold run, then
warm reruns whose figures come from the page's caches (issue target: under 100 ms).

The demo database is built into a temporary directory by `keystone demo --db`. The cold run
is the first run of the page in this process, after the router has run once on the home page
(so the database connection exists, but no concentration figure is cached). Every warm rerun
runs the whole app script (router and page) as a browser rerun would; AppTest's own work
(starting the script thread, reading the element tree back) is included, so the figures are an
upper bound on the script's time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGE = "app_pages/concentration.py"


def build_demo(path: Path) -> float:
    """Build the demo database at path with the `keystone` command; the seconds it took."""
    keystone = Path(sys.executable).with_name("keystone")
    started = time.perf_counter()
    subprocess.run(
        [str(keystone), "demo", "--db", str(path)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


SCRIPT_MS: list[float] = []
"""How long each thread AppTest started ran, in ms: the script alone, without AppTest reading
the element tree back."""
_thread_run = threading.Thread.run


def _timed_thread_run(self: threading.Thread) -> None:
    started = time.perf_counter()
    try:
        _thread_run(self)
    finally:
        SCRIPT_MS.append((time.perf_counter() - started) * 1000)


def timed_run(at, switch: str | None = None) -> tuple[float, float]:  # noqa: ANN001 (AppTest)
    """One run of the app: (end to end, script thread) in ms; raises on a page exception."""
    SCRIPT_MS.clear()
    started = time.perf_counter()
    (at.switch_page(switch) if switch else at).run()
    elapsed = (time.perf_counter() - started) * 1000
    if at.exception:
        raise RuntimeError([error.value for error in at.exception])
    return elapsed, sum(SCRIPT_MS)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="warm reruns")
    parser.add_argument("--db", type=Path, help="use this database instead of a fresh demo")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="keystone-bench-page-") as folder:
        path = args.db or Path(folder) / "keystone.duckdb"
        if args.db is None:
            print(f"demo database built in {build_demo(path):.1f} s")
        os.environ["KEYSTONE_DB_PATH"] = str(path)
        os.environ["KEYSTONE_LANGUAGE"] = "en"
        sys.path.insert(0, str(ROOT))
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(APP), default_timeout=300)
        threading.Thread.run = _timed_thread_run  # type: ignore[method-assign]
        router = timed_run(at)
        cold = timed_run(at, PAGE)
        warm = [timed_run(at) for _ in range(args.runs)]
        at.segmented_control(key="conc_by").set_value("group")
        group_cold = timed_run(at)
        group_warm = [timed_run(at) for _ in range(args.runs)]
        threading.Thread.run = _thread_run  # type: ignore[method-assign]

    def line(name: str, runs: list[tuple[float, float]]) -> str:
        total, script = [run[0] for run in runs], [run[1] for run in runs]
        return (
            f"{name:<30} median {statistics.median(total):6.1f} ms   "
            f"p95 {percentile(total, 0.95):6.1f} ms   min {min(total):6.1f} ms   "
            f"(script alone: median {statistics.median(script):6.1f} ms, "
            f"p95 {percentile(script, 0.95):6.1f} ms)"
        )

    def once(name: str, run: tuple[float, float]) -> str:
        return f"{name:<30} {run[0]:6.1f} ms   (script alone {run[1]:6.1f} ms)"

    print("AppTest runs, end to end:")
    print(once("first run (home page)", router))
    print(once("Concentration, cold", cold))
    print(line(f"Concentration, warm x{args.runs}", warm))
    print(once("by group, cold", group_cold))
    print(line(f"by group, warm x{args.runs}", group_warm))
    medians = [statistics.median(run[0] for run in runs) for runs in (warm, group_warm)]
    print(
        f"target: a cached rerun under 100 ms (median, end to end) -> "
        f"{'met' if max(medians) < 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
