"""First run: build the database from the shipped demo exports, through the ordinary ingest path."""

from __future__ import annotations

import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import duckdb

from core.db import Database, DatabaseBusy, DatabaseError
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.reference_fields import FileKind
from core.schema import SCHEMA_VERSION
from core.settings import get_settings
from core.sql import scalar
from core.store import StoreError, UploadResult, store_uploads

DEMO_SUFFIXES = (".csv", ".xlsx", ".parquet")

log = logging.getLogger(__name__)


def demo_files(demo_dir: Path) -> list[Path]:
    """The demo exports, generated (with the companion files) when the folder is empty."""
    files = sorted(p for p in demo_dir.glob("*") if p.suffix.lower() in DEMO_SUFFIXES)
    if not files:
        from core.demo import DEMO_SEED, build_demo_frame, write_demo_files
        from core.demo_people import write_companion_files

        files = write_demo_files(demo_dir)
        write_companion_files(demo_dir, build_demo_frame(DEMO_SEED), DEMO_SEED)
    return files


def companion_files(demo_dir: Path) -> list[tuple[Path, FileKind]]:
    """The demo's contacts and accounts files that exist, each with its kind."""
    from core.demo_people import COMPANION_DIR, COMPANION_KINDS

    folder = demo_dir / COMPANION_DIR
    return [
        (folder / name, kind) for name, kind in COMPANION_KINDS.items() if (folder / name).exists()
    ]


def _is_keystone(db: Database) -> bool:
    """True for a Keystone database; False for any other file at the path."""
    try:
        return db.exists()
    except DatabaseBusy:
        raise
    except DatabaseError:
        return False


def _refuse_foreign(db: Database) -> NoReturn:
    raise DatabaseError(
        f"{db.path} exists but is not a Keystone database, so the demo will not overwrite it; "
        f"set KEYSTONE_DB_PATH or --db to another file, or run `keystone demo --force` "
        f"to move it aside to a backup first"
    )


def _move_aside(path: Path) -> Path:
    """Rename the file (and its .wal) to `<name>.bak-YYYYmmddTHHMMSS`; returns the new path."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    tries = 1
    while backup.exists() or _wal(backup).exists():
        tries += 1
        backup = path.with_name(f"{path.name}.bak-{stamp}-{tries}")
    if path.exists():
        os.replace(path, backup)
    if _wal(path).exists():  # moved even alone: a stray log must not replay into the new file
        os.replace(_wal(path), _wal(backup))
    return backup


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def build_demo_database(db: Database, force: bool = False) -> list[UploadResult]:
    """Ingest every demo file into a fresh database file, swapped in only when complete.

    An existing file is never lost: a Keystone database is kept unless `force`, and whatever is
    replaced is first moved aside to a dated backup; any other file is refused without `force`."""
    if db.path.exists() and not force:
        if _is_keystone(db):
            return []
        _refuse_foreign(db)
    settings = get_settings()
    batch = [
        prepare_upload(path.name, path.read_bytes(), IngestOptions(source="demo"))
        for path in demo_files(settings.demo_dir)
    ]
    batch.sort(key=lambda prepared: prepared.report.months)  # upload ids follow the calendar
    batch += [
        prepare_upload(path.name, path.read_bytes(), IngestOptions(source="demo", kind=kind))
        for path, kind in companion_files(settings.demo_dir)
    ]
    errors = [e for prepared in batch for e in prepared.report.errors]
    if errors:
        raise StoreError(errors)
    # A name of its own, so two builds at once never write into the same staging file.
    staging = Database(
        db.path.with_name(f"{db.path.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}"),
        db.lock_timeout_s,
    )
    try:
        results = store_uploads(staging, batch)
        with db.write_lock():
            if db.path.exists() and not force:  # another build or upload got there first
                if _is_keystone(db):
                    return []
                _refuse_foreign(db)
            if db.path.exists() or _wal(db.path).exists():
                log.warning("moved the previous %s aside to %s", db.path, _move_aside(db.path))
            os.replace(staging.path, db.path)
            if _wal(staging.path).exists():
                os.replace(_wal(staging.path), _wal(db.path))
    finally:
        for leftover in (staging.path, _wal(staging.path), staging.lock_path):
            leftover.unlink(missing_ok=True)
    return results


def ensure_database() -> Database:
    """The configured database, built from the demo exports when it does not exist yet."""
    settings = get_settings()
    db = Database(settings.db_path, settings.lock_timeout_s)
    if not db.path.exists():
        build_demo_database(db)
    else:
        upgrade_schema(db)
    return db


def upgrade_schema(db: Database) -> None:
    """Add what a newer Keystone stores (tables, views) to a file an older one wrote.

    A file that cannot be read is left alone: the first read names the damage and the fix."""
    try:
        with db.connect() as con:
            stored = scalar(
                con,
                "SELECT max(TRY_CAST(value AS INTEGER)) FROM meta WHERE key = 'schema_version'",
            )
    except (DatabaseError, duckdb.Error):
        return
    if stored is None or stored < SCHEMA_VERSION:
        db.ensure_schema()
