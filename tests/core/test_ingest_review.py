"""Real-world exports that were once misread: totals, number conventions, currencies, VAT."""

from __future__ import annotations

import pytest

from tests.core.conftest import ok, prepare, rows


def net(name: str, text: str, encoding: str = "utf-8") -> list[float]:
    return [r["net_revenue"] for r in rows(name, text, encoding)]


class TestTotalRows:
    def test_excel_data_subtotal_rows_are_excluded(self) -> None:
        text = (
            "Month,Customer,Net Sales\n2026-03,Alpha Corp,100\n2026-03,Alpha Corp,50\n"
            "2026-03,Alpha Corp Total,150\n2026-03,Beta Ltd,70\n2026-03,Beta Ltd Total,70\n"
            ",Grand Total,220\n"
        )
        report = ok("xl.csv", text)
        assert (report.net_revenue, report.accounts, report.subtotal_rows) == (220, 2, 3)

    def test_kingdee_period_and_year_to_date_rows_are_excluded(self) -> None:
        text = (
            "月份,客户编码,客户名称,摘要,销售额\n2026-03,001,华东机械,销售,100\n"
            "2026-03,002,华南电气,销售,200\n2026-03,,,本期合计,300\n2026-03,,,本年累计,900\n"
        )
        report = ok("kd.csv", text.encode("gbk"))
        assert (report.net_revenue, report.accounts, report.subtotal_rows) == (300, 2, 2)

    def test_a_customer_called_total_with_an_id_is_kept(self) -> None:
        text = "Month,Customer Code,Customer,Net Sales\n2026-03,C1,Total (China),2500\n"
        text += "2026-03,C2,Beta,100\n"
        report = ok("t.csv", text)
        assert (report.net_revenue, report.accounts, report.subtotal_rows) == (2600, 2, 0)


class TestDecimalConventions:
    def test_decimal_comma_in_a_tab_file(self) -> None:
        text = "Month\tCustomer\tNet Sales\n2026-03\tA\t1.234,50\n2026-03\tB\t12,5\n"
        assert net("eu.tsv", text) == [1234.5, 12.5]

    def test_decimal_comma_in_a_comma_file_with_quotes(self) -> None:
        text = 'Month,Customer,Net Sales\n2026-03,A,"1,5"\n2026-03,B,"12,34"\n'
        assert net("eu.csv", text) == [1.5, 12.34]

    def test_whole_european_amounts_in_a_semicolon_file(self) -> None:
        text = "Month;Customer;Net Sales\n2026-03;A;1.234\n2026-03;B;12.500\n"
        assert net("eu_int.csv", text) == [1234, 12500]

    def test_us_thousands_in_a_comma_file_stay_thousands(self) -> None:
        text = 'Month,Customer,Net Sales\n2026-03,A,"1,234"\n2026-03,B,"12,345.50"\n'
        assert net("us.csv", text) == [1234, 12345.5]

    def test_both_conventions_in_one_file_are_refused(self) -> None:
        text = 'Month,Customer,Net Sales\n2026-03,A,"1,234.50"\n2026-03,B,"1.234,50"\n'
        report = prepare("mixed.csv", text).report
        assert [e.rule for e in report.errors] == ["number_format_mixed"]
        assert report.errors[0].message.startswith("the amounts mix 1,234.50 and 1.234,50")


class TestCurrencies:
    def test_currency_marks_in_amounts_must_agree(self) -> None:
        text = "Month,Customer,Net Sales\n2026-03,A,$100\n2026-03,B,¥200\n2026-03,C,EUR 300\n"
        report = prepare("marks.csv", text).report
        # One row each: the tie goes to the first code alphabetically, CNY.
        assert sorted((e.line, e.value, e.rule) for e in report.errors) == [
            (2, "USD", "currency_mixed"),
            (4, "EUR", "currency_mixed"),
        ]

    def test_one_mark_fills_the_currency(self) -> None:
        text = "Month,Customer,Net Sales\n2026-03,A,¥200\n2026-03,B,RMB 300\n2026-03,C,50\n"
        assert [r["currency"] for r in rows("cny.csv", text)] == ["CNY", "CNY", None]

    def test_a_mark_that_contradicts_the_currency_column_is_an_error(self) -> None:
        text = "Month,Customer,Net Sales,Currency\n2026-03,A,100,USD\n2026-03,B,¥200,USD\n"
        report = prepare("contra.csv", text).report
        assert [(e.line, e.rule) for e in report.errors] == [(3, "currency_mixed")]


class TestRateNotation:
    def test_fractions_and_percents_in_one_column_are_refused(self) -> None:
        text = "Month,Customer,Net Sales,Discount Rate\n2026-03,A,85,0.15\n2026-03,B,88,12\n"
        report = prepare("rates.csv", text).report
        assert [(e.column, e.rule) for e in report.errors] == [
            ("Discount Rate", "rate_notation_mixed")
        ]

    @pytest.mark.parametrize(
        ("cells", "rates"), [(("15", "20"), [0.15, 0.2]), (("0.15", "0.2"), [0.15, 0.2])]
    )
    def test_one_notation_is_read_as_written(self, cells: tuple[str, str], rates: list) -> None:
        text = "Month,Customer,List Amount,Discount Rate\n"
        text += f"2026-03,A,100,{cells[0]}\n2026-03,B,100,{cells[1]}\n"
        assert [r["discount_amount"] for r in rows("r.csv", text)] == pytest.approx(
            [100 * r for r in rates]
        )


class TestValueAddedTax:
    def test_amount_without_tax_wins_over_the_tax_inclusive_one(self) -> None:
        text = "月份,客户名称,金额,税额,价税合计\n2026-03,华东机械,100,13,113\n"
        report = ok("kd.csv", text)
        assert report.net_revenue == 100
        assert report.mapping["金额"] == "net_revenue"
        assert "价税合计" in report.unmapped

    def test_tax_inclusive_revenue_alone_is_used_with_a_warning(self) -> None:
        text = "月份,客户名称,含税金额\n2026-03,华东机械,113\n"
        report = ok("vat.csv", text)
        assert report.net_revenue == 113
        warning = next(w for w in report.warnings if w.rule == "net_includes_tax")
        assert warning.column == "含税金额" and "includes VAT" in warning.message
