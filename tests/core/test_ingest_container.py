"""Hostile files are refused before any parser reads them: oversized uploads, zip bombs and
XML bombs in Excel files, each built here in memory."""

from __future__ import annotations

import io
import os
import struct
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import core.ingest.container as container
from core.db import Database
from core.export import safe_csv
from core.ingest import sniff
from core.settings import Settings
from core.sql import frame
from core.store import store_uploads
from tests.core.conftest import prepare, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
SALES = [["month", "customer", "net revenue"], ["2026-03", "A", 100], ["2026-03", "B", 50]]
SHEET = "xl/worksheets/sheet1.xml"


def workbook() -> bytes:
    """A real .xlsx: 2026-03, net 150."""
    return xlsx_bytes({"Sales": SALES})


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with part `name` replaced (or added), everything else as it was."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != name:
                target.writestr(part, source.read(part.filename))
        target.writestr(name, content)
    return out.getvalue()


def declared_size(data: bytes, name: str, size: int) -> bytes:
    """The workbook with the central directory claiming `size` unpacked bytes for `name`."""
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length] == name.encode():
            break
        entry = data.index(b"PK\x01\x02", entry + 4)
    return data[: entry + 24] + struct.pack("<I", size) + data[entry + 28 :]


@pytest.fixture
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the Excel reader is reached: the check must come first."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to read a hostile file")

    monkeypatch.setattr(pd, "ExcelFile", refuse)


def refusal(data: bytes, name: str = "bomb.xlsx"):
    """The single error of a file that must be refused."""
    report = prepare(name, data).report
    assert [e.rule for e in report.errors] == [report.errors[0].rule], report.errors
    assert report.rows == 0
    return report.errors[0]


