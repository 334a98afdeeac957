"""Every input shape of issue 2 read correctly, with figures worked out by hand."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest

from tests.core.conftest import ok, one_error, parquet_bytes, prepare, rows, xlsx_bytes

HEADER = "month,customer,net revenue\n"


class TestEncodings:
    """Strict decoding of UTF-8, UTF-8 BOM, UTF-16 BOM and GBK/GB18030, reported."""

    TEXT = "月份,客户名称,销售额\n2026-03,甲公司,100\n2026-03,乙公司,250.5\n"

    def test_utf8(self):
        report = ok("a.csv", self.TEXT, "utf-8")
        assert report.encoding == "utf-8"
        assert (report.rows, report.accounts, report.net_revenue) == (2, 2, 350.5)

    def test_utf8_bom_is_not_part_of_the_first_header(self):
        report = ok("a.csv", codecs.BOM_UTF8 + self.TEXT.encode())
        assert report.encoding == "utf-8-sig"
        assert report.headers[0] == "月份"
        assert report.mapping["月份"] == "month"

    def test_utf16_with_bom(self):
        text = self.TEXT.replace(",", "\t")
        report = ok("a.txt", text, "utf-16")
        assert report.encoding == "utf-16"
        assert report.delimiter == "\t"
        assert report.net_revenue == 350.5

    @pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
    def test_gbk_and_gb18030(self, encoding):
        prepared = prepare("a.csv", self.TEXT, encoding)
        assert prepared.report.encoding == "gb18030"
        assert prepared.rows is not None
        assert prepared.rows.column("account_name").to_pylist() == ["甲公司", "乙公司"]

    def test_gbk_with_a_rare_name_character_is_still_chinese(self):
        text = "月份,客户名称,销售额\n2026-03,朱镕基商贸,10\n2026-03,喆堃科技有限公司,5\n"
        assert rows("a.csv", text, "gbk")[0]["account_name"] == "朱镕基商贸"


class TestDelimitersAndNumbers:
    """Any of , ; tab | splits cells; amounts carry separators, marks and brackets."""

    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_delimiter_is_detected(self, delimiter):
        text = HEADER + "2026-03,A,100\n2026-03,B,20.25\n"
        report = ok("a.csv", text.replace(",", delimiter))
        assert report.delimiter == delimiter
        assert report.net_revenue == 120.25

    def test_decimal_comma_with_semicolons(self):
        text = "month;customer;net revenue\n2026-03;A;1.234,56\n2026-03;B;0,44\n"
        report = ok("eu.csv", text)
        assert report.decimal_comma is True
        assert report.net_revenue == pytest.approx(1235.0)

    def test_semicolon_file_with_decimal_points_stays_decimal_point(self):
        text = "month;customer;net revenue\n2026-03;A;1,234.50\n2026-03;B;10.5\n"
        report = ok("a.csv", text)
        assert report.decimal_comma is False
        assert report.net_revenue == pytest.approx(1245.0)

    def test_thousands_separators(self):
        text = HEADER + '2026-03,A,"1,234,567.89"\n2026-03,B,"2,000"\n'
        assert ok("a.csv", text).net_revenue == pytest.approx(1_236_567.89)

    def test_currency_marks(self):
        text = HEADER + (
            '2026-03,A,"¥1,000"\n2026-03,B,"￥2,000.50"\n2026-03,C,CNY 300\n'
            "2026-03,D,RMB 400\n2026-03,E,50元\n"
        )
        assert [r["net_revenue"] for r in rows("a.csv", text)] == [1000, 2000.5, 300, 400, 50]

    def test_dollar_marks(self):
        text = HEADER + '2026-03,A,"$1,200.50"\n2026-03,B,$ 300\n'
        found = rows("usd.csv", text)
        assert [(r["net_revenue"], r["currency"]) for r in found] == [(1200.5, "USD"), (300, "USD")]

    def test_full_width_digits(self):
        text = HEADER + "2026-03,A,１２３４．５\n2026-03,B,￥１，０００\n"
        assert ok("a.csv", text).net_revenue == pytest.approx(2234.5)

    def test_negative_in_parentheses_is_kept_and_reported(self):
        text = HEADER + "2026-03,A,1000\n2026-03,B,(150.00)\n2026-03,C,-50\n"
        report = ok("a.csv", text)
        assert report.net_revenue == pytest.approx(800.0)
        warning = next(w for w in report.warnings if w.rule == "negative_revenue")
        assert (warning.count, warning.line, warning.column) == (2, 3, "net revenue")
        assert warning.message == (
            "2 rows with negative net revenue (credit notes or returns), total -200.00, "
            "kept (lines 3, 4)"
        )


class TestHeaderPosition:
    """Title rows and blank rows above the header are skipped; lines count as in an editor."""

    def test_title_and_blank_rows_above_the_header(self):
        text = "March sales export\nGenerated 2026-04-02\n\n\n" + HEADER + "2026-03,A,10\n"
        report = ok("a.csv", text)
        assert report.header_line == 5
        assert (report.rows, report.net_revenue) == (1, 10.0)

    def test_error_lines_count_title_and_blank_rows(self):
        text = "Sales report\n\n" + HEADER + "2026-03,A,10\n\n2026-03,B,oops\n"
        error = one_error(prepare("a.csv", text).report)
        assert (error.line, error.column, error.value) == (6, "net revenue", "oops")

    def test_blank_rows_between_data_rows_are_not_rows(self):
        text = HEADER + "2026-03,A,10\n\n   \n2026-03,B,5\n"
        report = ok("a.csv", text)
        assert report.rows == 2
        assert [r["line"] for r in rows("a.csv", text)] == [2, 5]


class TestSubtotals:
    """合计, 小计 and Total rows are excluded, counted and reported, never accounts."""

    TEXT = (
        "month,region,customer,net revenue\n"
        "2026-03,华东,A,100\n"
        "2026-03,华东,B,50\n"
        ",华东小计,,150\n"
        "2026-03,华北,C,30\n"
        ",小计,,30\n"
        "合计,,,180\n"
        "Total,,,180\n"
    )

    def test_subtotal_rows_are_excluded(self):
        report = ok("a.csv", self.TEXT)
        assert (report.rows, report.accounts, report.net_revenue) == (3, 3, 180.0)
        assert report.subtotal_rows == 4

    def test_subtotal_rows_are_reported_with_their_lines(self):
        warning = next(w for w in ok("a.csv", self.TEXT).warnings if w.rule == "subtotal_excluded")
        assert (warning.count, warning.line) == (4, 4)
        assert warning.message == "4 subtotal or total rows excluded (lines 4, 6, 7, 8)"
        assert warning.localised("zh") == "已排除 4 行小计或合计（第 4, 6, 7, 8 行）"

    def test_a_product_that_starts_with_xiaoji_is_not_a_subtotal(self):
        text = "month,customer,product,net revenue\n2026-03,A,小计算器,10\n2026-03,B,Total Care,5\n"
        report = ok("a.csv", text)
        assert (report.rows, report.subtotal_rows) == (2, 0)


class TestHeaders:
    """English and Chinese headers map by synonym; the user's mapping overrides them."""

    def test_english_headers(self):
        text = (
            "Invoice Date,Customer Code,Customer Name,Net Sales (USD),Cost of Sales,Sales Rep\n"
            "2026-03-05,C001,Acme,100,60,Li\n"
        )
        report = ok("a.csv", text)
        assert report.mapping == {
            "Invoice Date": "month",
            "Customer Code": "account_id",
            "Customer Name": "account_name",
            "Net Sales (USD)": "net_revenue",
            "Cost of Sales": "cost",
            "Sales Rep": "owner",
        }

    def test_chinese_headers(self):
        text = "月份,客户编码,客户名称,含税金额,成本,产品,数量,集团,区域,客户经理,行业,币种\n"
        text += "2026年3月,K01,甲,100,70,轴承,3,甲集团,华东,王五,制造,CNY\n"
        report = ok("a.csv", text)
        assert set(report.mapping.values()) == {
            "month", "account_id", "account_name", "net_revenue", "cost", "product",
            "quantity", "parent_group", "region", "owner", "industry", "currency",
        }  # fmt: skip
        row = rows("a.csv", text)[0]
        assert (row["gross_profit"], row["quantity"], row["currency"]) == (30.0, 3.0, "CNY")

    def test_headers_are_matched_after_nfkc_trim_and_case_folding(self):
        text = " MONTH ,Ｃｕｓｔｏｍｅｒ,Net_Revenue\n2026-03,A,1\n"
        assert set(ok("a.csv", text).mapping.values()) == {"month", "account_name", "net_revenue"}

    def test_map_override_names_unknown_headers(self):
        text = "Periode,Kunde,Umsatz\n2026-03,A,7\n"
        mapping = {"Periode": "month", "Kunde": "account_name", "Umsatz": "net_revenue"}
        report = ok("a.csv", text, mapping=mapping)
        assert (report.mapping, report.net_revenue) == (mapping, 7.0)

    def test_ui_mapping_dict_overrides_synonyms_and_ignores_columns(self):
        # 'amount' would be net revenue by synonym; the user says it is list revenue.
        text = "month,customer,amount,net,notes\n2026-03,A,100,90,x\n"
        mapping = {"amount": "list_revenue", "notes": "ignore"}
        report = ok("a.csv", text, mapping=mapping)
        assert report.mapping == {
            "month": "month",
            "customer": "account_name",
            "amount": "list_revenue",
            "net": "net_revenue",
        }
        assert report.unmapped == []
        assert rows("a.csv", text, mapping=mapping)[0]["discount_amount"] == 10.0

    def test_unmapped_columns_are_a_warning(self):
        report = ok("a.csv", "month,customer,net revenue,remark\n2026-03,A,1,hi\n")
        warning = next(w for w in report.warnings if w.rule == "unmapped_columns")
        assert warning.message == "1 columns not used: remark"


