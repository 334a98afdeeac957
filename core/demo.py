"""A deterministic demo portfolio: the canonical long table and 36 messy monthly export files.

The demo is an invented industrial-goods supplier (~800 accounts, 9 product lines, CNY) with
stories planted for the analytics to find; ``PLANTED`` names the accounts behind each.

Which month is written in which shape, by its index i in DEMO_MONTHS (0 = 2023-11):

    i % 4   i // 4  shape (file name)                                   months
    0       any     Chinese CSV, GB18030, title row, "12,345.67",       9: 2023-11,
                    合计 row (销售明细_YYYY-MM.csv)                        2024-03 .. 2026-07
    1 or 2  any     English CSV, UTF-8, "YYYY-MM" (sales_YYYY-MM.csv)   18
    3       odd     Excel, sheet "Sales", title row 1, header row 3,    4: 2024-06, 2025-02,
                    Month as date cells (sales_YYYY-MM.xlsx)            2025-10, 2026-06
    3       even    English CSV, UTF-8 with BOM, invoice dates in       5: 2024-02, 2024-10,
                    Month (invoices_YYYY-MM.csv)                        2025-06, 2026-02, 2026-10
"""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from core.demo_portfolio import (
    CHURN_RANKS,
    CREEP_RANKS,
    N_MONTHS,
    NEGATIVE_MARGIN_RANKS,
    NEW_RANKS,
    ONE_PRODUCT_RANK,
    PRODUCTS,
    build_portfolio,
    planted_ids,
)

DEMO_SEED: int = 20261127
DEMO_MONTHS: list[str] = [str(p) for p in pd.period_range("2023-11", periods=N_MONTHS, freq="M")]
"""The 36 demo months, 'YYYY-MM', 2023-11 to 2026-10."""

PLANTED: Final[dict[str, list[str]]] = planted_ids()
"""Account ids behind each planted story, the same for every seed.

- discount_creep: two top-decile accounts whose discount rate climbs from 8% to 18% over the
  last 9 months while their net revenue stays flat.
- negative_margin: four accounts whose cost exceeds net revenue in every row.
- one_product: a top-decile account with about 96% of its revenue in Gearbox.
- churned: 60 small 'other' accounts buying from the start whose last order falls in
  2025-11 .. 2026-04 (none in the last 6 months).
- new: 24 accounts (C00801 on) that first buy between 2025-01 and 2026-08.
- big_group: the members of 华辰重工集团, above 10% of net revenue.

Besides these, 7 rows of mid-size accounts are credit notes (every amount negative); which
rows they are depends on the seed.
"""
N_CREDIT_NOTES: Final = 7

COLUMNS: Final = tuple(
    "month account_id account_name parent_group segment region owner industry product quantity "
    "list_revenue discount_amount net_revenue off_invoice cost currency".split()
)
"""The canonical frame's columns, in order."""
MONEY: Final = ("list_revenue", "discount_amount", "net_revenue", "off_invoice", "cost")
EN_HEADERS: Final = dict(
    zip(
        COLUMNS,
        "Month,Customer Code,Customer Name,Parent Group,Segment,Region,Account Manager,"
        "Industry,Product,Quantity,List Amount,Discount Amount,Net Sales,Off-Invoice,Cost,"
        "Currency".split(","),
        strict=True,
    )
)
ZH_HEADERS: Final = dict(
    zip(
        COLUMNS,
        "月份,客户编码,客户名称,集团,客户类型,区域,客户经理,行业,产品,数量,"
        "标准金额,折扣金额,销售额,返利,成本,币种".split(","),
        strict=True,
    )
)
SEGMENT_ZH: Final = {
    "intrinsic": "内在价值",
    "extrinsic": "外在价值",
    "strategic": "战略价值",
    "other": "其他",
}
XLSX_TITLE: Final = "Keystone Industrial – Monthly sales export"

FileShape = Literal["csv_en", "csv_zh", "xlsx", "csv_invoice"]

# Demand by calendar month, January first: Chinese New Year dips February, year-end peaks.
_SEASON: Final = np.array([0.95, 0.70, 1.05, 1.00, 1.00, 1.08, 0.95, 0.93, 1.05, 0.92, 1.05, 1.15])
_PRICE_INDEX: Final = {2023: 1.0, 2024: 1.0, 2025: 1.03, 2026: 1.0609}
"""The list price book rises 3% each January from 2025."""
_CREEP_START: Final = N_MONTHS - 10


