"""Companion files (contacts, accounts) read through the export path, with their own rules."""

from __future__ import annotations

import datetime as dt

import pytest

from core.fields import CODED_VALUES, field_for_header, normalise_header
from core.reference_fields import VALUE_WORDS
from tests.core.conftest import prepare, xlsx_bytes

CONTACTS_ZH = """联系人名单（2026年10月）
客户编码,联系人,职位,角色,风格,影响力,态度,最近联系日期,我方负责人
C001,张三,采购总监,经济购买者,领导,5,支持者,2026-10-01,王磊
C001,李四,总工程师,技术购买者,检查,４,反对者,2026/6/15,王磊
C002,Bob Li,CTO,Technical Buyer,Analytical,3,Neutral,2026年9月30日,Anna
C002,Eve,Buyer,gatekeeper,AMIABLE,2,champion,,Anna
"""
"""A title row, Chinese headers, the article's style words, a full-width 4, three date forms."""


def contacts(text: str, **options: object):
    return prepare("contacts.csv", text, kind="contacts", **options)


class TestContactsMapping:
    def test_chinese_headers_and_terms_map_to_fields_and_codes(self) -> None:
        prepared = contacts(CONTACTS_ZH)
        assert prepared.report.ok, prepared.report.errors
        assert prepared.report.header_line == 2
        rows = prepared.rows.to_pylist()
        assert [r["line"] for r in rows] == [3, 4, 5, 6]
        assert [r["buying_role"] for r in rows] == [
            "economic_buyer",
            "technical_buyer",
            "technical_buyer",
            "gatekeeper",
        ]
        assert [r["style"] for r in rows] == ["driver", "analytical", "analytical", "amiable"]
        assert [r["stance"] for r in rows] == ["supporter", "detractor", "neutral", "champion"]
        assert [r["influence"] for r in rows] == [5, 4, 3, 2]
        assert [r["last_contact"] for r in rows] == [
            dt.date(2026, 10, 1),
            dt.date(2026, 6, 15),
            dt.date(2026, 9, 30),
            None,
        ]
        assert prepared.report.rows == 4 and prepared.report.accounts == 2
        assert prepared.report.months == [] and prepared.report.net_revenue == 0

    @pytest.mark.parametrize(
        ("word", "style"),
        [("领导", "driver"), ("影响", "expressive"), ("检查", "analytical"), ("跟踪", "amiable")],
    )
    def test_the_articles_four_style_words(self, word: str, style: str) -> None:
        assert CODED_VALUES["style"][normalise_header(word)] == style

    @pytest.mark.parametrize(
        ("word", "role"),
        [
            ("经济购买者", "economic_buyer"),
            ("技术购买者", "technical_buyer"),
            ("使用者", "user_buyer"),
            ("教练", "coach"),
            ("守门人", "gatekeeper"),
            ("Economic Buyer", "economic_buyer"),
            ("technical_buyer", "technical_buyer"),
        ],
    )
    def test_role_words(self, word: str, role: str) -> None:
        assert CODED_VALUES["buying_role"][normalise_header(word)] == role

    def test_no_word_means_two_values(self) -> None:
        for field_name, vocabulary in VALUE_WORDS.items():
            meanings: dict[str, set[str]] = {}
            for value, words in vocabulary.items():
                for word in words:
                    meanings.setdefault(normalise_header(word), set()).add(value)
            assert {k: v for k, v in meanings.items() if len(v) > 1} == {}, field_name

    def test_headers_depend_on_the_kind(self) -> None:
        assert field_for_header("Name", "contacts") == "contact_name"
        assert field_for_header("Name", "accounts") == "account_name"
        assert field_for_header("Name") is None
        assert field_for_header("客户经理", "contacts") == "owner"

    def test_excel_contacts_with_date_cells(self) -> None:
        data = xlsx_bytes(
            {
                "People": [
                    ["Account ID", "Contact", "Role", "Last contact", "Influence"],
                    ["00123", "Ann", "coach", dt.datetime(2026, 8, 17), 4],
                ]
            }
        )
        prepared = prepare("people.xlsx", data, kind="contacts")
        assert prepared.report.ok, prepared.report.errors
        [row] = prepared.rows.to_pylist()
        assert row["account_id"] == "00123"
        assert row["last_contact"] == dt.date(2026, 8, 17)
        assert row["influence"] == 4


