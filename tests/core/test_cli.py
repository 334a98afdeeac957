"""`keystone` on the command line: exit codes, JSON keys and stderr lines, as the contract says."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from core.cli import main
from tests.core.conftest import write, xlsx_bytes

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
MARCH_V2 = "month,customer,net revenue\n2026-03,A,120\n2026-03,C,10\n"
APRIL = "month,customer,net revenue\n2026-04,A,30\n"
BAD = "month,customer,net revenue\n2026-05,A,100\n2026-05,B,x\n"
UPLOAD_KEYS = {
    "id",
    "file",
    "sha256",
    "source",
    "rows",
    "months",
    "accounts",
    "net_revenue",
    "status",
    "warnings",
}
ERROR_KEYS = {"file", "line", "column", "value", "message"}


class Run:
    """Runs `keystone` in-process against one database and parses what it printed."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path, self.capsys = tmp_path, capsys
        self.db = tmp_path / "k.duckdb"

    def file(self, name: str, content: str | bytes) -> str:
        return str(write(self.tmp_path, name, content))

    def __call__(self, *argv: str, db: bool = True) -> tuple[int, dict, list[str]]:
        args = [*argv, "--db", str(self.db)] if db else list(argv)
        code = main(args)
        out, err = self.capsys.readouterr()
        return code, json.loads(out), err.splitlines()


@pytest.fixture
def run(tmp_path, capsys, monkeypatch) -> Run:
    monkeypatch.setenv("KEYSTONE_DB_PATH", str(tmp_path / "env.duckdb"))
    for name in ("KEYSTONE_MAX_UPLOAD_MB", "KEYSTONE_DATE_ORDER", "KEYSTONE_MAX_FIELD_CHARS"):
        monkeypatch.delenv(name, raising=False)
    return Run(tmp_path, capsys)