def build_demo_frame(seed: int = DEMO_SEED) -> pd.DataFrame:
    """The canonical long table: one row per account x product x month that has sales."""
    portfolio = build_portfolio(seed)
    accounts, slots = portfolio.accounts, portfolio.slots
    rng = np.random.default_rng([seed, 1])

    rank = np.repeat(slots["rank"].to_numpy(), N_MONTHS)
    product = np.repeat(slots["product_index"].to_numpy(), N_MONTHS)
    share = np.repeat(slots["share"].to_numpy(), N_MONTHS)
    t = np.tile(np.arange(N_MONTHS), len(slots))
    size = len(t)
    creep = np.isin(rank, CREEP_RANKS)

    def account(column: str) -> np.ndarray:
        return accounts[column].to_numpy()[rank]

    calendar_month = (10 + t) % 12  # index 0 is November
    season = np.where(creep, 1.0, _SEASON[calendar_month])
    growth = (1.0 + account("growth")) ** ((t - 29.5) / 12.0)
    noise = rng.lognormal(0.0, np.where(creep, 0.015, 0.15), size)
    net_target = account("annual_net") / 12.0 * share * season * growth * noise

    creep_rate = 0.08 + 0.10 * np.clip((t - _CREEP_START) / 9.0, 0.0, 1.0)
    rate = np.where(creep, creep_rate, account("discount")) + rng.normal(0.0, 0.006, size)
    rate = np.clip(rate, 0.005, 0.30)

    price_index = np.array([_PRICE_INDEX[int(m[:4])] for m in DEMO_MONTHS])[t]
    unit_price = np.array([p[1] for p in PRODUCTS])[product] * price_index
    unit_cost = unit_price * 0.92 * (1.0 - np.array([p[2] for p in PRODUCTS])[product])
    expected_qty = net_target / (1.0 - rate) / unit_price
    # Small expected quantities become sporadic orders; large ones are just rounded.
    quantity = np.where(
        expected_qty < 30, rng.poisson(np.minimum(expected_qty, 30)), np.rint(expected_qty)
    ).astype(np.int64)

    list_cents = np.rint(quantity * unit_price * 100).astype(np.int64)
    discount_cents = np.rint(list_cents * rate).astype(np.int64)
    net_cents = list_cents - discount_cents
    rebate = np.clip(account("rebate") * rng.uniform(0.7, 1.3, size), 0.0, 0.04)
    off_cents = np.rint(net_cents * rebate).astype(np.int64)
    cost_noise = account("cost_factor") * rng.lognormal(0.0, 0.03, size)
    cost_cents = np.rint(quantity * unit_cost * cost_noise * 100).astype(np.int64)
    losing = np.isin(rank, NEGATIVE_MARGIN_RANKS)
    loss_cost = np.rint(net_cents * rng.uniform(1.04, 1.14, size)).astype(np.int64)
    cost_cents = np.where(losing, loss_cost, cost_cents)

    keep = (t >= account("first_month")) & (t < account("end_month")) & (quantity > 0)
    rows = pd.DataFrame(
        {
            "rank": rank,
            "t": t,
            "product_index": product,
            "quantity": quantity,
            "list": list_cents,
            "discount": discount_cents,
            "net": net_cents,
            "off": off_cents,
            "cost": cost_cents,
        }
    )[keep].reset_index(drop=True)
    _plant_credit_notes(rows, rng)
    return _finish(rows, accounts)


def _plant_credit_notes(rows: pd.DataFrame, rng: np.random.Generator) -> None:
    """Turn a few mid-size account rows into returns: every amount and the quantity negative."""
    planted = [*CREEP_RANKS, *NEGATIVE_MARGIN_RANKS, ONE_PRODUCT_RANK, *CHURN_RANKS, *NEW_RANKS]
    eligible = np.flatnonzero(
        rows["rank"].between(30, 450).to_numpy()
        & ~rows["rank"].isin(planted).to_numpy()
        & (rows["quantity"] >= 2).to_numpy()
    )
    chosen = rng.choice(eligible, N_CREDIT_NOTES, replace=False)
    for column in ("quantity", "list", "discount", "net", "cost"):
        rows.loc[chosen, column] = -rows.loc[chosen, column]
    rows.loc[chosen, "off"] = 0


