"""The fields of an export (domain.md §2) and the header synonyms that map onto them."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from core.reference_fields import COMPANION_SYNONYMS, SHARED_FIELDS, VALUE_WORDS, FileKind

FIELDS: Final[tuple[str, ...]] = (
    "month",
    "account_id",
    "account_name",
    "net_revenue",
    "list_revenue",
    "discount_amount",
    "discount_rate",
    "off_invoice",
    "cost",
    "gross_profit",
    "cost_to_serve",
    "product",
    "quantity",
    "parent_group",
    "segment",
    "region",
    "owner",
    "industry",
    "currency",
)
"""Every field Keystone reads from an export."""

MONEY_FIELDS: Final[tuple[str, ...]] = (
    "net_revenue",
    "list_revenue",
    "discount_amount",
    "off_invoice",
    "cost",
    "gross_profit",
    "cost_to_serve",
)
TEXT_FIELDS: Final[tuple[str, ...]] = (
    "account_id",
    "account_name",
    "product",
    "parent_group",
    "region",
    "owner",
    "industry",
)
IGNORE: Final = "ignore"
"""Mapping target that drops a column."""

_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "month": (
        "month",
        "period",
        "date",
        "invoice date",
        "order date",
        "billing date",
        "posting date",
        "document date",
        "year month",
        "sales month",
        "fiscal period",
        "月份",
        "日期",
        "期间",
        "会计期间",
        "开票日期",
        "发票日期",
        "单据日期",
        "年月",
        "销售月份",
        "订单日期",
        "月度",
    ),
    "account_id": (
        "account id",
        "account code",
        "account number",
        "account no",
        "customer id",
        "customer code",
        "customer no",
        "customer number",
        "client id",
        "client code",
        "sold to",
        "sold to party",
        "debitor",
        "debtor",
        "客户编码",
        "客户编号",
        "客户代码",
        "客户id",
        "客户号",
        "客户码",
    ),
    "account_name": (
        "account",
        "account name",
        "customer",
        "customer name",
        "client",
        "client name",
        "sold to name",
        "company",
        "company name",
        "客户名称",
        "客户",
        "客户名",
        "客户全称",
        "单位名称",
        "购货单位",
        "公司名称",
    ),
    "net_revenue": (
        "net revenue",
        "net sales",
        "net",
        "net amount",
        "net value",
        "revenue",
        "sales",
        "sales amount",
        "amount",
        "invoice amount",
        "invoiced amount",
        "turnover",
        "销售额",
        "金额",
        "含税金额",
        "销售金额",
        "净销售额",
        "收入",
        "营业收入",
        "实际金额",
        "开票金额",
        "价税合计",
        "净额",
        "销售收入",
        "含税销售额",
        "含税收入",
        "amount incl. tax",
        "amount including tax",
        "amount incl vat",
    ),
    "list_revenue": (
        "list revenue",
        "list amount",
        "list value",
        "list sales",
        "list price amount",
        "gross sales",
        "gross amount",
        "gross revenue",
        "standard amount",
        "标准金额",
        "标价金额",
        "原价金额",
        "目录价金额",
        "牌价金额",
        "折前金额",
        "原价",
    ),
    "discount_amount": (
        "discount",
        "discount amount",
        "discount value",
        "on invoice discount",
        "折扣",
        "折扣金额",
        "折扣额",
        "让利金额",
    ),
    "discount_rate": (
        "discount rate",
        "discount %",
        "discount pct",
        "discount percent",
        "discount percentage",
        "折扣率",
        "折扣比例",
        "折让率",
        "折扣%",
    ),
    "off_invoice": (
        "off invoice",
        "off-invoice",
        "rebate",
        "rebates",
        "bonus",
        "allowance",
        "allowances",
        "off invoice discount",
        "返利",
        "返点",
        "折让",
        "票外折扣",
        "返利金额",
    ),
    "cost": (
        "cost",
        "cogs",
        "cost of sales",
        "cost of goods sold",
        "standard cost",
        "成本",
        "销售成本",
        "成本金额",
    ),
    "gross_profit": ("gross profit", "gp", "gross profit amount", "毛利", "毛利额", "毛利润"),
    "cost_to_serve": ("cost to serve", "service cost", "cost-to-serve", "服务成本"),
    "product": (
        "product",
        "product line",
        "product name",
        "item",
        "item name",
        "sku",
        "material",
        "产品",
        "产品名称",
        "产品线",
        "物料",
        "物料名称",
        "品名",
        "商品",
    ),
    "quantity": ("quantity", "qty", "units", "volume", "数量", "销量"),
    "parent_group": (
        "parent group",
        "group",
        "parent",
        "parent account",
        "group name",
        "corporate group",
        "集团",
        "所属集团",
        "母公司",
        "集团名称",
    ),
    "segment": (
        "segment",
        "value segment",
        "customer type",
        "customer segment",
        "account type",
        "客户类型",
        "客户细分",
        "细分",
        "价值类型",
        "客户分类",
    ),
    "region": ("region", "area", "territory", "sales region", "区域", "大区", "地区", "销售区域"),
    "owner": (
        "owner",
        "account manager",
        "account owner",
        "sales rep",
        "salesperson",
        "sales person",
        "kam",
        "key account manager",
        "客户经理",
        "销售员",
        "业务员",
        "负责人",
        "销售代表",
    ),
    "industry": ("industry", "sector", "vertical", "行业", "所属行业"),
    "currency": ("currency", "curr", "currency code", "币种", "货币"),
}

SEGMENTS: Final[tuple[str, ...]] = ("intrinsic", "extrinsic", "strategic", "other")
_SEGMENT_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "intrinsic": ("intrinsic", "transactional", "内在", "内在价值", "交易型", "内在价值型"),
    "extrinsic": ("extrinsic", "consultative", "外在", "外在价值", "顾问型", "外在价值型"),
    "strategic": ("strategic", "enterprise", "战略", "战略价值", "战略型", "战略价值型"),
    "other": (
        "other",
        "others",
        "small",
        "mid",
        "small and mid",
        "sme",
        "其他",
        "中小",
        "中小客户",
        "一般",
        "普通",
    ),
}

_DROP = re.compile(r"[\s_\-./:：]+")
_BRACKETS = re.compile(r"[(\[（【].*?[)\]）】]")


def normalise_header(text: str) -> str:
    """NFKC, drop bracketed units and separators, case-fold: 'Net Sales (¥)' -> 'netsales'.

    A bracketed '%' is kept, since it says the column holds rates: '折扣(%)' -> '折扣%'."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    without_units = _BRACKETS.sub("", folded) or folded
    if without_units != folded and "%" in "".join(_BRACKETS.findall(folded)):
        without_units += "%"
    return _DROP.sub("", without_units)


