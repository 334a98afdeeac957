"""The fields of domain.md §2 and the header synonyms that reach them."""

from __future__ import annotations

import pytest

from core.fields import (
    FIELDS,
    HEADER_SYNONYMS,
    MONEY_FIELDS,
    SEGMENT_VALUES,
    SEGMENTS,
    TEXT_FIELDS,
    field_for_header,
    normalise_header,
)
from core.ingest.mapping import resolve


class TestNormaliseHeader:
    """NFKC, trimming, case folding; units in brackets dropped, a bracketed % kept."""

    @pytest.mark.parametrize(
        ("header", "key"),
        [
            ("Net Sales (¥)", "netsales"),
            ("  NET_SALES  ", "netsales"),
            ("Ｎｅｔ　Ｓａｌｅｓ", "netsales"),
            ("销售额（元）", "销售额"),
            ("Off-Invoice", "offinvoice"),
            ("Discount (%)", "discount%"),
            ("折扣率【%】", "折扣率%"),
            ("(blank)", "(blank)"),
        ],
    )
    def test_key(self, header, key):
        assert normalise_header(header) == key


class TestSynonyms:
    """Every header domain.md names, in English and Chinese, maps to its field."""

    @pytest.mark.parametrize(
        ("header", "field"),
        [
            ("客户名称", "account_name"),
            ("客户编码", "account_id"),
            ("月份", "month"),
            ("销售额", "net_revenue"),
            ("金额", "net_revenue"),
            ("含税金额", "net_revenue"),
            ("折扣", "discount_amount"),
            ("折扣率", "discount_rate"),
            ("成本", "cost"),
            ("毛利", "gross_profit"),
            ("产品", "product"),
            ("数量", "quantity"),
            ("集团", "parent_group"),
            ("区域", "region"),
            ("客户经理", "owner"),
            ("行业", "industry"),
            ("币种", "currency"),
            ("Customer Name", "account_name"),
            ("Customer ID", "account_id"),
            ("Invoice Date", "month"),
            ("Net Revenue", "net_revenue"),
            ("List Revenue", "list_revenue"),
            ("Discount Rate (%)", "discount_rate"),
            ("Rebates", "off_invoice"),
            ("COGS", "cost"),
            ("Cost to serve", "cost_to_serve"),
            ("Parent Group", "parent_group"),
            ("Account Manager", "owner"),
            ("Segment", "segment"),
        ],
    )
    def test_header_maps_to_field(self, header, field):
        assert field_for_header(header) == field

    def test_unknown_header(self):
        assert field_for_header("remark") is None

    def test_every_synonym_targets_a_field(self):
        assert set(HEADER_SYNONYMS.values()) == set(FIELDS)

    def test_field_groups_are_fields(self):
        assert set(MONEY_FIELDS) <= set(FIELDS)
        assert set(TEXT_FIELDS) <= set(FIELDS)

    @pytest.mark.parametrize(
        ("label", "segment"),
        [("Intrinsic", "intrinsic"), ("战略价值", "strategic"), ("顾问型", "extrinsic"),
         ("SME", "other")],
    )  # fmt: skip
    def test_segment_labels(self, label, segment):
        assert SEGMENT_VALUES[normalise_header(label)] == segment
        assert segment in SEGMENTS


class TestResolve:
    """Synonyms first, the user's mapping on top; problems named with their column."""

    def test_positions_and_unmapped(self):
        result = resolve(["月份", "客户", "销售额", "备注"], {})
        assert result.positions == {"month": 0, "account_name": 1, "net_revenue": 2}
        assert result.unmapped == ["备注"]
        assert result.problems == []

    def test_override_wins_and_ignore_drops(self):
        result = resolve(["month", "customer", "amount", "net"], {"AMOUNT ": "list_revenue"})
        assert result.positions == {
            "month": 0,
            "account_name": 1,
            "list_revenue": 2,
            "net_revenue": 3,
        }
        assert resolve(["month", "customer", "net", "x"], {"x": "ignore"}).unmapped == []

    def test_list_and_discount_stand_in_for_net(self):
        result = resolve(["month", "customer", "list revenue", "discount rate"], {})
        assert result.problems == []
