"""SIGKILL a `keystone ingest --replace` of a large export at every step of the write.

The process is killed either by itself at a named step (KEYSTONE_FAULT_AT, see core.db) or by
the test a moment after a step shows in the step log (KEYSTONE_FAULT_LOG). After each kill the
database opens, holds either the previous data whole (same `keystone metrics` JSON) or, once
COMMIT has returned, the new upload whole, never a part of it; and a retried ingest succeeds.
"""

from __future__ import annotations

import json
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.store import store_uploads
from tests.reliability.conftest import (
    assert_consistent,
    keystone,
    metrics_json,
    spawn,
    state,
    write_export,
)

pytestmark = pytest.mark.reliability

MONTHS = ("2026-01", "2026-02", "2026-03")
ROWS = 300_000
"""Rows of the replacing export: large enough that inserting and checkpointing take a while."""


@dataclass(frozen=True)
class Kill:
    """Where to kill: at a step by the process itself, or `delay_s` after the test sees it."""

    name: str
    at: str | None = None
    """KEYSTONE_FAULT_AT: 'step:N', the Nth time the step is reached (1: ensure_schema's
    transaction, 2: the upload's)."""
    after: tuple[str, int] | None = None
    """(step, N): the test kills `delay_s` after the Nth occurrence of the step shows."""
    delay_s: float = 0.0


