"""The demo's companion files: the people at each account (with planted gaps) and the accounts.

Contacts cover every key account of the default period (the last 12 demo months), the next
40 accounts by revenue, and 8 thinly covered mid-size accounts. Each key account has its
economic buyer, technical buyer, coach and users, recently contacted, except the planted gaps
in ``PEOPLE_PLANTED`` (by size rank, so the account ids are fixed):

- single_threaded: two key accounts where only the economic buyer is named;
- no_technical_buyer: a key account with nobody in the technical buyer's role;
- influential_detractor: a key account whose technical buyer is a detractor of influence 5.

Domestic accounts are written in Chinese (roles 经济购买者…, the article's style words
领导/影响/检查/跟踪, dates 2026/9/15), the others in English, under Chinese headers.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from core.demo_portfolio import account_ids, build_portfolio
from core.reference_fields import FileKind

COMPANION_DIR: Final = "companion"
"""Sub-folder of the demo folder holding the companion files (not exports)."""
CONTACTS_FILE: Final = "客户联系人.csv"
ACCOUNTS_FILE: Final = "accounts.csv"
COMPANION_KINDS: Final[dict[str, FileKind]] = {
    CONTACTS_FILE: "contacts",
    ACCOUNTS_FILE: "accounts",
}
AS_OF: Final = date(2026, 10, 31)
"""The end of the demo's last month: every contact date lies before it."""
DEFAULT_PERIOD_START: Final = "2025-11"
PEOPLE_PLANTED_RANKS: Final[dict[str, tuple[int, ...]]] = {
    "single_threaded": (5, 12),
    "no_technical_buyer": (1,),
    "influential_detractor": (9,),
}
THIN_ACCOUNTS: Final = 8
NEXT_ACCOUNTS: Final = 40

ROLE_WORDS: Final = {
    "economic_buyer": ("经济购买者", "Economic Buyer"),
    "technical_buyer": ("技术购买者", "Technical Buyer"),
    "user_buyer": ("使用者", "User Buyer"),
    "coach": ("教练", "Coach"),
    "gatekeeper": ("守门人", "Gatekeeper"),
}
STYLE_WORDS: Final = {
    "driver": ("领导", "Driver"),
    "expressive": ("影响", "Expressive"),
    "analytical": ("检查", "Analytical"),
    "amiable": ("跟踪", "Amiable"),
}
STANCE_WORDS: Final = {
    "champion": ("拥护者", "Champion"),
    "supporter": ("支持者", "Supporter"),
    "neutral": ("中立", "Neutral"),
    "detractor": ("反对者", "Detractor"),
}
_TITLES: Final = {
    "economic_buyer": (("总经理", "采购总监", "副总裁"), ("General Manager", "VP Operations")),
    "technical_buyer": (("技术总监", "总工程师", "质量经理"), ("CTO", "Quality Manager")),
    "user_buyer": (("生产经理", "设备主管", "车间主任"), ("Plant Manager", "Maintenance Lead")),
    "coach": (("项目经理", "工艺工程师"), ("Project Manager", "Process Engineer")),
    "gatekeeper": (("采购专员", "总经理助理"), ("Buyer", "Executive Assistant")),
}
_SURNAMES: Final = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗")
_GIVEN: Final = tuple("伟 芳 娜 敏 静 磊 强 军 洋 勇 艳 杰 涛 明 超 霞 平 刚 鹏 辉".split())
_FIRST: Final = tuple(
    "Anna Lars Sofia Marco Elena Jonas Priya Omar Lucas Mia David Sara Tomas Nina Ravi".split()
)
_LAST: Final = tuple(
    "Schmidt Eriksson Rossi Novak Tan Lim Haddad Silva Jensen Moreau Kowalski Ng".split()
)

CONTACT_HEADERS: Final = (
    "客户编码",
    "客户名称",
    "联系人",
    "职位",
    "采购角色",
    "风格",
    "影响力",
    "态度",
    "最近联系日期",
    "我方负责人",
)
ACCOUNT_HEADERS: Final = (
    "Customer Code",
    "Customer Name",
    "Parent Group",
    "Segment",
    "Account Manager",
    "Industry",
    "Key Account",
)


def people_planted() -> dict[str, list[str]]:
    """The account ids behind each planted relationship gap."""
    ids = account_ids()
    return {story: [ids[r] for r in ranks] for story, ranks in PEOPLE_PLANTED_RANKS.items()}


def period_ranking(frame: pd.DataFrame) -> list[str]:
    """Account ids with positive revenue in the default period, largest first (ties by id)."""
    period = frame[frame["month"] >= DEFAULT_PERIOD_START]
    revenue = period.groupby("account_id")["net_revenue"].sum()
    revenue = revenue[revenue > 0].reset_index()
    ordered = revenue.sort_values(["net_revenue", "account_id"], ascending=[False, True])
    return ordered["account_id"].tolist()


def _plan(rng: np.random.Generator, gap: str | None, thin: bool) -> list[tuple[str, dict]]:
    """(role, traits) for each person of one account."""
    if gap == "single_threaded":
        return [("economic_buyer", {"days": int(rng.integers(10, 40))})]
    if thin:
        return [
            ("economic_buyer", {"days": int(rng.integers(20, 80))}),
            ("user_buyer", {"days": int(rng.integers(10, 60))}),
        ]
    roles = ["economic_buyer", "technical_buyer", "coach", "user_buyer"]
    if rng.random() < 0.6:
        roles.append("user_buyer")
    if rng.random() < 0.5:
        roles.append("gatekeeper")
    if gap == "no_technical_buyer":
        roles = [r for r in roles if r != "technical_buyer"]
        if "gatekeeper" not in roles:
            roles.append("gatekeeper")
    plan = []
    for role in roles:
        traits: dict = {}
        if role == "technical_buyer" and gap == "influential_detractor":
            traits = {"stance": "detractor", "influence": 5}
        plan.append((role, traits))
    return plan