class TestIngest:
    """Success prints the uploads; errors print one line each and store nothing."""

    def test_success_contract(self, run):
        path = run.file("march.csv", MARCH)
        code, out, err = run("ingest", path)
        assert (code, err) == (0, [])
        assert set(out) == {"ok", "uploads"}
        assert out["ok"] is True
        [upload] = out["uploads"]
        assert set(upload) == UPLOAD_KEYS
        assert upload == {
            "id": 1,
            "file": "march.csv",
            "sha256": hashlib.sha256(MARCH.encode()).hexdigest(),
            "source": "default",
            "rows": 2,
            "months": ["2026-03"],
            "accounts": 2,
            "net_revenue": 150.0,
            "status": "stored",
            "warnings": [],
        }

    def test_rows_exclude_title_header_and_subtotal_rows(self, run):
        text = "March export\n\n" + MARCH + "合计,,150\n"
        code, out, _ = run("ingest", run.file("march.csv", text))
        [upload] = out["uploads"]
        assert (code, upload["rows"], upload["net_revenue"]) == (0, 2, 150.0)
        assert upload["warnings"] == ["1 subtotal or total rows excluded (lines 6)"]

    def test_error_contract(self, run):
        code, out, err = run("ingest", run.file("bad.csv", BAD))
        assert code == 2
        assert out == {
            "ok": False,
            "errors": [
                {
                    "file": "bad.csv",
                    "line": 3,
                    "column": "net revenue",
                    "value": "x",
                    "message": "not a number",
                }
            ],
        }
        assert err == ["bad.csv:3: net revenue: x: not a number"]
        assert not run.db.exists()

    def test_file_level_error_line(self, run):
        code, out, err = run("ingest", run.file("march.xlsx", MARCH))
        assert code == 2
        assert set(out["errors"][0]) == ERROR_KEYS
        assert err == [
            "march.xlsx:: : : the name ends in .xlsx, which means Excel (.xlsx), but the content "
            "is CSV; rename the file or export it again"
        ]

    def test_one_bad_file_in_a_batch_stores_nothing(self, run):
        code, out, err = run("ingest", run.file("march.csv", MARCH), run.file("bad.csv", BAD))
        assert code == 2
        assert [e["file"] for e in out["errors"]] == ["bad.csv"]
        code, out, _ = run("uploads")
        assert (code, out) == (0, {"uploads": []})

    def test_missing_file(self, run):
        code, out, err = run("ingest", str(run.tmp_path / "nope.csv"))
        assert code == 2
        assert out["errors"][0]["message"] == "the file cannot be read (No such file or directory)"
        assert err[0].endswith("nope.csv:: : : the file cannot be read (No such file or directory)")

    def test_identical_rerun_is_unchanged(self, run):
        path = run.file("march.csv", MARCH)
        run("ingest", path)
        code, out, _ = run("ingest", path)
        assert (code, out["uploads"][0]["status"], out["uploads"][0]["id"]) == (0, "unchanged", 1)

    def test_month_conflict_then_replace(self, run):
        run("ingest", run.file("march.csv", MARCH))
        v2 = run.file("march_v2.csv", MARCH_V2)
        code, out, err = run("ingest", v2)
        assert code == 2
        message = (
            "2026-03 is already stored for source 'default' (upload 1, 2 rows, "
            "net revenue 150.00); confirm a replace (--replace) to swap it"
        )
        assert out["errors"] == [
            {"file": "march_v2.csv", "line": None, "column": "month", "value": "2026-03",
             "message": message}
        ]  # fmt: skip
        assert err == [f"march_v2.csv:: month: 2026-03: {message}"]
        code, out, _ = run("ingest", v2, "--replace")
        assert (code, out["uploads"][0]["status"], out["uploads"][0]["id"]) == (0, "replaced", 2)

    def test_source_sheet_and_map(self, run):
        book = xlsx_bytes(
            {
                "Cover": [["Nothing here"]],
                "Data": [["Report"], ["Periode", "Kunde", "Umsatz"], ["2026-03", "A", 7]],
            }
        )
        code, out, _ = run(
            "ingest", run.file("book.xlsx", book), "--source", "east", "--sheet", "Data",
            "--map", "Periode=month", "--map", "Kunde=account_name", "--map", "Umsatz=net_revenue",
        )  # fmt: skip
        [upload] = out["uploads"]
        assert (code, upload["source"], upload["rows"], upload["net_revenue"]) == (
            0,
            "east",
            1,
            7.0,
        )

    def test_bad_map_syntax(self, run):
        code, out, err = run("ingest", run.file("march.csv", MARCH), "--map", "month")
        assert code == 2
        assert out["errors"][0]["message"] == "--map takes COLUMN=field, not 'month'"

    def test_map_without_a_value_is_a_usage_error(self, run):
        code, out, err = run("ingest", run.file("march.csv", MARCH), "--map")
        assert code == 2
        [error] = out["errors"]
        assert error == {
            "file": None,
            "line": None,
            "column": None,
            "value": None,
            "message": "keystone ingest: argument --map: expected one argument",
        }
        assert err[-1] == "keystone ingest: error: argument --map: expected one argument"

    def test_same_bytes_with_another_mapping_are_replaced(self, run):
        path = run.file("f.csv", "Month,Customer,Net Amount,Revenue\n2026-03,A,100,90\n")
        code, out, _ = run("ingest", path, "--map", "Net Amount=ignore")
        assert (code, out["uploads"][0]["status"], out["uploads"][0]["net_revenue"]) == (
            0,
            "stored",
            90.0,
        )
        assert run("metrics")[1]["net_revenue"] == 90.0
        code, out, _ = run("ingest", path, "--map", "Revenue=ignore", "--replace")
        [upload] = out["uploads"]
        assert (code, upload["id"], upload["status"], upload["net_revenue"]) == (
            0,
            2,
            "replaced",
            100.0,
        )
        assert run("metrics")[1]["net_revenue"] == 100.0
        code, out, _ = run("ingest", path, "--map", "Revenue=ignore", "--dry-run")
        [upload] = out["uploads"]
        assert (code, upload["id"], upload["status"], upload["net_revenue"]) == (
            0,
            2,
            "unchanged",
            100.0,
        )

    def test_same_bytes_under_another_source_warn(self, run):
        path = run.file("march.csv", MARCH)
        run("ingest", path, "--source", "east")
        code, out, _ = run("ingest", path, "--source", "west")
        [upload] = out["uploads"]
        assert (code, upload["status"], upload["warnings"]) == (
            0,
            "stored",
            [
                "the same file is already stored under source 'east' (upload 1); "
                "its revenue now counts twice"
            ],
        )

    def test_date_order(self, run):
        path = run.file("d.csv", "month,customer,net revenue\n03/04/2026,A,1\n")
        assert run("ingest", path, "--dry-run")[0] == 2
        code, out, _ = run("ingest", path, "--date-order", "dmy")
        assert (code, out["uploads"][0]["months"]) == (0, ["2026-04"])