class TestMonths:
    """Every month form of domain.md §2 lands on the first day of its month."""

    @pytest.mark.parametrize(
        ("cell", "month"),
        [
            ("2026-03", "2026-03"),
            ("2026/3/1", "2026-03"),
            ("2026.3", "2026-03"),
            ("2026年3月", "2026-03"),
            ("２０２６年３月", "2026-03"),
            ("2026年3月15日", "2026-03"),
            ("202603", "2026-03"),
            ("20260315", "2026-03"),
            ("Mar-26", "2026-03"),
            ("March 2026", "2026-03"),
            ("2026-Mar", "2026-03"),
            ("15-Mar-2026", "2026-03"),
            ("46082", "2026-03"),  # Excel serial of 2026-03-01
            ("46111.75", "2026-03"),  # 2026-03-30 18:00
            ("2026-03-31", "2026-03"),
            ("2026-03-15 10:22:01", "2026-03"),
            ("2026-03-15T10:22:01Z", "2026-03"),
            ("15/03/2026", "2026-03"),  # day > 12: day first, settled automatically
            ("3/2026", "2026-03"),
        ],
    )
    def test_month_form(self, cell, month):
        prepared = prepare("a.csv", f"{HEADER}{cell},A,1\n")
        assert prepared.report.ok, [e.message for e in prepared.report.errors]
        assert prepared.report.months == [month]
        assert prepared.rows is not None
        assert prepared.rows.column("month").to_pylist() == [dt.date(2026, 3, 1)]

    def test_day_first_is_settled_by_one_unambiguous_date(self):
        text = HEADER + "15/03/2026,A,1\n03/04/2026,B,2\n"
        assert ok("a.csv", text).months == ["2026-03", "2026-04"]

    def test_month_first_is_settled_by_one_unambiguous_date(self):
        text = HEADER + "03/15/2026,A,1\n04/03/2026,B,2\n"
        assert ok("a.csv", text).months == ["2026-03", "2026-04"]

    def test_ambiguous_dates_are_rejected_without_a_date_order(self):
        report = prepare("a.csv", HEADER + "03/04/2026,A,1\n05/04/2026,B,1\n").report
        assert [(e.line, e.rule) for e in report.errors] == [
            (2, "month_ambiguous"),
            (3, "month_ambiguous"),
        ]
        assert report.errors[0].message == (
            "ambiguous day/month order; set the date order (day first or month first)"
        )
        assert (report.errors[0].column, report.errors[0].value) == ("month", "03/04/2026")

    @pytest.mark.parametrize(("order", "month"), [("dmy", "2026-04"), ("mdy", "2026-03")])
    def test_ambiguous_dates_follow_the_date_order(self, order, month):
        assert ok("a.csv", HEADER + "03/04/2026,A,1\n", date_order=order).months == [month]


