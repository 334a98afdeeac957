"""`keystone`: the command line that cron jobs and checks rely on; its JSON is a contract."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from core.bootstrap import build_demo_database, upgrade_schema
from core.concentration import concentration_metrics
from core.db import Database, DatabaseError
from core.discounts import discount_metrics
from core.history import list_uploads, restore_upload
from core.i18n import t
from core.ingest.models import IngestIssue, IngestOptions, PreparedUpload
from core.ingest.pipeline import prepare_upload
from core.metrics import Period, portfolio_metrics
from core.mistakes import mistakes_metrics
from core.people_alerts import coverage_metrics
from core.segments_report import segment_metrics
from core.settings import get_settings
from core.store import StoreError, plan_uploads, store_uploads

EXIT_OK, EXIT_ERROR = 0, 2
UPLOADS_KEYS = {"id", "file", "source", "status", "rows", "months", "uploaded_at"}
"""The keys of each entry `keystone uploads` prints."""
ERROR_KEYS = ("file", "line", "column", "value", "message")
"""The keys of each error a failing command prints, in this order."""


def _print(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _print_errors(errors: list[dict[str, Any]]) -> None:
    """The failure JSON: each error with exactly the keys file, line, column, value, message."""
    _print({"ok": False, "errors": [{key: e.get(key) for key in ERROR_KEYS} for e in errors]})


def _fail(issues: list[IngestIssue]) -> int:
    for item in issues:
        sys.stderr.write(item.as_line() + "\n")
    _print_errors([i.model_dump() for i in issues])
    return EXIT_ERROR


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors print the failure JSON too, for scripts."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        _print_errors([{"message": f"{self.prog}: {message}"}])
        raise SystemExit(EXIT_ERROR)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field_name = pair.rpartition("=")
        if not sep or not column.strip() or not field_name.strip():
            raise ValueError(f"--map takes COLUMN=field, not '{pair}'")
        mapping[column.strip()] = field_name.strip()
    return mapping


def _database(args: argparse.Namespace) -> Database:
    settings = get_settings()
    return Database(Path(args.db) if args.db else settings.db_path, settings.lock_timeout_s)


def _stored_database(args: argparse.Namespace) -> Database:
    """The database a reading command works on; a missing, damaged or empty one is an error
    that names the file and what to run."""
    db = _database(args)
    db.require()
    if not db.exists():
        raise DatabaseError(f"{db.path} holds no data yet; run `keystone ingest` or `make demo`")
    upgrade_schema(db)  # a file an older Keystone wrote gains what the figures read
    return db


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = get_settings()
    options = IngestOptions(
        source=args.source,
        kind=args.kind,
        sheet=args.sheet,
        mapping=_mapping(args.map),
        date_order=args.date_order or settings.date_order,
        max_bytes=int(settings.max_upload_mb * 2**20),
        max_field_chars=settings.max_field_chars,
        max_errors=settings.max_errors,
    )
    batch = []
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            detail = exc.strerror or type(exc).__name__
            return _fail(
                [
                    IngestIssue(
                        file=name,
                        message=t("ingest.unreadable_file", "en", detail=detail),
                        rule="unreadable_file",
                        params={"detail": detail},
                    )
                ]
            )
        batch.append(prepare_upload(path.name, data, options))
    errors = [issue for prepared in batch for issue in prepared.report.errors]
    if errors:
        return _fail(errors)
    db = _database(args)
    if args.dry_run:
        return _dry_run(db, batch, args.replace)
    try:
        results = store_uploads(db, batch, replace=args.replace)
    except StoreError as exc:
        return _fail(exc.issues)
    _print({"ok": True, "uploads": [r.model_dump() for r in results]})
    return EXIT_OK


def _dry_run(db: Database, batch: list[PreparedUpload], replace: bool) -> int:
    """Say what `ingest` would do, refusals included, and write nothing."""
    try:
        if db.exists():
            with db.connect() as con:
                plans = plan_uploads(con, batch, replace)
        else:
            plans = plan_uploads(None, batch, replace)
    except StoreError as exc:
        return _fail(exc.issues)
    uploads = [plan.result(plan.same_upload).model_dump() for plan in plans]
    _print({"ok": True, "dry_run": True, "uploads": uploads})
    return EXIT_OK


def cmd_metrics(args: argparse.Namespace) -> int:
    period = Period.from_text(args.date_from, args.date_to)
    db = _stored_database(args)
    with db.connect() as con:
        metrics = portfolio_metrics(con, period).model_dump()
        metrics.update(concentration_metrics(con, period))
        # discount_rate stays the headline definition above; the rest is added.
        discounts = discount_metrics(con, period)
        metrics.update({k: v for k, v in discounts.items() if k not in metrics})
        metrics.update({k: v for k, v in segment_metrics(con, period).items() if k not in metrics})
        metrics.update(coverage_metrics(con, period, get_settings().people))
        metrics.update(mistakes_metrics(con, period))
    _print(metrics)
    return EXIT_OK


def cmd_uploads(args: argparse.Namespace) -> int:
    db = _database(args)
    uploads = []
    if db.exists():
        with db.connect() as con:
            uploads = [u.model_dump(include=UPLOADS_KEYS) for u in list_uploads(con)]
    _print({"uploads": uploads})
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        months = restore_upload(_database(args), args.upload_id)
    except StoreError as exc:
        return _fail(exc.issues)
    _print({"ok": True, "upload_id": args.upload_id, "restored_months": months})
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    results = build_demo_database(_database(args), force=args.force)
    _print({"ok": True, "uploads": [r.model_dump() for r in results]})
    return EXIT_OK


def cmd_rebuild(args: argparse.Namespace) -> int:
    from core.rebuild import rebuild_database

    result = rebuild_database(_database(args))
    _print(
        {
            "ok": True,
            "uploads": result.uploads,
            "rows": result.rows,
            "previous_file": str(result.backup),
            "data_version": result.data_version,
        }
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from core.backup import backup_database

    result = backup_database(_database(args), Path(args.folder))
    _print(
        {
            "ok": True,
            "backup": str(result.path),
            "tables": result.tables,
            "size_bytes": result.size_bytes,
            "data_version": result.data_version,
        }
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from core.report import ReportError, render_report, stored_period
    from core.scope import Aliases, Scope

    period = Period.from_text(args.date_from, args.date_to)
    db = _stored_database(args)
    lang = args.lang or get_settings().language
    stored = stored_period(db, period)
    if stored is None:
        raise ReportError(
            f"no stored month falls in {args.date_from or '…'} – {args.date_to or '…'}"
        )
    aliases = {
        part: t(f"scope.alias.{part}", lang) for part in ("account", "group", "owner", "contact")
    }
    scope = Scope(
        anonymise=args.anonymise,
        index_month=stored.start if args.index else None,
        aliases=Aliases(**aliases),
    )
    report = render_report(db, stored, lang, scope)
    data = report.html.encode("utf-8")
    target = Path(args.output)
    if not target.parent.is_dir():
        raise ValueError(f"{target.parent} is not a folder; cannot write {target.name}")
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)  # a reader never sees half a pack
    _print({"ok": True, "file": str(target), "bytes": len(data), "sections": list(report.sections)})
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    root = _Parser(prog="keystone", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--db", help="database file (default: KEYSTONE_DB_PATH or data/keystone.duckdb)"
        )
        return p

    ingest = with_db(sub.add_parser("ingest", help="validate and store monthly export files"))
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--source", default="default", help="business unit or system")
    ingest.add_argument(
        "--kind",
        choices=["export", "contacts", "accounts"],
        default="export",
        help="what the files hold: monthly sales rows (default), contacts or the account master",
    )
    ingest.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=field",
        help="map a column to a field, or to 'ignore'; repeatable",
    )
    ingest.add_argument("--replace", action="store_true", help="replace months already stored")
    ingest.add_argument("--dry-run", action="store_true", help="validate only; store nothing")
    ingest.add_argument(
        "--date-order",
        choices=["auto", "dmy", "mdy"],
        help="order of day and month in dates like 03/04/2026",
    )
    ingest.set_defaults(run=cmd_ingest)

    metrics = with_db(sub.add_parser("metrics", help="headline figures for a period, as JSON"))
    metrics.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    metrics.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    metrics.set_defaults(run=cmd_metrics)

    uploads = with_db(sub.add_parser("uploads", help="the upload history, as JSON"))
    uploads.set_defaults(run=cmd_uploads)

    restore = with_db(sub.add_parser("restore", help="bring back what an upload replaced"))
    restore.add_argument("upload_id", type=int)
    restore.set_defaults(run=cmd_restore)

    demo = with_db(sub.add_parser("demo", help="build the database from the shipped demo files"))
    demo.add_argument(
        "--force",
        action="store_true",
        help="rebuild even if the file exists; it is moved aside to <name>.bak-<time> first",
    )
    demo.set_defaults(run=cmd_demo)

    rebuild = with_db(
        sub.add_parser(
            "rebuild",
            help="rebuild the database from its stored raw files; the old file is kept as .bak",
        )
    )
    rebuild.set_defaults(run=cmd_rebuild)

    backup = with_db(
        sub.add_parser("backup", help="write a consistent copy of the database into FOLDER")
    )
    backup.add_argument("folder", metavar="FOLDER")
    backup.set_defaults(run=cmd_backup)

    report = with_db(
        sub.add_parser("report", help="write the QBR pack: one self-contained HTML file")
    )
    report.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    report.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    report.add_argument("--anonymise", action="store_true", help="names become aliases")
    report.add_argument("--index", action="store_true", help="money as an index: first month = 100")
    report.add_argument("--lang", choices=["en", "zh"], help="default: KEYSTONE_LANGUAGE")
    report.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file")
    report.set_defaults(run=cmd_report)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `keystone` console script."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error whose JSON error() has printed
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return args.run(args)
    except (RuntimeError, ValueError, OSError, duckdb.Error) as exc:
        sys.stderr.write(f"keystone: {exc}\n")
        _print_errors([{"message": str(exc)}])
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
