"""`keystone report`: writes the QBR pack and prints what it wrote, as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import ERROR_KEYS
from core.report import SECTIONS
from tests.core.keystone_cli import run

SALES = """month,account_id,account_name,owner,net_revenue,list_revenue,discount_amount,cost
2026-01,ACME-7,Acme Industrial,Li Wei,600,700,100,400
2026-01,BETA-9,Beta Corp,Wang Fang,400,400,0,300
2026-02,ACME-7,Acme Industrial,Li Wei,500,550,50,350
2026-02,BETA-9,Beta Corp,Wang Fang,500,500,0,400
"""
"""By hand: 2026-02 holds 1,000 of net revenue (500 + 500), so indexed money reads 100."""


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "k.duckdb"
    source = tmp_path / "sales.csv"
    source.write_text(SALES, encoding="utf-8")
    code, printed, _ = run("ingest", str(source), "--db", str(path))
    assert code == 0, printed
    return path


class TestWritesThePack:
    def test_prints_file_bytes_and_sections(self, database: Path, tmp_path: Path) -> None:
        target = tmp_path / "pack.html"
        code, printed, _ = run(
            "report", "--from", "2026-02", "--to", "2026-02", "-o", str(target),
            "--db", str(database),
        )  # fmt: skip
        assert code == 0
        assert printed == {
            "ok": True,
            "file": str(target),
            "bytes": target.stat().st_size,
            "sections": list(SECTIONS),
        }
        document = target.read_text(encoding="utf-8")
        assert "<title>QBR pack · 2026-02</title>" in document
        assert "Acme Industrial" in document
        assert not list(tmp_path.glob("*.partial"))

    def test_anonymised_index_in_chinese(self, database: Path, tmp_path: Path) -> None:
        target = tmp_path / "pack-zh.html"
        code, printed, _ = run(
            "report", "--from", "2026-02", "--to", "2026-02", "--anonymise", "--index",
            "--lang", "zh", "-o", str(target), "--db", str(database),
        )  # fmt: skip
        assert code == 0 and printed["ok"] is True
        document = target.read_text(encoding="utf-8")
        assert document.startswith('<!DOCTYPE html><html lang="zh-CN">')
        for name in ("Acme Industrial", "Beta Corp", "Li Wei", "Wang Fang", "ACME-7", "BETA-9"):
            assert name not in document.split("</head>")[1], name
        assert "客户 001" in document
        assert '<div class="label">销售额</div><div class="value">100</div>' in document


class TestErrors:
    def test_a_period_without_stored_months(self, database: Path, tmp_path: Path) -> None:
        target = tmp_path / "none.html"
        code, printed, stderr = run(
            "report", "--from", "2030-01", "--to", "2030-03", "-o", str(target),
            "--db", str(database),
        )  # fmt: skip
        assert code == 2
        assert printed["ok"] is False
        assert [set(error) for error in printed["errors"]] == [set(ERROR_KEYS)]
        assert printed["errors"][0]["message"] == "no stored month falls in 2030-01 – 2030-03"
        assert "no stored month" in stderr
        assert not target.exists()

    def test_an_output_folder_that_does_not_exist(self, database: Path, tmp_path: Path) -> None:
        target = tmp_path / "missing" / "pack.html"
        code, printed, _ = run("report", "-o", str(target), "--db", str(database))
        assert code == 2
        assert "is not a folder" in printed["errors"][0]["message"]

    def test_output_is_required(self, database: Path) -> None:
        code, printed, _ = run("report", "--db", str(database))
        assert code == 2
        assert "-o/--output" in printed["errors"][0]["message"]

    def test_a_missing_database(self, tmp_path: Path) -> None:
        code, printed, _ = run(
            "report", "-o", str(tmp_path / "x.html"), "--db", str(tmp_path / "none.duckdb")
        )
        assert code == 2 and printed["ok"] is False
