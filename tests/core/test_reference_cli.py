"""`keystone ingest --kind contacts|accounts`: the companion files on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from tests.core.conftest import write

V1 = "account id,contact,role,stance\nA1,Ann,coach,champion\nA1,Bob,economic buyer,neutral\n"


class TestCommandLine:
    def test_ingest_kind_contacts_then_uploads(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = write(tmp_path, "people.csv", V1)
        database = str(tmp_path / "k.duckdb")
        assert main(["ingest", "--kind", "contacts", str(path), "--db", database]) == 0
        [upload] = json.loads(capsys.readouterr().out)["uploads"]
        assert (upload["status"], upload["rows"], upload["accounts"]) == ("stored", 2, 1)

    def test_a_bad_contacts_file_prints_each_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = write(tmp_path, "people.csv", "account id,contact,role\nA1,Ann,boss\n")
        database = str(tmp_path / "k.duckdb")
        assert main(["ingest", "--kind", "contacts", str(path), "--db", database]) == 2
        out, err = capsys.readouterr()
        assert err.splitlines()[0].startswith("people.csv:2: role: boss: unknown buying role")
        assert json.loads(out)["errors"][0]["value"] == "boss"


class TestMetricsCoverage:
    def test_metrics_add_the_coverage_key(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two accounts, one key (ceil(2 / 5) = 1): A1 (100) with Ann and Bob, A2 (50) with
        nobody. A1 is not single-threaded, so no key revenue is at risk."""
        database = str(tmp_path / "k.duckdb")
        sales = write(
            tmp_path, "s.csv", "month,customer code,net revenue\n2026-03,A1,100\n2026-03,A2,50\n"
        )
        people = write(tmp_path, "p.csv", V1)
        assert main(["ingest", str(sales), "--db", database]) == 0
        assert main(["ingest", "--kind", "contacts", str(people), "--db", database]) == 0
        capsys.readouterr()
        assert main(["metrics", "--db", database]) == 0
        out = json.loads(capsys.readouterr().out)
        assert "accounts" in out and "hhi" in out
        coverage = out["coverage"]
        assert coverage["single_threaded_accounts"] == 0
        assert coverage["key_revenue_at_risk_share"] == 0.0
        rules = {a["rule"] for a in coverage["alerts"]}
        # A1 has a coach and an economic buyer, no technical buyer, no dates.
        assert rules == {"key_low_coverage", "technical_buyer", "no_recent_contact"}
