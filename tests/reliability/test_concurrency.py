"""Readers in their own processes (the app's query path) and `keystone ingest` writers at once.

Readers never see half a replace: every read of the per-month rows and revenue is the old
version or the new one, and once a reader has seen the new one it never sees the old again.
Writers are serialised: each one plans its upload under the lock, so it sees the one before it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.backup import backup_database
from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.sql import fetch_all
from core.store import store_uploads
from tests.reliability.conftest import (
    assert_consistent,
    keystone,
    metrics_json,
    spawn,
    start_readers,
    state,
    stop_readers,
    write_export,
)

pytestmark = pytest.mark.reliability

MONTHS = ("2026-01", "2026-02", "2026-03")
BIG = {"KEYSTONE_MAX_UPLOAD_MB": "1024"}
READERS = 3
WRITERS = 4


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("concurrency")
    found = {
        "old": write_export(folder / "old.csv", 60_000, seed=1, months=MONTHS),
        "new": write_export(folder / "new.csv", 150_000, seed=7, months=MONTHS),
    }
    for number in range(WRITERS):
        month = f"2026-{4 + number:02d}"
        found[month] = write_export(
            folder / f"{month}.csv", 20_000, seed=11 + number, months=(month,)
        )
    found["2026-04 v2"] = write_export(
        folder / "2026-04_v2.csv", 20_000, seed=5, months=("2026-04",)
    )
    base = Database(folder / "base.duckdb")
    store_uploads(base, [prepare_upload("old.csv", found["old"].read_bytes())])
    found["base"] = base.path
    return found


def _by_month(path: Path) -> list[list]:
    with Database(path).connect() as con:
        rows = fetch_all(
            con,
            "SELECT strftime(month, '%Y-%m'), count(*), round(sum(net_revenue), 2) "
            "FROM active_rows GROUP BY 1 ORDER BY 1",
        )
    return [list(row) for row in rows]


def _copy(files: dict[str, Path], folder: Path) -> Path:
    db = folder / "keystone.duckdb"
    db.write_bytes(files["base"].read_bytes())
    return db


class TestReplaceWhileReading:
    def test_readers_see_old_or_new_never_half(self, files, tmp_path):
        db = _copy(files, tmp_path)
        old = _by_month(db)
        new_db = tmp_path / "expected.duckdb"
        new_db.write_bytes(db.read_bytes())
        replacement = prepare_upload(
            "new.csv", files["new"].read_bytes(), IngestOptions(max_bytes=2**30)
        )
        store_uploads(Database(new_db), [replacement], replace=True)
        new = _by_month(new_db)
        assert [m for m, *_ in old] == [m for m, *_ in new] == list(MONTHS)
        assert all(o != n for o, n in zip(old, new, strict=True))  # every month changes

        stop = tmp_path / "stop"
        readers = start_readers(db, stop, READERS)
        time.sleep(0.3)  # the readers are reading the old version
        done = keystone("ingest", str(files["new"]), "--replace", "--db", str(db), env=BIG)
        time.sleep(0.5)
        seen = stop_readers(readers, stop)

        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["uploads"][0]["status"] == "replaced"
        assert_consistent(db)
        assert _by_month(db) == new
        for reads in seen:
            assert [r for r in reads if "error" in r] == []
            versions = ["old" if r["by_month"] == old else "new" for r in reads]
            half = [r for r in reads if r["by_month"] not in (old, new)]
            assert half == []
            assert versions[0] == "old" and versions[-1] == "new"
            assert versions == sorted(versions, key=["old", "new"].index)  # never back
        print(f"{READERS} readers, {sum(map(len, seen))} reads, 1 writer: no half replace")


class TestBusy:
    """A process holding the file past the writer's patience: a clear 'busy, retry', exit 2."""

    def test_reader_holding_the_file(self, files, tmp_path):
        db = _copy(files, tmp_path)
        before = metrics_json(db)
        holder = _hold(
            "import duckdb\n"
            f"con = duckdb.connect({str(db)!r})\n"
            "print('open', flush=True)\n"
            "time.sleep(8)"
        )
        try:
            started = time.monotonic()
            done = keystone(
                "ingest", str(files["2026-04"]), "--db", str(db),
                env={**BIG, "KEYSTONE_LOCK_TIMEOUT_S": "1"},
            )  # fmt: skip
            waited = time.monotonic() - started
        finally:
            holder.kill()
            holder.wait()
        assert done.returncode == 2
        [error] = json.loads(done.stdout)["errors"]
        assert error["message"] == f"{db} is busy (another process has it open); retry shortly"
        assert "Traceback" not in done.stderr
        assert waited < 8, "the writer waited past its timeout"
        assert metrics_json(db) == before
        # the cron job's retry, once the file is free
        again = keystone("ingest", str(files["2026-04"]), "--db", str(db), env=BIG)
        assert again.returncode == 0, again.stderr

    def test_another_writer_holding_the_lock(self, files, tmp_path):
        """Another Keystone writer is storing (it holds the writer's lock) for 8 s."""
        db = _copy(files, tmp_path)
        before = metrics_json(db)
        holder = _hold(
            "from core.db import Database\n"
            f"with Database(Path({str(db)!r})).write_lock():\n"
            "    print('open', flush=True)\n"
            "    time.sleep(8)"
        )
        try:
            done = keystone(
                "ingest", str(files["2026-05"]), "--db", str(db),
                env={**BIG, "KEYSTONE_LOCK_TIMEOUT_S": "0.5"},
            )  # fmt: skip
        finally:
            holder.kill()
            holder.wait()
        assert done.returncode == 2
        [error] = json.loads(done.stdout)["errors"]
        assert error["message"] == (f"{db} is busy (another upload is being stored); retry shortly")
        assert metrics_json(db) == before
        assert keystone("ingest", str(files["2026-05"]), "--db", str(db), env=BIG).returncode == 0