class TestUsageErrors:
    """A wrong command line prints the same failure JSON as any other error, and exits 2."""

    def test_unknown_option(self, run):
        code, out, err = run("ingest", run.file("march.csv", MARCH), "--bogus")
        assert code == 2
        assert out == {
            "ok": False,
            "errors": [
                {
                    "file": None,
                    "line": None,
                    "column": None,
                    "value": None,
                    "message": "keystone: unrecognized arguments: --bogus",
                }
            ],
        }
        assert err[-1] == "keystone: error: unrecognized arguments: --bogus"
        assert not run.db.exists()

    def test_missing_file_argument(self, run):
        code, out, _ = run("ingest")
        assert code == 2
        [error] = out["errors"]
        assert list(error) == ["file", "line", "column", "value", "message"]
        assert error["message"] == ("keystone ingest: the following arguments are required: FILE")

    def test_help_is_not_an_error(self, capsys):
        assert main(["--help"]) == 0
        assert capsys.readouterr().out.startswith("usage: keystone")


class TestDemo:
    """`keystone demo` builds the demo database, but never over someone else's file."""

    @pytest.fixture(autouse=True)
    def demo_dir(self, tmp_path, monkeypatch):
        folder = tmp_path / "demo"
        folder.mkdir()
        (folder / "sales.csv").write_text(APRIL)
        monkeypatch.setenv("KEYSTONE_DEMO_DIR", str(folder))

    def test_other_file_is_refused(self, run):
        run.db.write_bytes(b"my notes")
        code, out, err = run("demo")
        assert code == 2
        message = (
            f"{run.db} exists but is not a Keystone database, so the demo will not overwrite it; "
            "set KEYSTONE_DB_PATH or --db to another file, or run `keystone demo --force` to "
            "move it aside to a backup first"
        )
        assert out["errors"][0]["message"] == message
        assert err == [f"keystone: {message}"]
        assert run.db.read_bytes() == b"my notes"

    def test_force_then_no_op(self, run):
        run.db.write_bytes(b"my notes")
        code, out, _ = run("demo", "--force")
        assert (code, [u["net_revenue"] for u in out["uploads"]]) == (0, [30.0])
        [backup] = run.tmp_path.glob("k.duckdb.bak-*")
        assert backup.read_bytes() == b"my notes"
        assert run("demo") == (0, {"ok": True, "uploads": []}, [])
        assert run("metrics")[1]["net_revenue"] == 30.0

    def test_unreadable_database_names_a_real_command(self, run):
        run.db.write_bytes(b"my notes")
        code, out, _ = run("metrics")
        message = out["errors"][0]["message"]
        assert code == 2
        assert message.startswith(f"{run.db} cannot be opened as a Keystone database (")
        assert message.endswith(
            f"to recover, copy a backup made by `keystone backup` to {run.db}, or run "
            f"`keystone demo --force --db {run.db}` to start again from the demo data "
            "(the damaged file is kept as k.duckdb.bak-<time>)"
        )


class TestDryRun:
    """--dry-run says what would happen and writes nothing."""

    def test_nothing_is_stored(self, run):
        code, out, _ = run("ingest", run.file("march.csv", MARCH), "--dry-run")
        assert code == 0
        assert (out["ok"], out["dry_run"]) == (True, True)
        [upload] = out["uploads"]
        assert set(upload) == UPLOAD_KEYS
        assert (upload["id"], upload["status"], upload["rows"]) == (None, "stored", 2)
        assert not run.db.exists()

    def test_dry_run_refuses_like_the_real_run(self, run):
        run("ingest", run.file("march.csv", MARCH))
        before = run("uploads")[1]
        v2 = run.file("march_v2.csv", MARCH_V2)
        assert run("ingest", v2, "--dry-run")[0] == 2
        code, out, _ = run("ingest", v2, "--dry-run", "--replace")
        assert (code, out["uploads"][0]["status"]) == (0, "replaced")
        assert run("uploads")[1] == before