KILLS = (
    Kill("while parsing the file", at="read:1"),
    Kill("holding the lock for the schema check", at="locked:1"),
    Kill("holding the lock for the upload", at="locked:2"),
    Kill("right after BEGIN", at="begun:2"),
    Kill("while inserting rows", after=("begun", 2), delay_s=0.05),
    Kill("while inserting rows, later", after=("begun", 2), delay_s=0.2),
    Kill("after the post-write checks, before COMMIT", at="before_commit:2"),
    Kill("during COMMIT (writing the WAL)", after=("before_commit", 2)),
    Kill("after COMMIT, before the checkpoint", at="committed:2"),
    Kill("during the checkpoint on close", after=("committed", 2), delay_s=0.01),
    Kill("after close, still holding the lock", at="closed:2"),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A stored database (an old 3-month upload and April) and the 3-month replacement."""
    folder = tmp_path_factory.mktemp("crash")
    old = write_export(folder / "old.csv", 60_000, seed=1, months=MONTHS)
    april = write_export(folder / "april.csv", 5_000, seed=3, months=("2026-04",))
    new = write_export(folder / "new.csv", ROWS, seed=7, months=MONTHS)
    base = Database(folder / "base.duckdb")
    for path in (old, april):
        store_uploads(base, [prepare_upload(path.name, path.read_bytes())])
    replacement = prepare_upload(new.name, new.read_bytes(), IngestOptions(max_bytes=2**30))
    expected = Database(folder / "expected.duckdb")
    shutil.copy(base.path, expected.path)
    [result] = store_uploads(expected, [replacement], replace=True)
    assert result.status == "replaced"
    return {
        "folder": folder,
        "base": base.path,
        "new": new,
        "replacement": replacement,
        "old_state": state(base.path),
        "old_metrics": metrics_json(base.path),
        "new_state": state(expected.path),
        "new_metrics": metrics_json(expected.path),
        "outcomes": [],
    }


def _steps(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def _seen(steps: list[str], step: str, nth: int) -> bool:
    return steps.count(step) >= nth


def _run_and_kill(kill: Kill, db: Path, world: dict, log: Path) -> list[str]:
    """Start the ingest, kill it as `kill` says; the steps it logged before dying."""
    env = {"KEYSTONE_FAULT_LOG": str(log), "KEYSTONE_MAX_UPLOAD_MB": "1024"}
    if kill.at:
        env["KEYSTONE_FAULT_AT"] = kill.at
    process = spawn("ingest", str(world["new"]), "--replace", "--db", str(db), env=env)
    if kill.after:
        step, nth = kill.after
        deadline = time.monotonic() + 60
        while not _seen(_steps(log), step, nth) and process.poll() is None:
            assert time.monotonic() < deadline, "the ingest never reached " + step
            time.sleep(0.002)
        time.sleep(kill.delay_s)
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"{kill.name}: not killed ({process.returncode})"
    return _steps(log)


@pytest.mark.parametrize("kill", KILLS, ids=[k.name for k in KILLS])
def test_kill_leaves_old_or_new_whole(kill: Kill, world: dict, tmp_path: Path) -> None:
    db = tmp_path / "keystone.duckdb"
    shutil.copy(world["base"], db)
    steps = _run_and_kill(kill, db, world, tmp_path / "steps.log")
    wal_left = db.with_name(db.name + ".wal").exists()

    # The database opens, and a reader sees one whole version: the old, or (after COMMIT) the new.
    assert_consistent(db)
    seen_state, seen_metrics = state(db), metrics_json(db)
    committed = _seen(steps, "committed", 2)
    maybe_committed = _seen(steps, "before_commit", 2)
    if committed:
        assert (seen_state, seen_metrics) == (world["new_state"], world["new_metrics"])
        outcome = "new"
    elif seen_state == world["old_state"]:
        assert seen_metrics == world["old_metrics"]
        outcome = "old"
    else:
        assert maybe_committed, f"{kill.name}: changed data before COMMIT ({steps})"
        assert (seen_state, seen_metrics) == (world["new_state"], world["new_metrics"])
        outcome = "new"
    if kill.name.startswith("while parsing"):
        assert steps == ["parsing", "read"], "killed too late to be parsing"

    # A retry succeeds at once: no stale lock, WAL replayed; it ends with the new data.
    started = time.monotonic()
    [retried] = store_uploads(Database(db, lock_timeout_s=5), [world["replacement"]], replace=True)
    assert time.monotonic() - started < 5
    assert retried.status == ("replaced" if outcome == "old" else "unchanged")
    assert_consistent(db)
    assert (state(db), metrics_json(db)) == (world["new_state"], world["new_metrics"])
    world["outcomes"].append(
        (f"ingest killed {kill.name}", steps[-1] if steps else "-", outcome, wal_left)
    )


def test_retry_through_the_cli_after_a_kill(world: dict, tmp_path: Path) -> None:
    """The cron job's own retry, after a kill mid-insert: exit 0 and the replace is stored."""
    db = tmp_path / "keystone.duckdb"
    shutil.copy(world["base"], db)
    _run_and_kill(Kill("mid-insert", after=("begun", 2), delay_s=0.1), db, world, tmp_path / "l")
    done = keystone(
        "ingest", str(world["new"]), "--replace", "--db", str(db),
        env={"KEYSTONE_MAX_UPLOAD_MB": "1024"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["uploads"][0]["status"] == "replaced"
    assert metrics_json(db) == world["new_metrics"]


@pytest.mark.parametrize("at", ["before_commit:2", "committed:2"])
def test_kill_during_a_restore(world: dict, tmp_path: Path, at: str) -> None:
    """A restore is UPDATEs of the active flags: killed before COMMIT nothing changed; killed
    after it, the WAL's UPDATEs replay on the next open and the old upload is back."""
    db = tmp_path / "keystone.duckdb"
    shutil.copy(world["base"], db)
    [replaced] = store_uploads(Database(db), [world["replacement"]], replace=True)
    log = tmp_path / "steps.log"
    env = {"KEYSTONE_FAULT_LOG": str(log), "KEYSTONE_FAULT_AT": at}
    process = spawn("restore", str(replaced.id), "--db", str(db), env=env)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    wal_left = db.with_name(db.name + ".wal").exists()
    assert_consistent(db)
    version = "new" if at.startswith("before") else "old"
    assert state(db)["by_month"] == world[f"{version}_state"]["by_month"]
    assert metrics_json(db) == world[f"{version}_metrics"]
    world["outcomes"].append((f"restore killed at {at}", _steps(log)[-1], version, wal_left))


def test_report(world: dict) -> None:
    """Print the fault points killed and survived (pytest -s shows it)."""
    outcomes = world["outcomes"]
    for name, last_step, outcome, wal_left in outcomes:
        print(f"{name:48} last step {last_step:14} -> {outcome} data, wal left: {wal_left}")
    print(f"fault points killed: {len(outcomes)}, survived: {len(outcomes)}")
    assert len(outcomes) == len(KILLS) + 2
