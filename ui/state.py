"""Streamlit glue: the database handle, the caches, the UI language and the shared period.

This is the only module that uses `st.cache_resource` / `st.cache_data`. Every cached query
is keyed on the database path and its data version, so a new upload invalidates it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from core import history, metrics, scope, store
from core.bootstrap import ensure_database
from core.db import Database
from core.i18n import LANGUAGES, Language, t
from core.ingest.models import PreparedUpload
from core.mappings import saved_mapping
from core.settings import Settings, get_settings

LANGUAGE_KEY = "lang"
"""Session-state key of the sidebar language switch, and the URL parameter (?lang=zh)."""
PERIOD_FROM_KEY = "period_from"
PERIOD_TO_KEY = "period_to"
PERIOD_DEFAULT_KEY = "period_default"
"""The default period last applied, to tell whether the user has changed it."""
TRAILING_MONTHS = 12
"""The default period: the latest this many stored months."""
FILTER_KEYS = {name: f"filter_{name}" for name in scope.DIMENSIONS}
"""Session-state key of each sidebar filter (sources, regions, owners, segments)."""
SCOPE_MARK = "#scope="
"""Joins the database path and the scope's token in cache keys."""
ANONYMISE_KEY = "qbr_anonymise"
"""Session-state key of the sidebar's 'anonymise names' switch (also ?anonymise=1)."""
INDEX_KEY = "qbr_index"
"""Session-state key of the 'money as an index' switch (also ?index=1)."""


def settings() -> Settings:
    """The settings, read from the environment on each call (tests change it)."""
    return get_settings()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    """One handle per database file and filter scope (the key, see cache_key); it connects
    only per operation, and a scoped handle's connections see only the filtered rows."""
    token = path.partition(SCOPE_MARK)[2]
    database = ensure_database()
    if not token:
        return database
    return scope.ScopedDatabase(database, scope.Scope.from_token(token))  # type: ignore[return-value]


def filters() -> scope.Filters:
    """The filters chosen in the sidebar (nothing chosen: everything)."""
    return scope.Filters(
        **{name: tuple(st.session_state.get(key) or ()) for name, key in FILTER_KEYS.items()}
    )


def anonymised() -> bool:
    """Whether names are replaced by aliases ('Account 017') for a shared screen."""
    return bool(st.session_state.get(ANONYMISE_KEY))


def current_scope() -> scope.Scope:
    """What the reader's figures see: the filters, and anonymised names and indexed money when
    switched on (the index is the period's first month = 100)."""
    index_month = period().start if st.session_state.get(INDEX_KEY) else None
    return scope.Scope(
        filters=filters(),
        anonymise=anonymised(),
        index_month=index_month,
        aliases=scope.Aliases(
            **{part: tr(f"scope.alias.{part}") for part in ("account", "group", "owner", "contact")}
        ),
    )


def cache_key() -> tuple[str, int]:
    """The key of every cached figure: the database with the sidebar's scope, and the data
    version. Pass its first part to _database() to connect within the scope."""
    path = str(settings().db_path)
    chosen = current_scope()
    return (path if chosen.is_plain() else f"{path}{SCOPE_MARK}{chosen.token()}"), data_version()


def database() -> Database:
    """The configured database, built from the demo exports on first run."""
    return _database(str(settings().db_path))


def _file_stamp(path: Path) -> tuple[int, ...]:
    """Modification time and size of the database file and its WAL: they change on every write."""
    stamp: list[int] = []
    for part in (path, path.with_name(path.name + ".wal")):
        try:
            info = part.stat()
            stamp += [info.st_mtime_ns, info.st_size]
        except FileNotFoundError:
            stamp += [0, 0]
    return tuple(stamp)


@st.cache_data(show_spinner=False, max_entries=16)
def _data_version(path: str, stamp: tuple[int, ...]) -> int:
    return _database(path).data_version()


def data_version() -> int:
    """Changes with every stored write; part of every cache key.

    Opening the file costs tens of milliseconds, so the version is read again only when the
    file itself has changed.
    """
    db = database()
    return _data_version(str(db.path), _file_stamp(db.path))


def has_data() -> bool:
    """True once anything has been stored."""
    return data_version() > 0


def stop_without_data(empty_text: str) -> None:
    """Every analysis page's first check: with nothing stored yet, say so, point to the Data
    page, and end the page here."""
    if not has_data():
        st.info(empty_text)
        st.page_link(
            "app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:"
        )
        st.stop()