class TestMetrics:
    """Headline figures of a period, with nulls where the data cannot say."""

    FULL = (
        "month,customer,list revenue,discount,net revenue,cost\n"
        "2026-03,A,200,20,180,100\n"
        "2026-03,B,100,10,90,95\n"
        "2026-04,A,100,0,100,50\n"
        "2026-04,C,,,-10,0\n"
    )

    def test_figures_worked_out_by_hand(self, run):
        assert run("ingest", run.file("full.csv", self.FULL))[0] == 0
        code, out, _ = run("metrics")
        assert code == 0
        assert {"months", "accounts", "net_revenue", "gross_profit", "discount_rate"} <= set(out)
        assert out["months"] == ["2026-03", "2026-04"]
        assert out["accounts"] == 2  # C is negative
        assert out["net_revenue"] == pytest.approx(360.0)
        assert out["gross_profit"] == pytest.approx(360.0 - 245.0)
        assert out["discount_rate"] == pytest.approx(30 / 400)

    def test_discount_figures_are_added(self, run):
        run("ingest", run.file("full.csv", self.FULL))
        code, out, _ = run("metrics")
        assert code == 0
        # No off-invoice column: the concession degree equals the discount rate, 30 / 400.
        assert out["concession_degree"] == pytest.approx(30 / 400)
        # C's credit note (-10) has no list price: 370 of 380 revenue, counted by size.
        assert out["rate_coverage"] == pytest.approx(370 / 380)
        assert out["creep"] == [] and out["corridor_outliers"] == []

    def test_period(self, run):
        run("ingest", run.file("full.csv", self.FULL))
        code, out, _ = run("metrics", "--from", "2026-04", "--to", "2026-04")
        assert (code, out["months"], out["accounts"]) == (0, ["2026-04"], 1)
        assert out["net_revenue"] == pytest.approx(90.0)

    def test_nulls_without_cost_or_list(self, run):
        run("ingest", run.file("march.csv", MARCH))
        code, out, _ = run("metrics")
        assert (code, out["net_revenue"], out["accounts"]) == (0, 150.0, 2)
        assert out["gross_profit"] is None
        assert out["discount_rate"] is None

    def test_no_database_yet(self, run):
        code, out, err = run("metrics")
        assert (code, out["ok"]) == (2, False)
        assert "holds no data yet" in err[0]

    def test_bad_month(self, run):
        run("ingest", run.file("march.csv", MARCH))
        code, out, _ = run("metrics", "--from", "March")
        assert code == 2
        assert out["errors"][0]["message"] == "'March' is not a month in the form YYYY-MM"


class TestUploadsAndRestore:
    """The history lists every upload; restore brings back what a replace swapped out."""

    def test_uploads_contract(self, run):
        run("ingest", run.file("march.csv", MARCH))
        code, out, _ = run("uploads")
        assert code == 0
        [upload] = out["uploads"]
        assert set(upload) == {"id", "file", "source", "status", "rows", "months", "uploaded_at"}
        assert {k: v for k, v in upload.items() if k != "uploaded_at"} == {
            "id": 1,
            "file": "march.csv",
            "source": "default",
            "status": "stored",
            "rows": 2,
            "months": ["2026-03"],
        }
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", upload["uploaded_at"])

    def test_restore(self, run):
        run("ingest", run.file("march.csv", MARCH))
        run("ingest", run.file("april.csv", APRIL))
        run("ingest", run.file("march_v2.csv", MARCH_V2), "--replace")
        assert run("metrics")[1]["net_revenue"] == 160.0
        code, out, _ = run("restore", "3")
        assert (code, out) == (0, {"ok": True, "upload_id": 3, "restored_months": ["2026-03"]})
        assert run("metrics")[1]["net_revenue"] == 180.0
        statuses = [(u["id"], u["status"]) for u in run("uploads")[1]["uploads"]]
        assert statuses == [(3, "superseded"), (2, "stored"), (1, "stored")]

    def test_restore_twice(self, run):
        run("ingest", run.file("march.csv", MARCH))
        run("ingest", run.file("march_v2.csv", MARCH_V2), "--replace")
        assert run("restore", "2")[0] == 0
        code, out, _ = run("restore", "2")
        assert (code, out["errors"][0]["message"]) == (
            2,
            "upload 2 has already been restored: the versions it replaced are active again",
        )
        assert run("metrics")[1]["net_revenue"] == 150.0

    def test_restore_refused(self, run):
        run("ingest", run.file("march.csv", MARCH))
        code, out, err = run("restore", "1")
        assert code == 2
        assert out["errors"][0]["message"] == (
            "upload 1 replaced nothing, so there is nothing to restore"
        )
        assert err == [":: : : upload 1 replaced nothing, so there is nothing to restore"]

    def test_default_database_comes_from_the_environment(self, run):
        code, out, _ = run("ingest", run.file("march.csv", MARCH), db=False)
        assert code == 0
        assert (run.tmp_path / "env.duckdb").exists()
        assert not run.db.exists()
