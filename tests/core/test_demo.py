"""The demo generator: a realistic, deterministic portfolio with its planted stories, and the
messy monthly files written from it. Figures are recomputed here with plain pandas."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.demo import (
    COLUMNS,
    DEMO_MONTHS,
    DEMO_SEED,
    EN_HEADERS,
    PLANTED,
    SEGMENT_ZH,
    XLSX_TITLE,
    ZH_HEADERS,
    build_demo_frame,
    file_shape,
    write_demo_files,
)

LAST_12 = DEMO_MONTHS[-12:]
LAST_3, PRIOR_3 = DEMO_MONTHS[-3:], DEMO_MONTHS[-6:-3]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return build_demo_frame()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo") / "exports")


def net_by_account(frame: pd.DataFrame, months: list[str]) -> pd.Series:
    """Net revenue per account over the months, largest first."""
    rows = frame[frame["month"].isin(months)]
    return rows.groupby("account_id")["net_revenue"].sum().sort_values(ascending=False)


def window(frame: pd.DataFrame, account_id: str, months: list[str]) -> pd.Series:
    """Summed amounts of one account over some months."""
    rows = frame[(frame["account_id"] == account_id) & frame["month"].isin(months)]
    return rows[["list_revenue", "discount_amount", "net_revenue"]].sum()


class TestDeterminism:
    def test_same_seed_gives_the_same_frame(self, frame: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(build_demo_frame(DEMO_SEED), frame)

    def test_another_seed_gives_another_frame(self, frame: pd.DataFrame) -> None:
        other = build_demo_frame(DEMO_SEED + 1)
        assert len(other) != len(frame) or not other["net_revenue"].equals(frame["net_revenue"])

    def test_planted_ids_do_not_depend_on_the_seed(self) -> None:
        other = build_demo_frame(7)
        for story in ("discount_creep", "one_product", "negative_margin"):
            assert set(PLANTED[story]) <= set(other["account_id"])

    def test_core_demo_never_imports_streamlit(self) -> None:
        code = "import sys, core.demo; sys.exit('streamlit' in sys.modules)"
        repo = Path(__file__).resolve().parents[2]
        result = subprocess.run([sys.executable, "-c", code], cwd=repo, check=False)
        assert result.returncode == 0


class TestCanonicalFrame:
    def test_columns_and_types(self, frame: pd.DataFrame) -> None:
        assert tuple(frame.columns) == COLUMNS
        assert frame["quantity"].dtype == np.int64
        for column in ("list_revenue", "discount_amount", "net_revenue", "off_invoice", "cost"):
            assert frame[column].dtype == np.float64
            assert (frame[column].round(2) == frame[column]).all()
        assert frame["account_id"].map(type).eq(str).all()
        assert frame["account_id"].str.fullmatch(r"C\d{5}").all()
        assert set(frame["currency"]) == {"CNY"}

    def test_thirty_six_months(self, frame: pd.DataFrame) -> None:
        assert DEMO_MONTHS[0] == "2023-11" and DEMO_MONTHS[-1] == "2026-10"
        assert sorted(frame["month"].unique()) == DEMO_MONTHS
        assert len(set(DEMO_MONTHS)) == 36

    def test_one_row_per_account_product_month(self, frame: pd.DataFrame) -> None:
        assert not frame.duplicated(["month", "account_id", "product"]).any()
        assert 50_000 <= len(frame) <= 90_000

    def test_net_is_list_minus_discount_to_the_fen(self, frame: pd.DataFrame) -> None:
        difference = frame["list_revenue"] - frame["discount_amount"]
        assert (difference.round(2) == frame["net_revenue"]).all()

    def test_parent_group_is_text_or_none(self, frame: pd.DataFrame) -> None:
        values = set(frame["parent_group"].map(type))
        assert values == {str, type(None)}

    def test_categorical_fields(self, frame: pd.DataFrame) -> None:
        accounts = frame.drop_duplicates("account_id")
        assert set(frame["segment"]) == {"intrinsic", "extrinsic", "strategic", "other"}
        assert accounts["segment"].value_counts().idxmax() == "other"
        assert 3 <= (accounts["segment"] == "strategic").sum() <= 8
        assert 6 <= frame["product"].nunique() <= 10
        assert 10 <= frame["owner"].nunique() <= 14
        assert {"华东", "华南", "华北", "西南", "Europe", "SEA"} <= set(frame["region"])
        products_per_account = frame.groupby("account_id")["product"].nunique()
        assert products_per_account.between(1, 4).all()

    def test_account_names_are_unique_and_mixed(self, frame: pd.DataFrame) -> None:
        names = frame.groupby("account_id")["account_name"].agg(["nunique", "first"])
        assert (names["nunique"] == 1).all()
        assert names["first"].is_unique
        assert names["first"].str.endswith("有限公司").mean() > 0.5
        assert names["first"].str.contains(r"(?:GmbH|AB|Ltd|Inc\.)$").sum() > 30

    def test_prices_discounts_and_margins_are_plausible(self, frame: pd.DataFrame) -> None:
        sold = frame[frame["net_revenue"] > 0]
        by_segment = sold.groupby("segment")[["list_revenue", "discount_amount"]].sum()
        rate = by_segment["discount_amount"] / by_segment["list_revenue"]
        assert rate.between(0.03, 0.15).all()
        assert rate["intrinsic"] == rate.max()
        assert (sold["off_invoice"] <= 0.04 * sold["net_revenue"] + 0.01).all()
        assert (frame["off_invoice"] >= 0).all()
        margin = 1 - sold["cost"].sum() / sold["net_revenue"].sum()
        assert 0.20 <= margin <= 0.40

    def test_seasonality_and_mild_growth(self, frame: pd.DataFrame) -> None:
        monthly = frame.groupby("month")["net_revenue"].sum()
        assert monthly.idxmin()[5:] == "02"  # Chinese New Year
        first_year, last_year = monthly.iloc[:12].sum(), monthly.iloc[-12:].sum()
        assert 1.0 < last_year / first_year < 1.25


class TestConcentration:
    def test_about_800_accounts(self, frame: pd.DataFrame) -> None:
        assert 750 <= frame["account_id"].nunique() <= 850

    def test_top_fifth_holds_75_to_85_percent_of_last_year(self, frame: pd.DataFrame) -> None:
        revenue = net_by_account(frame, LAST_12)
        revenue = revenue[revenue > 0]
        top_n = math.ceil(0.2 * len(revenue))
        share = revenue.iloc[:top_n].sum() / revenue.sum()
        assert 0.75 <= share <= 0.85

    @pytest.mark.parametrize("months", [LAST_12, DEMO_MONTHS], ids=["last_12", "all_36"])
    def test_one_group_holds_more_than_a_tenth(
        self, frame: pd.DataFrame, months: list[str]
    ) -> None:
        rows = frame[frame["month"].isin(months)]
        by_group = rows.groupby("parent_group")["net_revenue"].sum() / rows["net_revenue"].sum()
        assert (by_group > 0.10).sum() == 1
        members = frame.loc[frame["parent_group"] == by_group.idxmax(), "account_id"]
        assert set(members) == set(PLANTED["big_group"])

    def test_groups_have_two_to_eight_members(self, frame: pd.DataFrame) -> None:
        members = frame.groupby("parent_group")["account_id"].nunique()
        assert 12 <= len(members) <= 18
        assert members.between(2, 8).all()
        grouped = frame.drop_duplicates("account_id")["parent_group"].notna().mean()
        assert grouped < 0.2


class TestPlantedStories:
    def test_story_ids_exist_and_do_not_overlap(self, frame: pd.DataFrame) -> None:
        stories = ["discount_creep", "negative_margin", "one_product", "churned", "new"]
        ids = [i for story in stories for i in PLANTED[story]]
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(frame["account_id"])

    @pytest.mark.parametrize("account_id", PLANTED["discount_creep"])
    def test_discount_creeps_while_revenue_stays_flat(
        self, frame: pd.DataFrame, account_id: str
    ) -> None:
        last, prior = window(frame, account_id, LAST_3), window(frame, account_id, PRIOR_3)
        creep = last["discount_amount"] / last["list_revenue"]
        creep -= prior["discount_amount"] / prior["list_revenue"]
        assert creep * 100 > 2.0
        change = last["net_revenue"] / prior["net_revenue"] - 1
        assert change <= 0 or abs(change) <= 0.03

    @pytest.mark.parametrize("account_id", PLANTED["discount_creep"] + PLANTED["one_product"])
    def test_story_accounts_are_key_accounts(self, frame: pd.DataFrame, account_id: str) -> None:
        revenue = net_by_account(frame, LAST_12)
        assert revenue.index.get_loc(account_id) < len(revenue) // 10

    def test_negative_margin_accounts_lose_money(self, frame: pd.DataFrame) -> None:
        assert 3 <= len(PLANTED["negative_margin"]) <= 6
        totals = frame.groupby("account_id")[["net_revenue", "cost"]].sum()
        losing = totals.loc[PLANTED["negative_margin"]]
        assert (losing["cost"] > losing["net_revenue"]).all()
        assert set(totals.index[totals["cost"] > totals["net_revenue"]]) == set(
            PLANTED["negative_margin"]
        )

    def test_one_account_buys_nearly_one_product(self, frame: pd.DataFrame) -> None:
        (account_id,) = PLANTED["one_product"]
        by_product = frame[frame["account_id"] == account_id].groupby("product")["net_revenue"]
        shares = by_product.sum() / by_product.sum().sum()
        assert shares.max() > 0.90

    def test_small_accounts_churn_away(self, frame: pd.DataFrame) -> None:
        churned = PLANTED["churned"]
        assert 40 <= len(churned) <= 80
        rows = frame[frame["account_id"].isin(churned)]
        assert set(rows["segment"]) == {"other"}
        assert set(rows.loc[rows["month"].isin(DEMO_MONTHS[:6]), "account_id"]) == set(churned)
        assert not rows["month"].isin(DEMO_MONTHS[-6:]).any()
        last_order = rows.groupby("account_id")["month"].max()
        assert (last_order >= DEMO_MONTHS[-12]).mean() >= 0.8  # sporadic buyers may stop sooner
        median_size = net_by_account(frame, DEMO_MONTHS).median()
        assert net_by_account(rows, DEMO_MONTHS).max() < median_size

    def test_new_accounts_appear(self, frame: pd.DataFrame) -> None:
        rows = frame[frame["account_id"].isin(PLANTED["new"])]
        first = rows.groupby("account_id")["month"].min()
        assert 3 <= len(first) <= 40
        assert (first >= DEMO_MONTHS[12]).all()

    def test_a_few_credit_notes_with_consistent_signs(self, frame: pd.DataFrame) -> None:
        credits = frame[frame["net_revenue"] < 0]
        assert 5 <= len(credits) <= 10
        assert (credits["list_revenue"] < 0).all() and (credits["discount_amount"] < 0).all()
        assert (credits["quantity"] < 0).all() and (credits["cost"] < 0).all()
        assert (frame.loc[frame["net_revenue"] >= 0, "quantity"] > 0).all()


class TestFiles:
    def test_thirty_six_files_in_month_order(self, files: list[Path]) -> None:
        assert len(files) == 36
        assert [p.stem[-7:] for p in files] == DEMO_MONTHS
        assert all(p.exists() for p in files)

    def test_shape_mix(self, files: list[Path]) -> None:
        shapes = [file_shape(i) for i in range(36)]
        counts = {s: shapes.count(s) for s in set(shapes)}
        assert counts == {"csv_en": 18, "csv_zh": 9, "xlsx": 4, "csv_invoice": 5}
        assert [p.suffix for p in files].count(".xlsx") == 4
        assert files[4].name == "销售明细_2024-03.csv" and files[7].name == "sales_2024-06.xlsx"

    def test_english_csv_keeps_ids_and_blank_groups(
        self, files: list[Path], frame: pd.DataFrame
    ) -> None:
        path = files[DEMO_MONTHS.index("2024-01")]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == list(EN_HEADERS.values())
        ids = [r[1] for r in rows[1:]]
        assert all(i.startswith("C00") and len(i) == 6 for i in ids)
        text = path.read_text(encoding="utf-8")
        assert ",nan," not in text.lower() and "None" not in text
        assert any(r[3] == "" for r in rows[1:])
        month = frame[frame["month"] == "2024-01"]
        assert sum(float(r[12]) for r in rows[1:]) == pytest.approx(
            month["net_revenue"].sum(), abs=0.01
        )

    def test_chinese_csv_totals(self, files: list[Path], frame: pd.DataFrame) -> None:
        path = files[DEMO_MONTHS.index("2024-03")]
        assert path.read_bytes().decode("gb18030").startswith("2024年3月销售明细")
        data = pd.read_csv(
            path, encoding="gb18030", skiprows=1, thousands=",", dtype={"客户编码": str}
        )
        assert list(data.columns) == list(ZH_HEADERS.values())
        is_total = data["客户名称"] == "合计"
        assert is_total.sum() == 1 and is_total.iloc[-1]
        expected = frame.loc[frame["month"] == "2024-03", "net_revenue"].sum()
        assert data.loc[~is_total, "销售额"].sum() == pytest.approx(expected, abs=0.01)
        assert data.loc[is_total, "销售额"].iloc[0] == pytest.approx(expected, abs=0.01)
        assert data.loc[is_total, ["客户编码", "月份"]].isna().all().all()
        assert set(data.loc[~is_total, "月份"]) == {"2024年3月"}
        assert set(data.loc[~is_total, "客户类型"]) <= set(SEGMENT_ZH.values())
        assert data.loc[~is_total, "客户编码"].str.fullmatch(r"C\d{5}").all()

    def test_xlsx_title_header_and_date_cells(self, files: list[Path], frame: pd.DataFrame) -> None:
        path = files[DEMO_MONTHS.index("2024-06")]
        sheet = openpyxl.load_workbook(path, read_only=True)["Sales"]
        top = list(sheet.iter_rows(min_row=1, max_row=4, values_only=True))
        assert top[0][0] == XLSX_TITLE
        assert all(v is None for v in top[1])
        assert list(top[2]) == list(EN_HEADERS.values())
        assert top[3][0] == pd.Timestamp("2024-06-01").to_pydatetime()
        assert isinstance(top[3][1], str) and top[3][1].startswith("C00")
        data = pd.read_excel(path, sheet_name="Sales", header=2)
        expected = frame.loc[frame["month"] == "2024-06", "net_revenue"].sum()
        assert data["Net Sales"].sum() == pytest.approx(expected, abs=0.01)

    def test_invoice_date_csv_has_bom_and_dates_in_the_month(self, files: list[Path]) -> None:
        path = files[DEMO_MONTHS.index("2024-02")]
        assert path.read_bytes().startswith(b"\xef\xbb\xbfMonth,")
        data = pd.read_csv(path, encoding="utf-8-sig", dtype={"Customer Code": str})
        dates = pd.to_datetime(data["Month"], format="%Y-%m-%d")
        assert (dates.dt.strftime("%Y-%m") == "2024-02").all()
        assert dates.dt.day.nunique() > 20
        assert data["Customer Code"].str.startswith("C00").all()