def language() -> Language:
    """The UI language chosen in the sidebar (or by ?lang=), else the configured default."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in LANGUAGES else settings().language


def initial_language() -> Language:
    """The language a new session starts in: ?lang= from the URL, else the settings."""
    requested = st.query_params.get(LANGUAGE_KEY)
    return requested if requested in LANGUAGES else settings().language  # type: ignore[return-value]


def tr(key: str, **params: object) -> str:
    """UI text for key in the current language."""
    return t(key, language(), **params)


def period() -> metrics.Period:
    """The period chosen in the sidebar; all history when no month is stored yet."""
    start = st.session_state.get(PERIOD_FROM_KEY)
    end = st.session_state.get(PERIOD_TO_KEY)
    if start and end and start > end:
        start, end = end, start
    return metrics.Period.from_text(start, end)


def default_period(months: list[str]) -> tuple[str, str]:
    """The trailing 12 of the stored months (YYYY-MM, ascending, at least one)."""
    return months[max(len(months) - TRAILING_MONTHS, 0)], months[-1]


def sync_period(months: list[str]) -> None:
    """Set the period widgets' state before they render.

    A period the user has not changed follows the data: after an upload of a newer month, the
    trailing 12 months move with it. A period the user chose stays, unless its months are gone.
    """
    defaults = default_period(months)
    previous = st.session_state.get(PERIOD_DEFAULT_KEY)
    chosen = (st.session_state.get(PERIOD_FROM_KEY), st.session_state.get(PERIOD_TO_KEY))
    untouched = previous is None or chosen == previous
    if untouched or not set(chosen) <= set(months):
        st.session_state[PERIOD_FROM_KEY], st.session_state[PERIOD_TO_KEY] = defaults
    st.session_state[PERIOD_DEFAULT_KEY] = defaults


def _bounds(chosen: metrics.Period) -> tuple[date | None, date | None]:
    return chosen.start, chosen.end


@st.cache_data(show_spinner=False, max_entries=64)
def _portfolio_metrics(
    path: str, version: int, start: date | None, end: date | None
) -> metrics.PortfolioMetrics:
    with _database(path).connect() as con:
        return metrics.portfolio_metrics(con, metrics.Period(start=start, end=end))


@st.cache_data(show_spinner=False, max_entries=64)
def _revenue_by_month(
    path: str, version: int, start: date | None, end: date | None
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return metrics.revenue_by_month(con, metrics.Period(start=start, end=end))


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_months(path: str, version: int) -> list[str]:
    if version == 0:
        return []
    with _database(path).connect() as con:
        return [month.strftime("%Y-%m") for month in metrics.stored_months(con)]


@st.cache_data(show_spinner=False, max_entries=8)
def _sources_summary(path: str, version: int) -> pd.DataFrame:
    if version == 0:
        return pd.DataFrame({"source": []})
    with _database(path).connect() as con:
        return metrics.sources_summary(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _uploads(path: str, version: int) -> list[history.UploadInfo]:
    if version == 0:
        return []
    with _database(path).connect() as con:
        return history.list_uploads(con)


def _key() -> tuple[str, int]:
    return str(settings().db_path), data_version()


def portfolio_metrics(chosen: metrics.Period) -> metrics.PortfolioMetrics:
    """Headline figures of the period within the filters (cached per data version)."""
    return _portfolio_metrics(*cache_key(), *_bounds(chosen))


def revenue_by_month(chosen: metrics.Period) -> pd.DataFrame:
    """Net revenue per month and source in the period within the filters (cached)."""
    return _revenue_by_month(*cache_key(), *_bounds(chosen))


def stored_months() -> list[str]:
    """Every stored month as YYYY-MM, ascending (cached per data version)."""
    return _stored_months(*_key())


def sources_summary() -> pd.DataFrame:
    """Per source: files, months, rows and revenue (cached per data version)."""
    return _sources_summary(*_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _filter_options(path: str, version: int) -> dict[str, list[str]]:
    if version == 0:
        return {name: [] for name in scope.DIMENSIONS}
    with _database(path).connect() as con:
        return scope.filter_options(con)  # type: ignore[return-value]


def filter_options() -> dict[str, list[str]]:
    """The values each sidebar filter offers, over all stored data (cached)."""
    return _filter_options(*_key())


def known_sources() -> list[str]:
    """The sources that hold stored data, sorted."""
    summary = sources_summary()
    return sorted(summary["source"].dropna().astype(str)) if not summary.empty else []


def uploads() -> list[history.UploadInfo]:
    """The upload history, newest first (cached per data version)."""
    return _uploads(*_key())


def stored_as(prepared: PreparedUpload) -> tuple[int | None, list[store.MonthVersion]]:
    """The active upload of these very bytes and source, if any; else the months it would replace.

    Storing an identical file changes nothing, so it is not offered as a replace.
    """
    if not prepared.report.ok or data_version() == 0:
        return None, []
    with database().connect() as con:
        # store_uploads makes the same check before its own write.
        same = store.identical_upload(con, prepared)
        return same, ([] if same is not None else store.existing_versions(con, prepared))


@st.cache_data(show_spinner=False, max_entries=32)
def _remembered_mapping(path: str, stamp: tuple[int, ...], source: str) -> dict[str, str]:
    if not Path(path).exists():
        return {}
    with _database(path).connect() as con:
        return saved_mapping(con, source)


def remembered_mapping(source: str) -> dict[str, str]:
    """The column mapping the user set for this source (read again when the file changes)."""
    db = database()
    return _remembered_mapping(str(db.path), _file_stamp(db.path), source)