class TestZipBomb:
    def test_part_that_packs_too_well(self, no_parser):
        """32 MiB of one repeated row packs about 1000:1; real sheets pack about 10:1."""
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        body = row * (32 * 2**20 // len(row))
        bomb = with_part(workbook(), SHEET, b"<worksheet><sheetData>" + body + b"</sheetData>")
        error = refusal(bomb)
        assert error.rule == "zip_ratio"
        assert error.message.startswith(f"the Excel file's part {SHEET} is compressed ")
        assert "more than the 100:1 a spreadsheet reaches" in error.message
        assert error.localised("zh").startswith(f"该 Excel 文件的部件 {SHEET} 压缩比为")

    def test_central_directory_claiming_4_gib(self, no_parser):
        bomb = declared_size(workbook(), SHEET, 0xF000_0000)
        error = refusal(bomb)
        assert error.rule == "zip_too_large"
        assert error.message.startswith("the Excel file would unpack to 3,840 MiB")
        assert "above the limit of 1024 MiB" in error.message

    def test_total_of_many_parts(self, no_parser, monkeypatch):
        """The limit is on the sum: 3 parts of 4 KiB against a 10 KiB limit."""
        monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", 10 * 1024)
        data = workbook()
        for number in range(3):
            data = with_part(data, f"xl/media/image{number}.bin", os.urandom(4096))
        assert refusal(data).rule == "zip_too_large"

    def test_too_many_parts(self, no_parser):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for number in range(container.MAX_MEMBERS + 1):
                archive.writestr(f"p/{number}.xml", b"<a/>")
        error = refusal(out.getvalue())
        assert (error.rule, error.params["count"]) == ("zip_members", 10_001)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet><sheetData><row><c t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>
</worksheet>"""


class TestXmlBomb:
    @pytest.mark.parametrize(
        ("part", "content"),
        [
            ("xl/sharedStrings.xml", BILLION_LAUGHS),
            (SHEET, XXE),
            (SHEET, b"<?xml version='1.0'?><!-- <a> --><!DOCTYPE w><worksheet/>"),
            ("[Content_Types].xml", b"\n" * 10 + b'<!ENTITY % p SYSTEM "http://x/">'),
            (SHEET, "<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE w><w/>".encode("utf-16")),
        ],
        ids=["billion laughs", "external entity", "after a comment", "bare entity", "utf-16"],
    )
    def test_declarations_are_refused(self, no_parser, part, content):
        error = refusal(with_part(workbook(), part, content))
        assert error.rule == "xml_entities"
        assert error.message == (
            f"the Excel file's part {part} declares a DTD or entities, which no spreadsheet "
            "writes; it is refused before reading (an XML bomb)"
        )

    def test_a_prolog_longer_than_any_workbook_writes(self, no_parser):
        padded = b"<?xml version='1.0'?>" + b" " * (70 * 1024) + b"<worksheet/>"
        assert refusal(with_part(workbook(), SHEET, padded)).rule == "xml_entities"


class TestOrdinaryWorkbooks:
    def test_a_real_workbook_passes_and_reads(self):
        data = workbook()
        container.check_workbook(data)
        report = prepare("sales.xlsx", data).report
        assert (report.ok, report.rows, report.net_revenue) == (True, 2, 150.0)

    def test_a_large_part_that_packs_like_a_sheet(self):
        """2 MiB of random digits packs about 2:1, far below the limit."""
        to_digits = bytes.maketrans(bytes(range(256)), b"0123456789" * 25 + b"012345")
        digits = os.urandom(2 * 2**20).translate(to_digits)
        container.check_workbook(with_part(workbook(), "xl/media/digits.bin", digits))

    def test_not_a_zip_is_left_to_the_reader(self):
        error = refusal(b"PK\x03\x04" + b"\x00" * 200)
        assert error.rule == "corrupt_file"


class TestOversizedUploads:
    def test_streamlit_limit_matches_the_setting(self):
        """The browser refuses what the server would refuse, at the same size."""
        config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
        default = Settings.model_fields["max_upload_mb"].default
        assert config["server"]["maxUploadSize"] == default == 200

    def test_refused_before_parsing(self, monkeypatch):
        def refuse(*args: object) -> None:
            raise AssertionError("a file above the limit was parsed")

        monkeypatch.setattr(sniff, "detect_kind", refuse)
        monkeypatch.setattr("core.ingest.pipeline.detect_kind", refuse)
        data = b"month,customer,net revenue\n" + b"2026-03,A,1\n" * 100_000
        report = prepare("big.csv", data, max_bytes=2**20).report
        assert [e.rule for e in report.errors] == ["file_too_large"]
        assert report.errors[0].message == ("the file is 1.1 MiB, above the upload limit of 1 MiB")


NAMES = {
    "<script>alert(1)</script>": "<script>alert(1)</script>",
    "[click](http://evil.example)": "[click](http://evil.example)",
    '=HYPERLINK("http://evil.example","x")': '\'=HYPERLINK("http://evil.example","x")',
    "+SUM(A1:A9)": "'+SUM(A1:A9)",
    "@cmd": "'@cmd",
    "-2+3": "'-2+3",
    "<b>Acme</b> & Co": "<b>Acme</b> & Co",
}
"""Account name -> the cell the CSV export writes: formula starts get a quote, the rest as is."""


class TestHostileNames:
    def test_stored_verbatim_and_exported_inert(self, tmp_path):
        lines = ["month,customer,net revenue"]
        lines += [f'2026-03,"{n.replace(chr(34), chr(34) * 2)}",{i}' for i, n in enumerate(NAMES)]
        db = Database(tmp_path / "k.duckdb")
        store_uploads(db, [prepare("names.csv", "\n".join(lines) + "\n")])
        with db.connect() as con:
            names = frame(con, "SELECT account_name AS account FROM facts ORDER BY line")
        assert names["account"].tolist() == list(NAMES)
        exported = pd.read_csv(io.BytesIO(safe_csv(names)), dtype=str, encoding="utf-8-sig")
        assert exported["account"].tolist() == list(NAMES.values())
