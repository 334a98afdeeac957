"""Errors a page shows (or hides behind a generic message) reach the 'keystone' log with context."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import ui.state
from core.db import Database, DatabaseError
from core.error_log import LOGGER_NAME
from tests.app.conftest import APP, TIMEOUT

OpenApp = Callable[..., AppTest]
DATA = "app_pages/data.py"


def keystone_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME]


def data_page_failing(
    open_app: OpenApp,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> tuple[AppTest, logging.LogRecord]:
    """Open the Data page while reading the upload history raises `error`; its one log record."""
    at = open_app()

    def failing() -> list:
        raise error

    monkeypatch.setattr(ui.state, "uploads", failing)
    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        at.switch_page(DATA).run()
    (record,) = keystone_records(caplog)
    return at, record


@pytest.mark.usefixtures("portfolio")
class TestPageErrorsAreLogged:
    def test_a_database_error_on_a_page_names_the_page_and_period(
        self, open_app: OpenApp, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The portfolio holds 2025-11..2026-01, the default period."""
        error = DatabaseError("keystone.duckdb is damaged; run keystone rebuild")
        at, record = data_page_failing(open_app, monkeypatch, caplog, error)
        assert not at.exception
        assert "keystone.duckdb is damaged" in at.error[0].value
        assert record.getMessage() == (
            "DatabaseError on page data (period 2025-11..2026-01, action view): "
            "keystone.duckdb is damaged; run keystone rebuild"
        )
        assert record.exc_info is not None and record.exc_info[1] is error

    def test_an_uncaught_error_is_logged_and_the_user_sees_a_generic_message(
        self, open_app: OpenApp, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        at, record = data_page_failing(open_app, monkeypatch, caplog, RuntimeError("unexpected"))
        (shown,) = at.exception
        assert "unexpected" not in shown.value, "showErrorDetails = 'none' redacts the message"
        assert "redacted" in shown.value
        assert record.getMessage().startswith("RuntimeError on page data (period 2025-11..2026-01")


class TestStartupErrorIsLogged:
    def test_a_damaged_database_file(
        self, make_database: Callable[..., Database], caplog: pytest.LogCaptureFixture
    ) -> None:
        db = make_database()
        db.path.write_bytes(b"not a database" * 100)
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        assert at.error, "the page says the database is unusable"
        (record,) = keystone_records(caplog)
        assert record.getMessage().startswith(
            f"DatabaseDamaged on page startup (period all, action view): {db.path}"
        )