def _finish(rows: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Attach the account attributes, convert cents to CNY and sort."""
    rank = rows["rank"].to_numpy()
    frame = pd.DataFrame(
        {
            "month": np.array(DEMO_MONTHS, dtype=object)[rows["t"].to_numpy()],
            **{c: accounts[c].to_numpy()[rank] for c in COLUMNS[1:8]},
            "product": np.array([p[0] for p in PRODUCTS], dtype=object)[rows["product_index"]],
            "quantity": rows["quantity"].to_numpy(np.int64),
            "list_revenue": rows["list"].to_numpy() / 100,
            "discount_amount": rows["discount"].to_numpy() / 100,
            "net_revenue": rows["net"].to_numpy() / 100,
            "off_invoice": rows["off"].to_numpy() / 100,
            "cost": rows["cost"].to_numpy() / 100,
            "currency": "CNY",
        }
    )
    # pandas would turn None into NaN in a str column; the contract is str or None.
    frame["parent_group"] = pd.Series(
        accounts["parent_group"].to_numpy()[rank], dtype=object, index=frame.index
    )
    return frame.sort_values(["month", "account_id", "product"], ignore_index=True)


def file_shape(month_index: int) -> FileShape:
    """The export shape of a month, by its index in DEMO_MONTHS (see the module docstring)."""
    phase = month_index % 4
    if phase == 0:
        return "csv_zh"
    if phase in (1, 2):
        return "csv_en"
    return "xlsx" if (month_index // 4) % 2 == 1 else "csv_invoice"


def write_demo_files(out_dir: Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write the 36 monthly exports into out_dir (created if missing); paths in month order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = build_demo_frame(seed)
    paths = []
    for index, month in enumerate(DEMO_MONTHS):
        rows = frame[frame["month"] == month].reset_index(drop=True)
        shape = file_shape(index)
        if shape == "csv_zh":
            paths.append(_write_zh_csv(rows, out_dir / f"销售明细_{month}.csv", month))
        elif shape == "csv_en":
            path = out_dir / f"sales_{month}.csv"
            _english(rows).to_csv(path, index=False, encoding="utf-8", float_format="%.2f")
            paths.append(path)
        elif shape == "xlsx":
            paths.append(_write_xlsx(rows, out_dir / f"sales_{month}.xlsx", month))
        else:
            rng = np.random.default_rng([seed, 2, index])
            paths.append(_write_invoice_csv(rows, out_dir / f"invoices_{month}.csv", month, rng))
    return paths


def _english(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows under the English export headers."""
    return rows.loc[:, list(COLUMNS)].rename(columns=EN_HEADERS)


def _write_invoice_csv(
    rows: pd.DataFrame, path: Path, month: str, rng: np.random.Generator
) -> Path:
    """English CSV with a BOM whose Month column holds invoice dates spread over the month."""
    year, month_number = int(month[:4]), int(month[5:])
    days = calendar.monthrange(year, month_number)[1]
    day = rng.integers(1, days + 1, len(rows))
    out = rows.assign(month=[f"{month}-{d:02d}" for d in day])
    out = out.sort_values(["month", "account_id", "product"], ignore_index=True)
    _english(out).to_csv(path, index=False, encoding="utf-8-sig", float_format="%.2f")
    return path


def _write_zh_csv(rows: pd.DataFrame, path: Path, month: str) -> Path:
    """Chinese GB18030 CSV: title row, Chinese labels, thousands separators, a 合计 row."""
    year, month_number = int(month[:4]), int(month[5:])
    out = rows.loc[:, list(COLUMNS)].copy()
    out["month"] = f"{year}年{month_number}月"
    out["segment"] = out["segment"].map(SEGMENT_ZH)
    total: dict[str, object] = dict.fromkeys(COLUMNS, "")
    total["account_name"] = "合计"
    total["quantity"] = int(out["quantity"].sum())
    for column in MONEY:
        # Summing cents keeps the total exact to the fen.
        total[column] = int(np.rint(out[column].to_numpy() * 100).sum()) / 100
    out = pd.concat([out.astype(object), pd.DataFrame([total])], ignore_index=True)
    for column in MONEY:
        out[column] = out[column].map("{:,.2f}".format)
    out = out.rename(columns=ZH_HEADERS)
    with path.open("w", encoding="gb18030", newline="") as handle:
        handle.write(f"{year}年{month_number}月销售明细\r\n")
        out.to_csv(handle, index=False, lineterminator="\r\n")
    return path


def _write_xlsx(rows: pd.DataFrame, path: Path, month: str) -> Path:
    """Excel export: a title in row 1, a blank row 2, the header in row 3, real date cells."""
    out = _english(rows.assign(month=pd.Timestamp(f"{month}-01")))
    group_col, first_money = COLUMNS.index("parent_group"), COLUMNS.index(MONEY[0])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name="Sales", startrow=2, index=False)
        sheet = writer.sheets["Sales"]
        sheet["A1"] = XLSX_TITLE
        for row in sheet.iter_rows(min_row=4):
            row[0].number_format = "yyyy-mm-dd"
            if row[group_col].value == "":
                row[group_col].value = None  # a blank cell, not an empty string
            for cell in row[first_money : first_money + len(MONEY)]:
                cell.number_format = "#,##0.00"
    return path
