"""The fields of the companion files (contacts, accounts; domain.md §2) and their vocabularies.

Only raw words live here; core.fields normalises them the same way as export headers.
"""

from __future__ import annotations

from typing import Final, Literal

FileKind = Literal["export", "contacts", "accounts"]
"""What a file holds: monthly sales rows, the people at each account, or the account master."""
KINDS: Final[tuple[FileKind, ...]] = ("export", "contacts", "accounts")
COMPANION_KINDS: Final[tuple[FileKind, ...]] = ("contacts", "accounts")

SHARED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "contacts": ("account_id", "account_name", "owner"),
    "accounts": ("account_id", "account_name", "parent_group", "segment", "owner", "industry"),
}
"""Per companion kind: the export fields it also holds; their export header words apply too."""

_OWNER: Final = ("internal owner", "relationship owner", "我方负责人", "对接人")

COMPANION_SYNONYMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "contacts": {
        "contact_name": (
            "contact",
            "contact name",
            "contact person",
            "name",
            "person",
            "full name",
            "联系人",
            "联系人姓名",
            "姓名",
            "人员",
        ),
        "title": ("title", "job title", "position", "job", "职位", "职务", "头衔", "岗位"),
        "buying_role": (
            "buying role",
            "role",
            "buyer role",
            "buying influence",
            "角色",
            "采购角色",
            "购买角色",
            "决策角色",
        ),
        "style": (
            "style",
            "social style",
            "decision style",
            "communication style",
            "风格",
            "决策风格",
            "沟通风格",
            "行为风格",
        ),
        "influence": ("influence", "influence level", "power", "影响力", "影响力等级"),
        "stance": ("stance", "attitude", "disposition", "态度", "立场", "支持度"),
        "last_contact": (
            "last contact",
            "last contact date",
            "last contacted",
            "last touch",
            "last meeting",
            "最近联系",
            "最近联系日期",
            "最后联系日期",
            "上次联系",
            "上次拜访",
        ),
        "owner": _OWNER,
    },
    "accounts": {
        "account_name": ("name", "名称"),
        "owner": _OWNER,
        "key_account": (
            "key account",
            "key account flag",
            "is key account",
            "key",
            "重点客户",
            "是否重点客户",
            "大客户",
            "是否大客户",
            "关键客户",
        ),
    },
}
"""Per companion kind: field -> header words, English and Chinese, beyond the export's words
for its SHARED_FIELDS."""

COMPANION_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "contacts": ("account_id", "contact_name", "buying_role"),
    "accounts": ("account_id",),
}
"""Fields each companion file must have a column for, and a value in every row."""

BUYING_ROLES: Final = ("economic_buyer", "technical_buyer", "user_buyer", "coach", "gatekeeper")
STYLES: Final = ("driver", "expressive", "analytical", "amiable")
STANCES: Final = ("champion", "supporter", "neutral", "detractor")

VALUE_WORDS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "buying_role": {
        "economic_buyer": (
            "economic buyer",
            "economic",
            "eb",
            "decision maker",
            "budget holder",
            "经济购买者",
            "经济决策者",
            "经济买家",
            "决策者",
            "拍板人",
        ),
        "technical_buyer": (
            "technical buyer",
            "technical",
            "tb",
            "technical evaluator",
            "技术购买者",
            "技术决策者",
            "技术评估者",
            "技术买家",
            "技术把关者",
        ),
        "user_buyer": (
            "user buyer",
            "user",
            "ub",
            "end user",
            "使用购买者",
            "用户购买者",
            "使用者",
            "用户",
            "最终用户",
        ),
        "coach": ("coach", "insider", "guide", "教练", "内线", "向导", "内部教练"),
        "gatekeeper": ("gatekeeper", "gate keeper", "守门人", "看门人", "把门人"),
    },
    # The article's four words: 领导 leading, 影响 influencing, 检查 checking, 跟踪 following.
    "style": {
        "driver": ("driver", "driving", "leading", "领导", "领导型", "驾驭型", "支配型", "指挥型"),
        "expressive": ("expressive", "influencing", "影响", "影响型", "表现型", "表达型"),
        "analytical": ("analytical", "analytic", "checking", "检查", "检查型", "分析型", "思考型"),
        "amiable": (
            "amiable",
            "following",
            "跟踪",
            "跟踪型",
            "和蔼型",
            "友善型",
            "随和型",
            "亲和型",
        ),
    },
    "stance": {
        "champion": ("champion", "advocate", "拥护者", "倡导者", "铁杆支持者"),
        "supporter": ("supporter", "support", "supportive", "positive", "支持", "支持者"),
        "neutral": ("neutral", "中立", "中立者"),
        "detractor": (
            "detractor",
            "opponent",
            "against",
            "negative",
            "blocker",
            "反对",
            "反对者",
            "阻碍者",
        ),
    },
    "key_account": {
        "true": ("yes", "y", "true", "1", "x", "✓", "√", "key", "是", "重点", "大客户"),
        "false": ("no", "n", "false", "0", "否", "非", "一般", "普通"),
    },
}
"""Per coded field: canonical value -> the words accepted for it."""

INFLUENCE_RANGE: Final = (1, 5)
"""Influence is an integer score, 1 (little) to 5 (decides)."""
