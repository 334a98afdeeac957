"""Log the errors a page shows the user, with the page and the period in the sidebar."""

from __future__ import annotations

from core.error_log import log_failure
from ui.state import period


def period_text() -> str | None:
    """The sidebar period as 'YYYY-MM..YYYY-MM'; None for all history or when unreadable."""
    try:
        chosen = period()
    except Exception:  # logging must never turn one error into two
        return None
    ends = [f"{month:%Y-%m}" if month else "…" for month in (chosen.start, chosen.end)]
    return None if ends == ["…", "…"] else "..".join(ends)


def log_error(error: BaseException, page: str, action: str | None = None) -> None:
    """Log an error the user sees as a short message (or, uncaught, as a generic one)."""
    log_failure(error, page=page, period=period_text(), action=action)
