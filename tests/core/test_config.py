"""The shipped Streamlit config is safe for production: loopback, XSRF on, no error details."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.config import ShowErrorDetailsConfigOptions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


class TestExposure:
    def test_binds_to_loopback_by_default(self, config: dict) -> None:
        assert config["server"]["address"] == "127.0.0.1"

    def test_make_run_binds_to_loopback_unless_told(self) -> None:
        """`make run` passes --server.address $(HOST), which must default to loopback too."""
        makefile = (ROOT / "Makefile").read_text()
        assert re.search(r"^HOST \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
        assert "--server.address $(HOST)" in makefile

    def test_xsrf_and_cors_protection_stay_on(self, config: dict) -> None:
        assert config["server"]["enableXsrfProtection"] is True
        assert config["server"]["enableCORS"] is True


class TestErrorDetails:
    def test_users_see_no_error_details(self, config: dict) -> None:
        """'none': a generic message in the browser; type, message and traceback in the log."""
        assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value

    def test_the_value_is_one_streamlit_knows(self, config: dict) -> None:
        known = {option.value for option in ShowErrorDetailsConfigOptions}
        assert known == {"full", "stacktrace", "type", "none"}
        assert config["client"]["showErrorDetails"] in known


class TestDownloads:
    def test_tables_have_no_unguarded_toolbar_export(self, config: dict) -> None:
        """Downloads go through core.export (formula starts neutralised), not the toolbar."""
        assert config["client"]["disableDataExport"] is True