_INFLUENCE: Final = {
    "economic_buyer": (4, 5),
    "technical_buyer": (3, 4),
    "user_buyer": (2, 3),
    "coach": (2, 3),
    "gatekeeper": (1, 2),
}
_STANCES: Final = {
    "economic_buyer": ("champion", "supporter", "supporter", "neutral"),
    "technical_buyer": ("supporter", "supporter", "neutral"),
    "user_buyer": ("supporter", "neutral", "neutral", "detractor"),
    "coach": ("champion",),
    "gatekeeper": ("neutral", "supporter"),
}
_DAYS: Final = {
    "economic_buyer": (5, 70),
    "technical_buyer": (5, 80),
    "user_buyer": (10, 150),
    "coach": (3, 60),
    "gatekeeper": (20, 200),
}


def build_contacts(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per person, in the contacts file's columns (canonical codes, not words)."""
    rng = np.random.default_rng([seed, 7])
    accounts = build_portfolio(seed).accounts.set_index("account_id")
    ranking = period_ranking(frame)
    key_count = math.ceil(len(ranking) / 5)
    covered = ranking[: key_count + NEXT_ACCOUNTS]
    thin = ranking[key_count + NEXT_ACCOUNTS : key_count + NEXT_ACCOUNTS + THIN_ACCOUNTS]
    gaps = {i: story for story, ids in people_planted().items() for i in ids}
    rows = []
    for account_id in [*covered, *thin]:
        account = accounts.loc[account_id]
        domestic = not str(account["region"]).isascii()  # 华东 … against Europe, SEA …
        taken: set[str] = set()
        for role, traits in _plan(rng, gaps.get(account_id), account_id in thin):
            name = _name(rng, domestic, taken)
            low, high = _INFLUENCE[role]
            day_low, day_high = _DAYS[role]
            titles = _TITLES[role][0 if domestic else 1]
            rows.append(
                {
                    "account_id": account_id,
                    "account_name": account["account_name"],
                    "contact_name": name,
                    "title": str(rng.choice(titles)),
                    "buying_role": role,
                    "style": str(rng.choice(list(STYLE_WORDS))),
                    "influence": traits.get("influence", int(rng.integers(low, high + 1))),
                    "stance": traits.get("stance", str(rng.choice(_STANCES[role]))),
                    "last_contact": AS_OF
                    - timedelta(days=traits.get("days", int(rng.integers(day_low, day_high)))),
                    "owner": account["owner"],
                    "domestic": domestic,
                }
            )
    return pd.DataFrame(rows)


def _name(rng: np.random.Generator, domestic: bool, taken: set[str]) -> str:
    """A person's name, unique within the account."""
    while True:
        if domestic:
            name = str(rng.choice(_SURNAMES)) + "".join(rng.choice(_GIVEN, int(rng.integers(1, 3))))
        else:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name not in taken:
            taken.add(name)
            return name


def _contacts_file(contacts: pd.DataFrame) -> pd.DataFrame:
    """The contacts in words: Chinese for domestic accounts, English for the others."""
    pick = contacts["domestic"].map({True: 0, False: 1})

    def words(column: str, vocabulary: dict[str, tuple[str, str]]) -> list[str]:
        return [vocabulary[v][i] for v, i in zip(contacts[column], pick, strict=True)]

    dates = [
        f"{d.year}/{d.month}/{d.day}" if domestic else d.isoformat()
        for d, domestic in zip(contacts["last_contact"], contacts["domestic"], strict=True)
    ]
    columns = [
        contacts["account_id"],
        contacts["account_name"],
        contacts["contact_name"],
        contacts["title"],
        words("buying_role", ROLE_WORDS),
        words("style", STYLE_WORDS),
        contacts["influence"],
        words("stance", STANCE_WORDS),
        dates,
        contacts["owner"],
    ]
    return pd.DataFrame(dict(zip(CONTACT_HEADERS, columns, strict=True)))


def build_accounts(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The account master: every demo account with the export's segment and the key flag."""
    accounts = build_portfolio(seed).accounts
    ranking = period_ranking(frame)
    key = set(ranking[: math.ceil(len(ranking) / 5)])
    table = accounts.loc[
        :, ["account_id", "account_name", "parent_group", "segment", "owner", "industry"]
    ].copy()
    table["key_account"] = np.where(table["account_id"].isin(key), "yes", "no")
    return table.sort_values("account_id", ignore_index=True)


def write_companion_files(out_dir: Path, frame: pd.DataFrame, seed: int) -> list[Path]:
    """Write the contacts and accounts files into out_dir/companion; their paths."""
    folder = Path(out_dir) / COMPANION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    contacts_path, accounts_path = folder / CONTACTS_FILE, folder / ACCOUNTS_FILE
    _contacts_file(build_contacts(frame, seed)).to_csv(
        contacts_path, index=False, encoding="utf-8-sig"
    )
    accounts = build_accounts(frame, seed)
    accounts.columns = list(ACCOUNT_HEADERS)
    accounts.to_csv(accounts_path, index=False, encoding="utf-8")
    return [contacts_path, accounts_path]
