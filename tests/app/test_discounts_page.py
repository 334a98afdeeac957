"""The Discounts page on hand-worked portfolios.

The shared portfolio (tests/app/conftest.py), 2025-11 … 2026-01: discount 380 over list 4,700
= 8.1%; no off-invoice, so the concession degree is 8.1% too; pocket 4,320 − cost 3,120 =
gross profit 1,200, a pocket margin of 27.8%; every row has list data (coverage 100%).

CREEP_CSV, 2025-07 … 2025-12: C1 keeps list 1,000 while its discount goes 50, 50, 50, 100,
120, 150, so its rate rises from 5.0% to 370 / 3,000 = 12.3% (+7.3 points) and its monthly
revenue falls from 950 to 876.7: creep that buys nothing. C2 stays at 5%.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from tests.app.test_concentration_page import values

PAGE = "app_pages/discounts.py"
OpenApp = Callable[..., AppTest]

CREEP_CSV = (
    "Month,Account ID,Account Name,Segment,List Revenue,Discount,Net Revenue,Cost\n"
    + "".join(
        f"2025-{month:02d},C1,Creep Co,strategic,1000,{discount},{1000 - discount},600\n"
        f"2025-{month:02d},C2,Steady Ltd,other,1000,50,950,600\n"
        for month, discount in zip(range(7, 13), (50, 50, 50, 100, 120, 150), strict=True)
    )
)
NO_LIST_CSV = "Month,Account ID,Net Revenue\n2025-11,A1,900\n2025-12,A2,500\n"


def captions(at: AppTest) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", caption.value) for caption in at.caption)


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def figures(at: AppTest) -> list[go.Figure]:
    return [plotly.io.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def creep_frame(at: AppTest):
    frames = [
        frame.value
        for frame in at.dataframe
        if "Creep (pp)" in frame.value.columns or "蔓延（百分点）" in frame.value.columns
    ]
    assert len(frames) == 1
    return frames[0]


class TestTiles:
    def test_tiles_show_the_hand_worked_figures(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        assert at.title[0].value == "Discounts and price realisation"
        assert tiles(at) == {
            "Discount rate": "8.1%",
            "Concession degree": "8.1%",
            "Pocket margin": "27.8%",
        }
        assert f"{380 / 4700:.1%}" == "8.1%" and f"{1200 / 4320:.1%}" == "27.8%"
        assert "Rate based on 100% of net revenue" in at.info[0].value
        assert "no comparison" in captions(at), "three stored months have no prior period"

    def test_the_waterfall_sums_to_gross_profit(
        self, portfolio: Database, open_app: OpenApp
    ) -> None:
        at = open_app(PAGE)
        waterfalls = [fig for fig in figures(at) if fig.data and fig.data[0].type == "waterfall"]
        assert len(waterfalls) == 1
        bars = waterfalls[0].data[0]
        assert list(bars.x)[0] == "List revenue"
        assert list(bars.y) == pytest.approx([4700, -380, 4320, 0, 4320, -3120, 1200])

    def test_the_waterfall_for_one_account(self, portfolio: Database, open_app: OpenApp) -> None:
        at = open_app(PAGE)
        at.segmented_control(key="disc_scope").set_value("account").run()
        at.selectbox(key="disc_account").set_value("A2").run()
        assert not at.exception
        bars = next(fig for fig in figures(at) if fig.data[0].type == "waterfall").data[0]
        assert list(bars.y)[:3] == pytest.approx([1500, -50, 1450])
        assert "Beta Co (A2)" in bars_title(at)


def bars_title(at: AppTest) -> str:
    return next(fig for fig in figures(at) if fig.data[0].type == "waterfall").layout.title.text


class TestCreep:
    def test_the_planted_creeping_account_leads_the_table(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"creep.csv": CREEP_CSV})
        at = open_app(PAGE)
        table = creep_frame(at)
        first = table.iloc[0]
        assert first["Account ID"] == "C1" and first["Account"] == "Creep Co"
        assert first["Creep (pp)"] == pytest.approx(100 * (370 / 3000 - 0.05))
        assert bool(first["Buys nothing"]) is True
        assert first["Revenue change"] == pytest.approx((2630 / 3) / 950 - 1)
        assert list(first["Rate, last 6 months (pp)"]) == pytest.approx([5, 5, 5, 10, 12, 15])
        assert "C2" not in set(table["Account ID"]), "a flat rate is not creep"
        scatter = next(fig for fig in figures(at) if fig.layout.annotations)
        assert "paid more, got nothing" in {note.text for note in scatter.layout.annotations}

    def test_the_drill_down_starts_at_the_fastest_creeper(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"creep.csv": CREEP_CSV})
        at = open_app(PAGE)
        assert at.selectbox(key="disc_drill").value == "C1"
        drill = next(fig for fig in figures(at) if "Creep Co" in fig.layout.title.text)
        assert values(drill.data[0].y) == pytest.approx([950, 950, 950, 900, 880, 850])

    def test_the_planted_creeping_account_raises_alerts(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"creep.csv": CREEP_CSV})
        at = open_app(PAGE)
        assert "Alerts (2)" in {header.value for header in at.subheader}
        plain = [re.sub(r"\\(.)", r"\1", box.value) for box in [*at.error, *at.warning]]
        [act] = [text for text in plain if "Act ·" in text]
        assert act.startswith("**Act · Discount that buys nothing**")
        assert "Creep Co: discount rate up +7.3 points" in act
        [watch] = [text for text in plain if "Discount creep" in text]
        assert watch.startswith("**Watch · Discount creep**")
        assert "5.0% to 12.3%" in watch
        assert "Evidence: creep +7.3 pp" in captions(at)
        assert "Accounts: Creep Co (C1)" in captions(at)
        assert "Steady" not in act + watch, "a flat rate raises nothing"

        zh = open_app(PAGE, query={"lang": "zh"})
        act_zh = re.sub(r"\\(.)", r"\1", zh.error[0].value)
        assert act_zh.startswith("**须处理 · 折扣未换来增长**")
        assert "Creep Co：折扣率上升 +7.3 个百分点" in act_zh


class TestLanguagesAndMissingData:
    def test_chinese(self, make_database: Callable[..., Database], open_app: OpenApp) -> None:
        make_database({"creep.csv": CREEP_CSV})
        at = open_app(PAGE, query={"lang": "zh"})
        assert at.title[0].value == "折扣与价格实现"
        assert set(tiles(at)) == {"折扣率", "让利程度", "口袋利润率"}
        assert creep_frame(at).iloc[0]["客户编号"] == "C1"
        assert creep_frame(at).iloc[0]["客户分层"] == "战略型"

    def test_no_list_data_names_the_columns_and_draws_nothing(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database({"plain.csv": NO_LIST_CSV})
        at = open_app(PAGE)
        assert "list revenue" in at.warning[0].value and "discount amount" in at.warning[0].value
        assert not at.get("plotly_chart") and not at.metric

    def test_no_data_at_all(
        self, make_database: Callable[..., Database], open_app: OpenApp
    ) -> None:
        make_database()
        at = open_app(PAGE)
        assert "Upload your first monthly export" in at.info[0].value