class TestDiscounts:
    """Rates in every notation; any two of list, discount and net give the third."""

    def test_ten_zhe_is_full_price(self):
        text = "month,customer,list revenue,discount rate\n2026-03,A,100,10折\n"
        assert rows("a.csv", text)[0]["net_revenue"] == 100.0

    @pytest.mark.parametrize("rate", ["0.15", "15%", "15", "8.5折", "85折", "１５％"])
    def test_rate_notation(self, rate):
        other = {"0.15": "0.2", "15%": "20%", "15": "20"}.get(rate, "8折")
        text = f"month,customer,list revenue,discount rate\n2026-03,A,1000,{rate}\n"
        text += f"2026-03,B,100,{other}\n"
        first, second = rows("a.csv", text)
        assert first["discount_amount"] == pytest.approx(150.0)
        assert first["net_revenue"] == pytest.approx(850.0)
        assert second["net_revenue"] == pytest.approx(80.0)

    def test_list_and_discount_give_net(self):
        row = rows("a.csv", "month,customer,list revenue,discount\n2026-03,A,1000,120\n")[0]
        assert row["net_revenue"] == 880.0

    def test_list_and_net_give_discount(self):
        row = rows("a.csv", "month,customer,list revenue,net revenue\n2026-03,A,1000,880\n")[0]
        assert row["discount_amount"] == 120.0

    def test_discount_and_net_give_list(self):
        row = rows("a.csv", "month,customer,discount,net revenue\n2026-03,A,120,880\n")[0]
        assert row["list_revenue"] == 1000.0

    def test_rate_and_net_give_list_and_discount(self):
        row = rows("a.csv", "month,customer,discount rate,net revenue\n2026-03,A,20%,800\n")[0]
        assert row["list_revenue"] == pytest.approx(1000.0)
        assert row["discount_amount"] == pytest.approx(200.0)

    def test_each_row_uses_whichever_two_it_has(self):
        text = (
            "month,customer,list revenue,discount,net revenue\n"
            "2026-03,A,100,,85\n"
            "2026-03,B,100,15,\n"
            "2026-03,C,,15,85\n"
        )
        got = [
            (r["list_revenue"], r["discount_amount"], r["net_revenue"]) for r in rows("a.csv", text)
        ]
        assert got == [(100, 15, 85)] * 3

    def test_a_discount_column_holding_rates_is_read_as_rates(self):
        text = "month,customer,list revenue,discount\n2026-03,A,200,10%\n2026-03,B,100,9折\n"
        got = [(r["discount_amount"], r["net_revenue"]) for r in rows("a.csv", text)]
        assert got == [pytest.approx((20.0, 180.0)), pytest.approx((10.0, 90.0))]

    def test_cost_or_gross_profit_gives_the_other(self):
        text = "month,customer,net revenue,gross profit\n2026-03,A,100,30\n"
        assert rows("a.csv", text)[0]["cost"] == 70.0


