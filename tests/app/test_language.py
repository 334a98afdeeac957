"""The sidebar language switch: every page title, label and message follows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import catalogue

OpenApp = Callable[..., AppTest]


@pytest.mark.usefixtures("portfolio")
class TestLanguageSwitch:
    def test_english_by_default(self, open_app: OpenApp) -> None:
        at = open_app()
        assert at.title[0].value == "Key-account portfolio"
        assert at.segmented_control(key="lang").value == "en"

    def test_switching_to_chinese_translates_the_landing_page(self, open_app: OpenApp) -> None:
        at = open_app()
        at.segmented_control(key="lang").set_value("zh").run()
        assert at.title[0].value == "大客户组合概览"
        labels = [m.label for m in at.metric]
        assert labels == [
            "销售额",
            "毛利",
            "毛利率",
            "活跃客户数",
            "前 20% 客户占比",
            "HHI 指数",
            "折扣率",
        ]
        assert at.query_params["lang"] == "zh", "the URL carries the language"

    def test_url_parameter_opens_in_chinese(self, open_app: OpenApp) -> None:
        at = open_app("app_pages/data.py", query={"lang": "zh"})
        assert at.title[0].value == "数据"
        assert at.subheader[0].value == "上传导出文件"

    def test_ingest_errors_read_in_chinese(self, open_app: OpenApp) -> None:
        at = open_app("app_pages/data.py", query={"lang": "zh"})
        bad = "Month,Account ID,Net Revenue\n2026-02,A1,abc\n"
        at.file_uploader[0].set_value(("bad.csv", bad.encode(), "text/csv")).run()
        (errors,) = [d.value for d in at.dataframe if "问题" in d.value.columns]
        assert errors["问题"].tolist() == ["不是数字"]
        assert errors["行号"].tolist() == ["2"]


class TestCatalogue:
    def test_every_ui_key_exists_in_both_languages(self) -> None:
        assert set(catalogue("en")) == set(catalogue("zh"))

    def test_ui_text_has_no_english_left_in_chinese(self) -> None:
        english, chinese = catalogue("en"), catalogue("zh")
        untranslated = [
            key
            for key, text in chinese.items()
            if key.startswith(("app.", "nav.", "home.", "data."))
            and text == english[key]
            and any(c.isalpha() for c in text)
        ]
        assert untranslated == []
