"""The shipped demo exports, read through the ordinary ingest path, match the generator's frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.demo import DEMO_MONTHS, build_demo_frame
from core.ingest.pipeline import prepare_upload
from core.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return build_demo_frame()


@pytest.fixture(scope="module")
def ingested() -> tuple[pd.DataFrame, list]:
    paths = sorted(p for p in DEMO_DIR.iterdir() if p.suffix in (".csv", ".xlsx"))
    prepared = [prepare_upload(p.name, p.read_bytes()) for p in paths]
    rows = pd.concat([p.rows.to_pandas() for p in prepared if p.rows is not None])
    return rows, prepared


class TestShippedDemoFiles:
    def test_every_file_is_clean(self, ingested: tuple[pd.DataFrame, list]) -> None:
        _, prepared = ingested
        assert len(prepared) == 36
        assert [p.report.errors for p in prepared if p.report.errors] == []
        assert sorted(m for p in prepared for m in p.report.months) == DEMO_MONTHS

    def test_monthly_revenue_equals_the_generator(
        self, frame: pd.DataFrame, ingested: tuple[pd.DataFrame, list]
    ) -> None:
        rows, _ = ingested
        expected = frame.groupby("month")["net_revenue"].sum()
        got = rows.groupby(rows["month"].astype(str).str[:7])["net_revenue"].sum()
        pd.testing.assert_series_equal(
            got.sort_index(), expected.sort_index(), check_names=False, atol=0.01, rtol=0
        )

    def test_list_discount_cost_and_accounts_match(
        self, frame: pd.DataFrame, ingested: tuple[pd.DataFrame, list]
    ) -> None:
        rows, _ = ingested
        for column in ("list_revenue", "discount_amount", "off_invoice", "cost"):
            assert rows[column].sum() == pytest.approx(frame[column].sum(), abs=0.5)
        assert rows["account_key"].nunique() == frame["account_id"].nunique()
        assert len(rows) == len(frame)
        assert set(rows["segment"]) == set(frame["segment"])

    def test_chinese_subtotals_are_excluded_and_credit_notes_kept(
        self, frame: pd.DataFrame, ingested: tuple[pd.DataFrame, list]
    ) -> None:
        rows, prepared = ingested
        chinese = [p for p in prepared if p.report.encoding == "gb18030"]
        assert len(chinese) == 9
        assert all(p.report.subtotal_rows == 1 for p in chinese)
        assert (rows["net_revenue"] < 0).sum() == (frame["net_revenue"] < 0).sum() == 7

    def test_ids_keep_leading_zeros(self, ingested: tuple[pd.DataFrame, list]) -> None:
        rows, _ = ingested
        assert rows["account_id"].str.fullmatch(r"C\d{5}").all()


def test_demo_files_are_current(tmp_path: Path) -> None:
    """The committed CSVs are byte-identical to a fresh generation (xlsx are checked above)."""
    from core.demo import write_demo_files

    fresh = write_demo_files(tmp_path)
    for path in fresh:
        if path.suffix == ".csv":
            assert path.read_bytes() == (DEMO_DIR / path.name).read_bytes(), path.name