class TestAccounts:
    """Names are trimmed, NFKC-normalised and stripped of zero-width characters; ids stay text."""

    def test_name_spellings_merge_and_the_merge_is_reported(self):
        text = (
            HEADER + "2026-03,Acme,1\n2026-03, Acme ,2\n2026-03,Ac\u200bme,3\n2026-03,Ａｃｍｅ,4\n"
        )
        report = ok("a.csv", text)
        assert (report.accounts, report.rows, report.net_revenue) == (1, 4, 10.0)
        warning = next(w for w in report.warnings if w.rule == "names_merged")
        assert (warning.count, warning.column) == (3, "customer")
        assert warning.message.startswith("3 account-name spellings merged")

    def test_inner_spaces_collapse(self):
        assert rows("a.csv", HEADER + "2026-03,Acme   Ltd,1\n")[0]["account_name"] == "Acme Ltd"

    def test_leading_zero_and_18_digit_ids_stay_text(self):
        text = "month,customer code,customer,net revenue\n"
        text += "2026-03,00123,A,1\n2026-03,913100007178821234,B,2\n"
        got = [(r["account_id"], r["account_key"]) for r in rows("a.csv", text)]
        assert got == [("00123", "00123"), ("913100007178821234", "913100007178821234")]

    def test_accounts_count_distinct_ids(self):
        text = "month,customer code,customer,net revenue\n"
        text += "2026-03,001,A,1\n2026-04,001,A renamed,2\n2026-03,002,B,3\n"
        assert ok("a.csv", text).accounts == 2


