"""First run: build the database from the shipped demo exports, through the ordinary ingest path."""

from __future__ import annotations

import os
from pathlib import Path

from core.db import Database
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.settings import get_settings
from core.store import StoreError, UploadResult, store_uploads

DEMO_SUFFIXES = (".csv", ".xlsx", ".parquet")


def demo_files(demo_dir: Path) -> list[Path]:
    """The demo exports, generated on first use if the folder is empty."""
    files = sorted(p for p in demo_dir.glob("*") if p.suffix.lower() in DEMO_SUFFIXES)
    if not files:
        from core.demo import write_demo_files

        files = write_demo_files(demo_dir)
    return files


def build_demo_database(db: Database, force: bool = False) -> list[UploadResult]:
    """Ingest every demo file into a fresh database file, swapped in only when complete."""
    if db.exists() and not force:
        return []
    settings = get_settings()
    batch = [
        prepare_upload(path.name, path.read_bytes(), IngestOptions(source="demo"))
        for path in demo_files(settings.demo_dir)
    ]
    batch.sort(key=lambda prepared: prepared.report.months)  # upload ids follow the calendar
    errors = [e for prepared in batch for e in prepared.report.errors]
    if errors:
        raise StoreError(errors)
    staging = Database(db.path.with_name(db.path.name + ".building"), db.lock_timeout_s)
    staging.path.unlink(missing_ok=True)
    results = store_uploads(staging, batch)
    os.replace(staging.path, db.path)
    Path(str(db.path) + ".wal").unlink(missing_ok=True)
    staging.lock_path.unlink(missing_ok=True)
    return results


def ensure_database() -> Database:
    """The configured database, built from the demo exports when it does not exist yet."""
    settings = get_settings()
    db = Database(settings.db_path, settings.lock_timeout_s)
    if not db.path.exists():
        build_demo_database(db)
    return db