HEADER_SYNONYMS: Final[dict[str, str]] = {
    normalise_header(name): field for field, names in _SYNONYMS.items() for name in names
}
"""Normalised header text -> field."""

SEGMENT_VALUES: Final[dict[str, str]] = {
    normalise_header(name): segment
    for segment, names in _SEGMENT_SYNONYMS.items()
    for name in names
}
"""Normalised segment label -> canonical segment."""


COMPANION_HEADERS: Final[dict[str, dict[str, str]]] = {
    kind: {
        normalise_header(name): field
        for field, names in (
            *((f, _SYNONYMS[f]) for f in SHARED_FIELDS[kind]),
            *synonyms.items(),
        )
        for name in names
    }
    for kind, synonyms in COMPANION_SYNONYMS.items()
}
"""Per companion kind: normalised header text -> field."""

CODED_VALUES: Final[dict[str, dict[str, str]]] = {
    field: {normalise_header(word): value for value, words in vocabulary.items() for word in words}
    for field, vocabulary in VALUE_WORDS.items()
}
"""Per coded companion field (buying_role, style, stance, key_account): normalised word -> value."""


def fields_of(kind: FileKind) -> tuple[str, ...]:
    """The fields a file of this kind may hold."""
    if kind == "export":
        return FIELDS
    return tuple(dict.fromkeys((*SHARED_FIELDS[kind], *COMPANION_SYNONYMS[kind])))


def field_for_header(header: str, kind: FileKind = "export") -> str | None:
    """The field a header names in a file of this kind, or None when it is not a synonym."""
    key = normalise_header(header)
    table = HEADER_SYNONYMS if kind == "export" else COMPANION_HEADERS[kind]
    found = table.get(key)
    if found is None and key.endswith("%"):
        found = table.get(key.rstrip("%"))
    return found


_TAX_INCLUSIVE: Final = frozenset(
    normalise_header(name)
    for name in (
        "含税金额",
        "价税合计",
        "含税销售额",
        "含税收入",
        "amount incl. tax",
        "amount including tax",
        "gross amount incl vat",
        "amount incl vat",
    )
)


def includes_tax(header: str) -> bool:
    """True for an amount that includes VAT (含税金额, 价税合计): revenue only as a last resort."""
    return normalise_header(header) in _TAX_INCLUSIVE
