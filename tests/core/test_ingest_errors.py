"""Every error class of issue 2: the line, column, value and message a user reads."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest

from core.i18n import catalogue
from core.ingest.sniff import SniffError, decode_text, detect_kind
from tests.core.conftest import one_error, parquet_bytes, prepare, xlsx_bytes

HEADER = "month,customer,net revenue\n"
LOCALES = Path(__file__).resolve().parents[2] / "core" / "locales"


def errors(report) -> list[tuple]:
    """(line, column, value, rule) of every error."""
    return [(e.line, e.column, e.value, e.rule) for e in report.errors]


class TestAnyErrorBlocksTheFile:
    """A file with one bad cell yields no rows at all."""

    def test_no_rows_when_one_cell_is_bad(self):
        prepared = prepare("a.csv", HEADER + "2026-03,A,1\n2026-03,B,x\n2026-03,C,3\n")
        assert prepared.rows is None
        assert not prepared.report.ok
        assert prepared.report.error_count == 1

    def test_every_bad_cell_is_found_not_just_the_first(self):
        text = HEADER + "2026-03,A,x\n2026-13,B,1\n,C,1\n2026-03,D,y\n"
        assert errors(prepare("a.csv", text).report) == [
            (2, "net revenue", "x", "not_numeric"),
            (3, "month", "2026-13", "month_impossible"),
            (4, "month", None, "month_missing"),
            (5, "net revenue", "y", "not_numeric"),
        ]

    def test_errors_beyond_the_limit_are_counted(self):
        text = HEADER + "2026-03,A,x\n" * 5
        report = prepare("a.csv", text, max_errors=2).report
        assert (len(report.errors), report.error_count) == (2, 5)


class TestMissingFields:
    """Month, an account and net revenue (or what derives it) must have columns."""

    @pytest.mark.parametrize(
        ("header", "field"),
        [
            ("customer,net revenue", "month"),
            ("month,net revenue", "account_id / account_name"),
            ("month,customer", "net_revenue"),
            ("month,customer,list revenue", "net_revenue"),
        ],
    )
    def test_missing_column(self, header, field):
        cells = ",".join(["2026-03", "A", "1"][: header.count(",") + 1])
        error = next(e for e in prepare("a.csv", f"{header},remark\n{cells},x\n").report.errors)
        assert error.rule == "missing_field"
        assert error.line == 1
        assert error.message == (
            f"required field {field} has no column; name the column or map it "
            '(--map "COLUMN=field")'
        )

    def test_empty_required_cells(self):
        text = HEADER + ",A,1\n2026-03,,2\n2026-03,B,\n"
        report = prepare("a.csv", text).report
        assert errors(report) == [
            (2, "month", None, "month_missing"),
            (3, None, None, "account_missing"),
            (4, "net revenue", None, "net_missing"),
        ]
        assert [e.message for e in report.errors] == [
            "the month is empty",
            "neither an account id nor an account name",
            "net revenue is empty and cannot be derived from list and discount",
        ]

    def test_mapping_to_an_unknown_field(self):
        report = prepare("a.csv", HEADER + "2026-03,A,1\n", mapping={"customer": "klant"}).report
        error = report.errors[0]
        assert (error.rule, error.column) == ("unknown_field", "customer")
        assert error.message == "'klant' is not a Keystone field"

    def test_mapping_a_column_the_file_does_not_have(self):
        report = prepare("a.csv", HEADER + "2026-03,A,1\n", mapping={"Kunde": "account_name"})
        error = one_error(report.report)
        assert (error.rule, error.column) == ("map_unknown_column", "Kunde")
        assert error.message == "the mapping names this column, but the file has no such header"

    def test_two_columns_for_one_field(self):
        error = one_error(prepare("a.csv", "month,customer,client,net\n2026-03,A,B,1\n").report)
        assert (error.rule, error.column) == ("field_twice", "client")
        assert error.message == (
            "this column and 'customer' both map to account_name; map one of them to 'ignore'"
        )


class TestNonNumericAmounts:
    """Amounts that are not numbers name their line, column and value."""

    @pytest.mark.parametrize("cell", ["abc", "1.2.3", "12abc", "--5", "N/A"])
    def test_not_a_number(self, cell):
        error = one_error(prepare("a.csv", f"{HEADER}2026-03,A,1\n2026-03,B,{cell}\n").report)
        assert (error.line, error.column, error.value) == (3, "net revenue", cell)
        assert error.message == "not a number"

    def test_a_lone_dash_is_zero(self):
        prepared = prepare("a.csv", HEADER + "2026-03,A,-\n")
        assert prepared.report.ok and prepared.report.net_revenue == 0.0

    def test_unknown_segment(self):
        text = "month,customer,net revenue,segment\n2026-03,A,1,platinum\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.line, error.column, error.value) == (2, "segment", "platinum")
        assert error.message == "unknown segment (use intrinsic, extrinsic, strategic or other)"


class TestImpossibleDates:
    """A month form with an impossible date is an error; an unknown form is another."""

    def test_impossible_dates(self):
        text = HEADER + "2026-02-30,A,1\n2026-13,B,1\n32/01/2026,C,1\n2026-02-29,D,1\n"
        report = prepare("a.csv", text).report
        assert errors(report) == [
            (2, "month", "2026-02-30", "month_impossible"),
            (3, "month", "2026-13", "month_impossible"),
            (4, "month", "32/01/2026", "month_impossible"),
            (5, "month", "2026-02-29", "month_impossible"),
        ]
        assert report.errors[0].message == "impossible date"

    def test_leap_day_is_possible(self):
        assert prepare("a.csv", HEADER + "2028-02-29,A,1\n").report.months == ["2028-02"]

    def test_unrecognised_month(self):
        error = one_error(prepare("a.csv", HEADER + "next month,A,1\n").report)
        assert (error.line, error.rule, error.value) == (2, "month_unrecognised", "next month")
        assert error.message.startswith("not a recognised month (use 2026-03, 2026/3/1")


class TestDiscountRules:
    """A rate outside [0, 1) and a discount larger than list are errors."""

    def test_rate_of_one_is_out_of_range(self):
        text = "month,customer,list revenue,discount rate\n2026-03,A,100,1\n2026-03,B,100,0.5\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.line, error.column, error.value) == (2, "discount rate", "1")
        assert error.message == "discount rate outside [0, 1)"

    def test_percent_rates_out_of_range(self):
        text = "month,customer,list revenue,discount rate\n"
        text += "2026-03,A,100,120%\n2026-03,B,100,-5%\n2026-03,C,100,0折\n"
        assert [(e.line, e.value, e.rule) for e in prepare("a.csv", text).report.errors] == [
            (2, "120%", "rate_out_of_range"),
            (3, "-5%", "rate_out_of_range"),
            (4, "0折", "rate_out_of_range"),
        ]

    def test_unrecognised_rate(self):
        text = "month,customer,list revenue,discount rate\n2026-03,A,100,about 10\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.rule, error.value) == ("rate_unrecognised", "about 10")
        assert error.message == "not a discount rate (use 0.15, 15%, 15 or 8.5折)"

    def test_discount_larger_than_list(self):
        text = "month,customer,list revenue,discount\n2026-03,A,100,10\n2026-03,B,100,150\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.line, error.column, error.value) == (3, "discount", "150")
        assert error.message == "the discount is larger than the list revenue"

    def test_inconsistent_list_discount_net_is_a_warning(self):
        text = "month,customer,list revenue,discount,net revenue\n2026-03,A,100,10,80\n"
        prepared = prepare("a.csv", text)
        assert prepared.report.ok
        warning = next(w for w in prepared.report.warnings if w.rule == "inconsistent_amounts")
        assert warning.message == "1 rows where list − discount ≠ net revenue (lines 2)"


class TestMixedCurrencies:
    """Keystone converts nothing: a second currency is an error on its lines."""

    def test_minority_currency_rows_are_errors(self):
        text = "month,customer,net revenue,currency\n"
        text += "2026-03,A,1,CNY\n2026-03,B,1,usd\n2026-03,C,1,cny\n2026-03,D,1,RMB\n"
        report = prepare("a.csv", text).report
        # RMB is another name for CNY, not a second currency.
        assert errors(report) == [(3, "currency", "usd", "currency_mixed")]
        assert report.errors[0].message == (
            "mixed currencies: most rows are CNY; Keystone does no currency conversion"
        )

    def test_one_currency_in_any_case_is_fine(self):
        text = "month,customer,net revenue,currency\n2026-03,A,1,cny\n2026-03,B,1, CNY \n"
        assert prepare("a.csv", text).report.ok

    def test_a_ragged_row_does_not_decide_the_majority(self):
        text = "month,customer,net revenue,currency\n2026-03,A,1,CNY\n2026-03,B,1,000,EUR\n"
        assert errors(prepare("a.csv", text).report) == [(3, None, None, "ragged_row")]


class TestColumnsAndRows:
    """Duplicate column names, ragged rows and oversized fields."""

    def test_duplicate_column_names(self):
        text = "month,customer,net revenue,net revenue\n2026-03,A,1,2\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.line, error.column, error.rule) == (1, "net revenue", "duplicate_column")
        assert error.message == ("the column name appears twice (columns 3 and 4); rename one")

    def test_ragged_rows(self):
        text = HEADER + "2026-03,A,1\n2026-03,B,1,extra\n2026-03,C\n"
        report = prepare("a.csv", text).report
        assert errors(report) == [(3, None, None, "ragged_row"), (4, None, None, "ragged_row")]
        assert report.errors[0].message == "the row does not have 3 cells like the header"

    def test_a_row_far_too_wide_is_one_ragged_row(self):
        text = HEADER + "2026-03,A,1\n2026-03,B,1,x,y,z\n"
        assert errors(prepare("a.csv", text).report) == [(3, None, None, "ragged_row")]

    def test_oversized_field(self):
        text = HEADER + f"2026-03,{'A' * 51},1\n2026-03,{'B' * 50},1\n"
        error = one_error(prepare("a.csv", text, max_field_chars=50).report)
        assert (error.line, error.rule) == (2, "oversized_field")
        assert error.message == "a cell is longer than the limit for one field"

    def test_unterminated_quote_swallows_the_rest_and_is_an_error(self):
        report = prepare("a.csv", HEADER + '2026-03,A,1\n2026-03,"B,2\n2026-03,C,3\n').report
        assert [(e.line, e.rule) for e in report.errors] == [(3, "ragged_row")]

    def test_a_huge_cell_is_oversized_and_later_lines_stay_right(self):
        huge = "x" * 3_000_000
        text = HEADER + f'2026-03,"A\nB",1\n2026-03,{huge},1\n2026-03,C,bad\n'
        assert errors(prepare("a.csv", text).report) == [
            (4, None, None, "oversized_field"),
            (5, "net revenue", "bad", "not_numeric"),
        ]


class TestEmptyFiles:
    """Empty, blank and header-only files are errors, never an empty month."""

    @pytest.mark.parametrize("content", [b"", b"\n\n  \n", "\ufeff".encode()])
    def test_empty_file(self, content):
        error = one_error(prepare("a.csv", content).report)
        assert (error.rule, error.line) == ("empty_file", None)
        assert error.message == "the file is empty"

    def test_header_only(self):
        error = one_error(prepare("a.csv", HEADER).report)
        assert (error.rule, error.line) == ("no_rows", 1)
        assert error.message == "the file has a header but no data rows"

    def test_header_and_subtotal_only(self):
        error = one_error(prepare("a.csv", HEADER + "合计,,0\n").report)
        assert error.rule == "no_rows"

    def test_header_only_xlsx(self):
        data = xlsx_bytes({"S": [["Month", "Customer", "Net revenue"]]})
        assert one_error(prepare("a.xlsx", data).report).rule == "no_rows"

    def test_no_header_row(self):
        error = one_error(prepare("a.csv", "hello world\nfoo bar\n").report)
        assert error.rule == "no_header"
        assert error.message.startswith("no header row found in the first 60 lines")


class TestFileKind:
    """Magic bytes decide what a file is; a name that lies is an error."""

    def test_csv_named_xlsx(self):
        with pytest.raises(
            SniffError,
            match=r"ends in \.xlsx, which means Excel \(\.xlsx\), but the content is CSV",
        ):
            detect_kind("march.xlsx", HEADER.encode())

    def test_xlsx_named_csv(self):
        data = xlsx_bytes({"S": [["Month", "Customer", "Net revenue"], ["2026-03", "A", 1]]})
        error = one_error(prepare("march.csv", data).report)
        assert error.rule == "kind_mismatch"
        assert error.message == (
            "the name ends in .csv, which means CSV, but the content is Excel (.xlsx); "
            "rename the file or export it again"
        )

    def test_parquet_named_csv(self):
        data = parquet_bytes({"month": ["2026-03"], "customer": ["A"], "net": [1.0]})
        with pytest.raises(SniffError, match="but the content is Parquet") as caught:
            detect_kind("a.csv", data)
        assert caught.value.rule == "kind_mismatch"

    def test_legacy_xls(self):
        with pytest.raises(SniffError, match=r"legacy Excel \.xls file; save it as \.xlsx or CSV"):
            detect_kind("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))

    def test_damaged_xlsx(self):
        error = one_error(prepare("a.xlsx", b"PK\x03\x04 not really a zip").report)
        assert error.rule == "corrupt_file"
        assert error.message.startswith("the Excel file cannot be read: it is damaged or truncated")

    def test_missing_sheet(self):
        data = xlsx_bytes({"Data": [["Month", "Customer", "Net revenue"], ["2026-03", "A", 1]]})
        error = one_error(prepare("a.xlsx", data, sheet="March").report)
        assert error.rule == "sheet_missing"
        assert error.message == "there is no sheet 'March'; the sheets are: Data"

    def test_binary_text(self):
        with pytest.raises(SniffError, match="binary data, not text"):
            decode_text(b"month,customer\x00,net\n")


class TestTruncatedParquet:
    """A Parquet file cut short is an error, whether its footer is gone or damaged."""

    DATA = parquet_bytes({"month": ["2026-03"] * 50, "customer": ["A"] * 50, "net": [1.0] * 50})

    def test_cut_in_half(self):
        error = one_error(prepare("a.parquet", self.DATA[: len(self.DATA) // 2]).report)
        assert error.rule == "truncated"
        assert error.message == (
            "the Parquet file is truncated (its closing PAR1 footer is missing); export it again"
        )

    def test_damaged_pages_inside_an_intact_file(self):
        # Pages are read lazily: the damage must still become an error, not an exception.
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(
            pa.table(
                {
                    "month": ["2026-03"] * 5000,
                    "customer": [f"C{i}" for i in range(5000)],
                    "net": [float(i) for i in range(5000)],
                }
            ),
            buffer,
        )
        data = bytearray(buffer.getvalue())
        middle = len(data) // 2
        data[middle : middle + 200] = b"\xab" * 200
        error = one_error(prepare("a.parquet", bytes(data)).report)
        assert error.rule == "corrupt_file"
        assert error.message.startswith("the Parquet file cannot be read: it is damaged")

    def test_footer_kept_but_body_cut(self):
        data = self.DATA[: len(self.DATA) // 2] + self.DATA[-8:]
        error = one_error(prepare("a.parquet", data).report)
        assert error.rule == "corrupt_file"
        assert error.message.startswith("the Parquet file cannot be read: it is damaged")
        assert "keystone-ingest-" not in error.message


class TestUndecodableBytes:
    """Text that is not UTF-8, UTF-16 (BOM) or GB18030 is rejected, never guessed as latin-1."""

    MESSAGE = r"not UTF-8, UTF-16 with a BOM, or GBK/GB18030 \(perhaps Latin-1"

    @pytest.mark.parametrize("name", ["Société Générale", "Müller GmbH", "naïve façade"])
    def test_latin1_is_rejected(self, name):
        data = f"{HEADER}2026-03,{name},1\n".encode("latin-1")
        with pytest.raises(SniffError, match=self.MESSAGE) as caught:
            decode_text(data)
        assert caught.value.rule == "encoding"

    def test_latin1_report(self):
        report = prepare("a.csv", f"{HEADER}2026-03,Müller,1\n", "latin-1").report
        assert one_error(report).rule == "encoding"
        assert report.rows == 0

    def test_cp1252_smart_quotes_are_rejected(self):
        with pytest.raises(SniffError, match=self.MESSAGE):
            decode_text(f"{HEADER}2026-03,\u201cAcme\u201d,1\n".encode("cp1252"))


class TestFileTooLarge:
    """A file above the size limit is refused before it is read."""

    def test_too_large(self):
        data = (HEADER + "2026-03,A,1\n").encode().ljust(3 * 2**19, b" ")
        error = one_error(prepare("a.csv", data, max_bytes=2**20).report)
        assert error.rule == "file_too_large"
        assert error.message == "the file is 1.5 MiB, above the upload limit of 1 MiB"


class TestMessagesInChinese:
    """Every message is in the catalogue, so the UI can show it in Chinese by rule."""

    def test_ingest_keys_are_identical_in_both_languages(self):
        english = tomllib.loads((LOCALES / "en.toml").read_text(encoding="utf-8"))["ingest"]
        chinese = tomllib.loads((LOCALES / "zh.toml").read_text(encoding="utf-8"))["ingest"]
        assert english.keys() == chinese.keys()
        for key, text in chinese.items():
            assert sorted(_fields(text)) == sorted(_fields(english[key])), key

    @pytest.mark.parametrize(
        ("content", "name", "expected"),
        [
            (b"", "a.csv", "文件为空"),
            (
                HEADER.encode(),
                "a.xlsx",
                "文件扩展名为 .xlsx，表明是 Excel (.xlsx) 文件，但内容实际是 CSV",
            ),
            ("2026-03,Müller,1\n".encode("latin-1"), "a.csv", "文本编码不是 UTF-8"),
            (b"PAR1abc", "a.parquet", "Parquet 文件不完整"),
            (HEADER.encode(), "a.csv", "文件只有表头，没有数据行"),
            ((HEADER + "2026-03,A,x\n").encode(), "a.csv", "不是数字"),
        ],
    )
    def test_localised_message(self, content, name, expected):
        from core.ingest.pipeline import prepare_upload

        error = prepare_upload(name, content).report.errors[0]
        assert error.localised("zh").startswith(expected)
        assert error.localised("en") == error.message

    def test_sheet_missing_in_chinese_keeps_its_values(self):
        data = xlsx_bytes({"数据": [["月份", "客户", "销售额"], ["2026-03", "甲", 1]]})
        error = prepare("a.xlsx", data, sheet="三月").report.errors[0]
        assert error.localised("zh") == "没有名为“三月”的工作表；现有工作表：数据"

    def test_every_rule_seen_has_a_catalogue_entry(self):
        rules = {
            "empty_file", "truncated", "unsupported_kind", "kind_mismatch", "binary_file",
            "encoding", "no_header", "no_header_in_sheet", "corrupt_file", "sheet_missing",
            "unreadable_file", "file_too_large", "no_rows", "ragged_row", "month_ambiguous",
        }  # fmt: skip
        for language in ("en", "zh"):
            assert {f"ingest.{r}" for r in rules} <= catalogue(language).keys()


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]