class TestContactsErrors:
    """Every error names the line, the column as written, the value and the rule."""

    def test_unknown_words_and_bad_numbers_name_the_cell(self) -> None:
        text = (
            "account id,contact,role,style,influence,stance,last contact\n"
            "A1,Ann,boss,driver,7,champion,2026-01-05\n"
            "A1,Bob,coach,bossy,2.5,fan,yesterday\n"
            "A2,,user,amiable,1,neutral,2026-02-30\n"
        )
        report = contacts(text).report
        assert not report.ok
        found = [(e.line, e.column, e.value, e.rule) for e in report.errors]
        assert found == [
            (2, "influence", "7", "influence_invalid"),
            (2, "role", "boss", "role_unknown"),
            (3, "last contact", "yesterday", "date_unrecognised"),
            (3, "influence", "2.5", "influence_invalid"),
            (3, "stance", "fan", "stance_unknown"),
            (3, "style", "bossy", "style_unknown"),
            (4, "last contact", "2026-02-30", "month_impossible"),
            (4, "contact", None, "value_missing"),
        ]
        messages = {e.rule: e.message for e in report.errors}
        assert messages["influence_invalid"] == "influence must be a whole number from 1 to 5"
        assert messages["role_unknown"].startswith("unknown buying role (use economic buyer")
        assert messages["value_missing"] == (
            "this cell is empty, but contact_name is required in every row"
        )
        assert report.errors[0].as_line() == (
            "contacts.csv:2: influence: 7: influence must be a whole number from 1 to 5"
        )

    def test_missing_required_column(self) -> None:
        report = contacts("account id,contact,title\nA1,Ann,CEO\n").report
        assert [(e.rule, e.params) for e in report.errors] == [
            ("missing_field", {"field": "buying_role"})
        ]
        assert report.errors[0].message.startswith("required field buying_role has no column")

    def test_chinese_message(self) -> None:
        report = contacts("客户编码,联系人,角色\nA1,张三,老板\n").report
        [error] = report.errors
        assert error.localised("zh").startswith("未知的采购角色")

    def test_a_file_with_an_error_gives_no_rows(self) -> None:
        prepared = contacts("account id,contact,role\nA1,Ann,coach\nA2,Bob,boss\n")
        assert prepared.rows is None and prepared.report.error_count == 1

    def test_ambiguous_dates_need_an_order(self) -> None:
        text = "account id,contact,role,last contact\nA1,Ann,coach,03/04/2026\n"
        assert [e.rule for e in contacts(text).report.errors] == ["month_ambiguous"]
        [row] = contacts(text, date_order="dmy").rows.to_pylist()
        assert row["last_contact"] == dt.date(2026, 4, 3)

    def test_blank_rows_are_skipped_and_unmapped_columns_warned(self) -> None:
        text = "account id,contact,role,hobby\nA1,Ann,coach,golf\n,,,\nA1,Bob,gatekeeper,\n"
        prepared = contacts(text)
        assert prepared.report.ok and prepared.report.rows == 2
        assert [w.rule for w in prepared.report.warnings] == ["unmapped_columns"]


class TestAccountsFile:
    def test_fields_segments_and_flags(self) -> None:
        text = (
            "客户编码,客户名称,集团,客户类型,客户经理,行业,重点客户\n"
            "C001,华辰(上海)有限公司,华辰重工集团,战略价值,赵敏,Rail,是\n"
            "C002,Nordic Motion AB,,extrinsic,Anna,Automation,no\n"
            "C003,小客户,,,,,\n"
        )
        prepared = prepare("accounts.csv", text, kind="accounts")
        assert prepared.report.ok, prepared.report.errors
        rows = prepared.rows.to_pylist()
        assert [(r["segment"], r["key_account"]) for r in rows] == [
            ("strategic", True),
            ("extrinsic", False),
            (None, None),
        ]
        assert rows[0]["parent_group"] == "华辰重工集团"

    def test_an_account_listed_twice_and_bad_values(self) -> None:
        text = "account id,name,segment,key account\nA1,Acme,gold,yes\nA1,Acme 2,other,maybe\n"
        report = prepare("accounts.csv", text, kind="accounts").report
        found = [(e.line, e.column, e.value, e.rule) for e in report.errors]
        assert found == [
            (2, "segment", "gold", "segment_unknown"),
            (3, "account id", "A1", "account_twice"),
            (3, "key account", "maybe", "flag_unknown"),
        ]
        assert report.errors[1].message == (
            "this account is already listed on line 2; list each account once"
        )

    def test_an_export_is_unchanged_by_the_kinds(self) -> None:
        prepared = prepare("sales.csv", "month,customer,net revenue\n2026-03,A,100\n")
        assert prepared.report.ok and prepared.report.months == ["2026-03"]
        assert prepared.options.kind == "export"


class TestHeaderWords:
    def test_no_header_word_names_two_fields_of_a_kind(self) -> None:
        from core.fields import _SYNONYMS
        from core.reference_fields import COMPANION_SYNONYMS, SHARED_FIELDS

        for kind, extra in COMPANION_SYNONYMS.items():
            meanings: dict[str, set[str]] = {}
            for field_name, words in [
                *((f, _SYNONYMS[f]) for f in SHARED_FIELDS[kind]),
                *extra.items(),
            ]:
                for word in words:
                    meanings.setdefault(normalise_header(word), set()).add(field_name)
            assert {k: v for k, v in meanings.items() if len(v) > 1} == {}, kind


class TestMappingOverrides:
    def test_a_mapping_names_contacts_fields(self) -> None:
        text = "Kunde,Wer,Rolle\nA1,Ann,coach\n"
        mapping = {"Kunde": "account_id", "Wer": "contact_name", "Rolle": "buying_role"}
        [row] = contacts(text, mapping=mapping).rows.to_pylist()
        assert (row["account_id"], row["contact_name"], row["buying_role"]) == (
            "A1",
            "Ann",
            "coach",
        )

    def test_an_export_field_is_not_a_contacts_field(self) -> None:
        text = "account id,contact,role,Umsatz\nA1,Ann,coach,5\n"
        report = contacts(text, mapping={"Umsatz": "net_revenue"}).report
        assert [(e.rule, e.column) for e in report.errors] == [("field_not_in_kind", "Umsatz")]
        assert report.errors[0].message == "'net_revenue' is not a field of a contacts file"