def _hold(script: str) -> subprocess.Popen[str]:
    """A process that runs `script` (which prints 'open' once it holds the file), started."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time\nfrom pathlib import Path\n" + script],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


class TestWritersAtOnce:
    def test_writers_of_different_months_all_land(self, files, tmp_path):
        db = _copy(files, tmp_path)
        version = Database(db).data_version()
        stop = tmp_path / "stop"
        readers = start_readers(db, stop, 2)
        writers = [
            spawn("ingest", str(files[f"2026-{4 + n:02d}"]), "--db", str(db), env=BIG)
            for n in range(WRITERS)
        ]
        outcomes = [(w.communicate(timeout=120), w.returncode) for w in writers]
        seen = stop_readers(readers, stop)
        assert [code for _, code in outcomes] == [0] * WRITERS, [o[0][1] for o in outcomes]
        ids = sorted(json.loads(out)["uploads"][0]["id"] for (out, _), _ in outcomes)
        assert ids == list(range(2, 2 + WRITERS))
        assert Database(db).data_version() == version + WRITERS
        assert_consistent(db)
        months = [m for m, *_ in _by_month(db)]
        assert months == [*MONTHS, *(f"2026-{4 + n:02d}" for n in range(WRITERS))]
        assert all("error" not in r for reads in seen for r in reads)
        print(f"{WRITERS} concurrent writers, 2 readers ({sum(map(len, seen))} reads): serialised")

    def test_the_second_writer_of_a_month_sees_the_first(self, files, tmp_path):
        """Two files of the same month, no --replace: one is stored, the other refused."""
        db = _copy(files, tmp_path)
        writers = [
            spawn("ingest", str(files[key]), "--db", str(db), env=BIG)
            for key in ("2026-04", "2026-04 v2")
        ]
        results = [(w.communicate(timeout=120)[0], w.returncode) for w in writers]
        assert sorted(code for _, code in results) == [0, 2]
        [refused] = [json.loads(out) for out, code in results if code == 2]
        assert (
            "2026-04 is already stored for source 'default' (upload 2"
            in (refused["errors"][0]["message"])
        )
        assert_consistent(db)
        assert state(db)["uploads"][-1][0] == 2


class TestBackupWhileReading:
    def test_backups_taken_between_reads_answer_the_same(self, files, tmp_path):
        """Reader processes keep reading while three backups are taken from this one."""
        db = _copy(files, tmp_path)
        before = metrics_json(db)
        stop = tmp_path / "stop"
        readers = start_readers(db, stop, READERS)
        try:
            copies = [backup_database(Database(db), tmp_path / "backups") for _ in range(3)]
        finally:
            seen = stop_readers(readers, stop)
        assert all("error" not in r for reads in seen for r in reads)
        assert {len(reads) > 1 for reads in seen} == {True}
        for copy in copies:
            assert metrics_json(copy.path) == before
        print(f"{READERS} readers ({sum(map(len, seen))} reads) during 3 backups")
