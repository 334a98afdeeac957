"""An error the user sees as a short message is logged with its traceback and context."""

from __future__ import annotations

import logging

import pytest

from core.db import DatabaseError
from core.error_log import LOGGER_NAME, configure_logging, log_failure


def raised(error: Exception) -> Exception:
    """The error with a traceback, as an except clause receives it."""
    try:
        raise error
    except Exception as caught:
        return caught


class TestLogFailure:
    def test_names_the_page_period_action_and_keeps_the_traceback(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        error = raised(DatabaseError("/srv/keystone.duckdb is damaged; run keystone rebuild"))
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            log_failure(error, page="data", period="2025-11..2026-10", action="store")
        (record,) = caplog.records
        assert (record.name, record.levelno) == ("keystone", logging.ERROR)
        assert record.getMessage() == (
            "DatabaseError on page data (period 2025-11..2026-10, action store): "
            "/srv/keystone.duckdb is damaged; run keystone rebuild"
        )
        assert record.exc_info is not None and record.exc_info[1] is error
        assert "Traceback" in caplog.text and "raise error" in caplog.text

    def test_without_period_or_action(self, caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
            log_failure(raised(ValueError("bad")), page="home")
        assert caplog.records[0].getMessage() == (
            "ValueError on page home (period all, action view): bad"
        )


class TestConfigureLogging:
    def test_adds_one_stderr_handler_however_often_it_runs(self) -> None:
        """app.py runs on every rerun; the log must not repeat each line."""
        log = configure_logging()
        before = list(log.handlers)
        configure_logging()
        assert log.handlers == before
        assert sum(getattr(h, "keystone", False) for h in log.handlers) == 1
