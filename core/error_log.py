"""Errors shown to the user as a short message go to the 'keystone' log, with context to debug."""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "keystone"
"""The application's logger; the server's own messages go to 'streamlit'."""
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(LOGGER_NAME)


def configure_logging(level: int = logging.INFO) -> logging.Logger:
    """Send the 'keystone' log to stderr, next to the server's own log; once per process."""
    if not any(getattr(handler, "keystone", False) for handler in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.keystone = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(level)
    return log


def log_failure(
    error: BaseException, *, page: str, period: str | None = None, action: str | None = None
) -> None:
    """Log an error with its traceback, the page, the period and what the user was doing.

    The browser shows a generic message (`client.showErrorDetails = "none"`), so this record is
    what an administrator debugs from."""
    log.error(
        "%s on page %s (period %s, action %s): %s",
        type(error).__name__,
        page,
        period or "all",
        action or "view",
        error,
        exc_info=(type(error), error, error.__traceback__),
    )
