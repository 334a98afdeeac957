"""The demo portfolio's accounts: names, groups, segments, sizes and the planted stories.

Accounts are laid out by size rank (0 = largest). Which rank plays which planted story is
fixed, so the planted account ids are the same for every seed; the seed moves the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

import numpy as np
import pandas as pd

N_ACCOUNTS: Final = 800
"""Accounts that ever buy in the demo, new ones included."""
N_MONTHS: Final = 36

PRODUCTS: Final[tuple[tuple[str, float, float], ...]] = (
    # (product, list price per unit in CNY, gross margin at a typical 8% discount)
    ("Servo Motor", 3280.0, 0.30),
    ("Gearbox", 5650.0, 0.26),
    ("PLC Controller", 4380.0, 0.36),
    ("Frequency Inverter", 2460.0, 0.28),
    ("Hydraulic Pump", 7920.0, 0.24),
    ("Linear Guide", 860.0, 0.32),
    ("Industrial Sensor", 390.0, 0.34),
    ("Spare Parts", 145.0, 0.42),
    ("Maintenance Service", 980.0, 0.40),
)
"""The product lines, their unit list prices and margins."""

BIG_GROUP: Final = "华辰重工集团"
"""The parent group above the 10% single-customer threshold."""
BIG_GROUP_RANKS: Final = (0, 2, 8, 19, 24, 140, 390)
CREEP_RANKS: Final = (3, 10)
ONE_PRODUCT_RANK: Final = 7
NEGATIVE_MARGIN_RANKS: Final = (45, 160, 310, 508)
CHURN_RANKS: Final = tuple(range(421, 776, 6))
"""60 small accounts whose last order falls in 2025-11 .. 2026-04, none after."""
NEW_RANKS: Final = tuple(range(262, 790, 22))
"""24 accounts that first buy between 2025-01 and 2026-08."""
STRATEGIC_RANKS: Final = (0, 1, 2, 3, 4, 6)

_GROUPS_CN: Final = {
    # domestic group: the industry its members' names fit (None: a diversified holding)
    "远航机电集团": "Machinery",
    "鼎盛控股集团": None,
    "瑞丰实业集团": "Textiles",
    "金桥装备集团": "Automation",
    "恒通物流集团": "Logistics",
    "新拓能源集团": "Energy",
    "中亿建材集团": "Metals",
    "东岳化工集团": "Chemicals",
    "海纳电子集团": "Electronics",
}
_GROUPS_INTL: Final = (
    "Vantage Holdings",
    "Nordhavn Group",
    "Castellan Industries",
    "Meridia Holdings",
    "Kestrel Group",
)
_REGIONS_CN: Final = {
    "华东": ("上海", "苏州", "无锡", "杭州", "宁波", "南京", "常州", "青岛", "济南", "合肥"),
    "华南": ("广州", "深圳", "东莞", "佛山", "厦门", "中山"),
    "华北": ("北京", "天津", "石家庄", "太原", "唐山"),
    "华中": ("武汉", "长沙", "郑州", "南昌"),
    "西南": ("成都", "重庆", "昆明", "贵阳"),
    "东北": ("沈阳", "大连", "长春", "哈尔滨"),
}
_REGION_CN_WEIGHTS: Final = (0.40, 0.20, 0.14, 0.10, 0.10, 0.06)
_REGIONS_INTL: Final = {
    "Europe": ("GmbH", "AB", "B.V.", "S.p.A.", "Ltd", "A/S", "s.r.o.", "Oy", "SAS", "Sp. z o.o."),
    "SEA": ("Pte Ltd", "Sdn Bhd", "Co., Ltd.", "JSC", "Corp."),
    "Middle East": ("LLC", "FZE", "W.L.L."),
    "Americas": ("Inc.", "LLC", "Ltda.", "S.A. de C.V."),
}
_CITIES_INTL: Final = {
    "Europe": ("Hamburg", "Göteborg", "Rotterdam", "Milano", "Lyon", "Brno", "Aarhus", "Tampere"),
    "SEA": ("Singapore", "Penang", "Bangkok", "Hanoi", "Jakarta"),
    "Middle East": ("Dubai", "Doha", "Riyadh"),
    "Americas": ("Houston", "Monterrey", "São Paulo", "Chicago"),
}
_REGION_INTL_WEIGHTS: Final = (0.45, 0.30, 0.10, 0.15)
_OWNERS: Final = {
    "华东": ("王磊", "李娜", "陈静"),
    "华南": ("刘洋", "陈静"),
    "华北": ("张伟",),
    "华中": ("杨帆",),
    "西南": ("杨帆",),
    "东北": ("张伟",),
    "Europe": ("Anna Schmidt", "Lars Eriksson"),
    "SEA": ("David Tan",),
    "Middle East": ("Maria Lopez",),
    "Americas": ("Maria Lopez",),
}
_KEY_OWNERS_CN: Final = ("赵敏", "周强")
_INDUSTRIES: Final = {
    # industry: (Chinese name words, English name words)
    "Automotive": (("汽车零部件", "汽车部件"), ("Auto Components", "Automotive")),
    "Packaging": (("包装机械", "包装科技"), ("Packaging",)),
    "Machinery": (("精密机械", "机械制造", "重工"), ("Machinery", "Engineering")),
    "Automation": (("自动化设备", "智能装备", "工业科技"), ("Automation", "Robotics", "Motion")),
    "Electronics": (("电子科技", "电气"), ("Electronics", "Electric")),
    "Rail": (("轨道交通设备",), ("Rail Systems",)),
    "Energy": (("新能源科技", "电力设备"), ("Energy", "Power")),
    "Food & Beverage": (("食品机械", "食品"), ("Food Systems", "Foods")),
    "Textiles": (("纺织机械", "纺织"), ("Textiles",)),
    "Chemicals": (("化工", "化工设备"), ("Chemicals", "Process")),
    "Logistics": (("物流装备", "仓储设备"), ("Logistics", "Conveyors")),
    "Metals": (("金属制品", "钢构"), ("Metals", "Steel")),
}
_ROOTS_CN: Final = tuple(
    "恒力 宏达 博远 华泰 金鼎 瑞德 兴业 永盛 天成 联创 鑫源 正通 昌隆 盛达 德润 "
    "润通 嘉和 科美 泰和 安捷 凯达 万通 广源 长风 海川 亿丰 卓越 启明 宏图 精诚".split()
)
_ROOTS_INTL: Final = tuple(
    "Nordic Delta Alpine Baltic Meridian Apex Orion Helix Atlas Zenith "
    "Sterling Pioneer Summit Crescent Harbor Falcon Vertex Polar Aurora Cobalt "
    "Granite Lumen Pacific Riviera Tasman Andes Borealis Danube Elbe".split()
)


@dataclass(frozen=True)
class Portfolio:
    """The accounts (one row per account, in size-rank order) and what each buys."""

    accounts: pd.DataFrame
    """account_id, account_name, parent_group, segment, region, owner, industry and the
    numeric drivers: annual_net, growth, discount, rebate, cost_factor, and the month indexes
    first_month (first that may have sales) and end_month (first without)."""
    slots: pd.DataFrame
    """One row per account x product: rank, product index and its share of the account."""


def account_ids() -> list[str]:
    """Ids by rank: established accounts scrambled over C00001..C00776, new ones C00801 on."""
    new = set(NEW_RANKS)
    established = [r for r in range(N_ACCOUNTS) if r not in new]
    ids = [""] * N_ACCOUNTS
    for j, rank in enumerate(established):
        ids[rank] = f"C{(j * 293 + 117) % len(established) + 1:05d}"
    for k, rank in enumerate(NEW_RANKS):
        ids[rank] = f"C{801 + k:05d}"
    return ids


def planted_ids() -> dict[str, list[str]]:
    """The account ids behind each planted story."""
    ids = account_ids()
    return {
        "discount_creep": [ids[r] for r in CREEP_RANKS],
        "negative_margin": [ids[r] for r in NEGATIVE_MARGIN_RANKS],
        "one_product": [ids[ONE_PRODUCT_RANK]],
        "churned": [ids[r] for r in CHURN_RANKS],
        "new": [ids[r] for r in NEW_RANKS],
        "big_group": [ids[r] for r in BIG_GROUP_RANKS],
    }


def _sizes(rng: np.random.Generator) -> np.ndarray:
    """Annual net revenue by rank: lognormal quantiles (sigma 1.70) with a little jitter."""
    normal = NormalDist()
    z = np.array([normal.inv_cdf(1 - (r + 0.5) / N_ACCOUNTS) for r in range(N_ACCOUNTS)])
    return 320_000.0 * np.exp(1.70 * z) * rng.lognormal(0.0, 0.12, N_ACCOUNTS)


def _groups(rng: np.random.Generator) -> list[str | None]:
    """Parent group by rank: the big group at fixed ranks, 14 more with 2-8 members each."""
    groups: list[str | None] = [None] * N_ACCOUNTS
    for r in BIG_GROUP_RANKS:
        groups[r] = BIG_GROUP
    planted = set(CREEP_RANKS) | set(NEGATIVE_MARGIN_RANKS) | set(CHURN_RANKS) | set(NEW_RANKS)
    # Below rank 12 so that no second group can pass the 10% threshold.
    free = np.array([r for r in range(12, 620) if r not in planted and groups[r] is None])
    sizes = rng.integers(2, 9, len(_GROUPS_CN) + len(_GROUPS_INTL))
    members = rng.choice(free, int(sizes.sum()), replace=False)
    start = 0
    for name, size in zip((*_GROUPS_CN, *_GROUPS_INTL), sizes, strict=True):
        for r in members[start : start + size]:
            groups[int(r)] = name
        start += int(size)
    return groups


def _segments(rng: np.random.Generator) -> np.ndarray:
    """Value segment by rank: strategic at the top, other for most small and mid accounts."""
    ranks = np.arange(N_ACCOUNTS)
    u = rng.random(N_ACCOUNTS)
    big = np.select([u < 0.35, u < 0.70], ["extrinsic", "intrinsic"], "other")
    small = np.select([u < 0.15, u < 0.20], ["intrinsic", "extrinsic"], "other")
    segment = np.where(ranks < 200, big, small).astype(object)
    segment[list(STRATEGIC_RANKS)] = "strategic"
    segment[[5, CREEP_RANKS[1]]] = "extrinsic"
    segment[ONE_PRODUCT_RANK] = "intrinsic"
    segment[list(CHURN_RANKS) + list(NEW_RANKS)] = "other"
    return segment


def _places(rng: np.random.Generator, groups: list[str | None]) -> tuple[list[str], list[bool]]:
    """Region by rank; members of a group share its home (domestic or abroad)."""
    cn_regions, intl_regions = list(_REGIONS_CN), list(_REGIONS_INTL)
    home = {g: g in _GROUPS_CN or g == BIG_GROUP for g in set(groups) if g is not None}
    domestic = [
        home[g] if g is not None else bool(u < 0.76)
        for g, u in zip(groups, rng.random(N_ACCOUNTS), strict=True)
    ]
    cn = rng.choice(cn_regions, N_ACCOUNTS, p=_REGION_CN_WEIGHTS)
    intl = rng.choice(intl_regions, N_ACCOUNTS, p=_REGION_INTL_WEIGHTS)
    regions = [str(c) if d else str(i) for c, i, d in zip(cn, intl, domestic, strict=True)]
    return regions, domestic


def _names(
    rng: np.random.Generator,
    groups: list[str | None],
    regions: list[str],
    industries: list[str],
    domestic: list[bool],
) -> list[str]:
    """A unique, plausible company name per account, group members named after their group."""
    names: list[str] = []
    taken: set[str] = set()
    for group, region, industry, is_cn in zip(groups, regions, industries, domestic, strict=True):
        words_cn, words_en = _INDUSTRIES[industry]
        for attempt in range(1000):
            if is_cn:
                city = str(rng.choice(_REGIONS_CN[region]))
                word = str(rng.choice(words_cn))
                if group is not None:
                    root = group.removesuffix("集团")
                    name = (
                        f"{root}({city}){word}有限公司"
                        if rng.random() < 0.5
                        else f"{city}{root}{word}有限公司"
                    )
                else:
                    suffix = "股份有限公司" if rng.random() < 0.2 else "有限公司"
                    name = f"{city}{rng.choice(_ROOTS_CN)}{word}{suffix}"
            else:
                root = group.split()[0] if group is not None else str(rng.choice(_ROOTS_INTL))
                if attempt > 20:  # a small group can run out of plain combinations
                    root = f"{root} {rng.choice(_CITIES_INTL[region])}"
                name = f"{root} {rng.choice(words_en)} {rng.choice(_REGIONS_INTL[region])}"
            if name not in taken:
                break
        else:
            raise RuntimeError(f"no free company name left for {region} / {industry}")
        taken.add(name)
        names.append(name)
    return names


def _owners(rng: np.random.Generator, regions: list[str], domestic: list[bool]) -> list[str]:
    """Account manager by rank: the two key-account directors own the largest domestic accounts."""
    owners = []
    for rank, (region, is_cn) in enumerate(zip(regions, domestic, strict=True)):
        pool = _KEY_OWNERS_CN if rank < 20 and is_cn else _OWNERS[region]
        owners.append(str(rng.choice(pool)))
    return owners


def _slots(rng: np.random.Generator, annual: np.ndarray) -> pd.DataFrame:
    """Each account buys 1-4 products; small accounts lean to the cheap ones."""
    prices = np.array([p[1] for p in PRODUCTS])
    ranks, products, shares = [], [], []
    for rank, size in enumerate(annual):
        breadth = float(np.clip(np.log10(size) - 5.0, 0.1, 0.85))
        n = 1 + int(rng.binomial(3, breadth))
        affordability = np.clip(size / 12 / (prices * 4), 0.02, 1.0)
        weights = affordability / affordability.sum()
        chosen = rng.choice(len(PRODUCTS), n, replace=False, p=weights)
        mix = rng.dirichlet(np.full(n, 2.0))
        if rank == ONE_PRODUCT_RANK:
            chosen, mix = np.array([1, 7]), np.array([0.96, 0.04])
        ranks += [rank] * len(chosen)
        products += chosen.tolist()
        shares += mix.tolist()
    return pd.DataFrame({"rank": ranks, "product_index": products, "share": shares})


def build_portfolio(seed: int) -> Portfolio:
    """Draw the whole account book for a seed."""
    rng = np.random.default_rng(seed)
    annual = _sizes(rng)
    groups = _groups(rng)
    segment = _segments(rng)
    regions, domestic = _places(rng, groups)
    industry_names = list(_INDUSTRIES)
    group_industry = {
        g: _GROUPS_CN.get(g) or str(rng.choice(industry_names))
        for g in sorted(filter(None, set(groups)))
    }
    group_industry[BIG_GROUP] = "Rail"
    industries = [
        group_industry[g] if g is not None else str(rng.choice(industry_names)) for g in groups
    ]
    names = _names(rng, groups, regions, industries, domestic)
    owners = _owners(rng, regions, domestic)

    discount_low = {"intrinsic": 0.10, "extrinsic": 0.05, "strategic": 0.07, "other": 0.03}
    discount = np.array([discount_low[s] for s in segment]) + rng.uniform(0, 0.05, N_ACCOUNTS)
    discount[list(CREEP_RANKS)] = 0.08
    growth = np.clip(rng.normal(0.06, 0.10, N_ACCOUNTS), -0.25, 0.40)
    growth[list(CREEP_RANKS)] = 0.0
    growth[list(BIG_GROUP_RANKS)] = np.abs(growth[list(BIG_GROUP_RANKS)])
    first_month = np.zeros(N_ACCOUNTS, dtype=int)
    first_month[list(NEW_RANKS)] = rng.integers(14, 34, len(NEW_RANKS))
    end_month = np.full(N_ACCOUNTS, N_MONTHS)
    end_month[list(CHURN_RANKS)] = rng.integers(25, 31, len(CHURN_RANKS))
    accounts = pd.DataFrame(
        {
            "account_id": account_ids(),
            "account_name": names,
            "parent_group": pd.Series(groups, dtype=object),
            "segment": segment.astype(str),
            "region": regions,
            "owner": owners,
            "industry": industries,
            "annual_net": annual,
            "growth": growth,
            "discount": discount,
            "rebate": rng.uniform(0.0, 0.03, N_ACCOUNTS) + (segment == "strategic") * 0.01,
            "cost_factor": rng.lognormal(0.0, 0.05, N_ACCOUNTS),
            "first_month": first_month,
            "end_month": end_month,
        }
    )
    return Portfolio(accounts=accounts, slots=_slots(rng, annual))