class TestExcel:
    """xlsx: title rows, sheet choice, date cells, serial numbers and text ids."""

    BOOK = {
        "Summary": [["Sales by month"], [None], ["Month", "Customer", "Net revenue"]],
        "Data": [
            ["Export of 2026-04-02", None, None, None],
            [None, None, None, None],
            ["Month", "Customer code", "Customer", "Net revenue"],
            [dt.datetime(2026, 3, 1), "00123", "Acme", 100.5],
            [dt.datetime(2026, 4, 15), "913100007178821234", "Beta", 200],
            [46082, "00456", "Gamma", 1000],
        ],
        "中文": [["月份", "客户名称", "销售额"], ["2026年5月", "甲", 3]],
    }

    def test_title_rows_and_date_cells(self):
        prepared = prepare("book.xlsx", xlsx_bytes(self.BOOK), sheet="Data")
        report = prepared.report
        assert report.ok, [e.message for e in report.errors]
        assert (report.kind, report.sheet, report.header_line) == ("xlsx", "Data", 3)
        assert report.months == ["2026-03", "2026-04"]
        assert (report.rows, report.accounts, report.net_revenue) == (3, 3, 1300.5)
        assert prepared.rows is not None
        assert prepared.rows.column("line").to_pylist() == [4, 5, 6]

    def test_text_ids_keep_their_leading_zeros(self):
        got = rows("book.xlsx", xlsx_bytes(self.BOOK), sheet="Data")
        assert [r["account_id"] for r in got] == ["00123", "913100007178821234", "00456"]

    def test_first_sheet_by_default(self):
        book = {"中文": self.BOOK["中文"], "Data": self.BOOK["Data"]}
        report = ok("book.xlsx", xlsx_bytes(book))
        assert (report.sheet, report.months, report.net_revenue) == ("中文", ["2026-05"], 3.0)

    def test_sheet_by_name(self):
        assert ok("book.xlsx", xlsx_bytes(self.BOOK), sheet="中文").months == ["2026-05"]

    def test_error_lines_are_excel_row_numbers(self):
        book = {"S": [["Title"], ["Month", "Customer", "Net revenue"], ["2026-03", "A", "n/a"]]}
        error = one_error(prepare("a.xlsx", xlsx_bytes(book)).report)
        assert (error.line, error.column, error.value, error.rule) == (
            3,
            "Net revenue",
            "n/a",
            "not_numeric",
        )


class TestParquet:
    """Parquet columns of any type are read as text, then typed like every other file."""

    def test_typed_columns(self):
        data = parquet_bytes(
            {
                "month": [dt.date(2026, 3, 1), dt.date(2026, 4, 1)],
                "customer_id": ["00123", "913100007178821234"],
                "net_revenue": [1.5, 2.25],
                "quantity": [3, 4],
            }
        )
        prepared = prepare("a.parquet", data)
        report = prepared.report
        assert report.ok, [e.message for e in report.errors]
        assert (report.kind, report.header_line, report.months) == (
            "parquet",
            1,
            ["2026-03", "2026-04"],
        )
        assert prepared.rows is not None
        assert prepared.rows.column("account_id").to_pylist() == ["00123", "913100007178821234"]
        assert report.net_revenue == 3.75

    def test_numbers_stored_as_numbers_ignore_a_text_columns_decimal_comma(self):
        """By hand: the text column says 1.234,50 (European), so net revenue is 1,234.50; the
        list price is stored as the number 2000.5 and stays 2,000.50, not 20,005."""
        data = parquet_bytes(
            {
                "month": ["2026-03"],
                "customer": ["A"],
                "net_revenue": ["1.234,50"],
                "list_revenue": [2000.5],
            }
        )
        prepared = prepare("a.parquet", data)
        assert prepared.report.ok, [e.message for e in prepared.report.errors]
        assert prepared.report.decimal_comma is True
        assert prepared.rows is not None
        assert prepared.rows.column("net_revenue").to_pylist() == [1234.5]
        assert prepared.rows.column("list_revenue").to_pylist() == [2000.5]

    def test_error_line_counts_the_header_as_line_1(self):
        data = parquet_bytes(
            {"month": ["2026-03", "2026-13"], "customer": ["A", "B"], "net": [1, 2]}
        )
        error = one_error(prepare("a.parquet", data).report)
        assert (error.line, error.rule, error.value) == (3, "month_impossible", "2026-13")


class TestQuotedNewlines:
    """A quoted cell may span lines; later line numbers still match the editor."""

    def test_line_numbers_after_a_multiline_cell(self):
        text = HEADER + '2026-03,"Acme\nShanghai branch",10\n2026-03,"B\n\nC",5\n2026-03,D,bad\n'
        report = prepare("a.csv", text).report
        error = one_error(report)
        assert (error.line, error.value) == (7, "bad")

    def test_multiline_cell_is_kept_whole(self):
        text = HEADER + '2026-03,"Acme\r\nShanghai",10\r\n2026-03,"B\n\nC",5\r\n'
        got = [(r["line"], r["account_name"]) for r in rows("a.csv", text)]
        assert got == [(2, "Acme Shanghai"), (4, "B C")]
