"""Login and roles through AppTest's simulated user (AppTest.user, AppTest.secrets).

[auth] is switched on by giving the run an [auth] secrets section; the allow-list comes from
KEYSTONE_ACCESS__* in the environment. Editors: ana@example.com. Viewers: @example.com.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

import ui.access
from core.db import Database
from core.history import list_uploads
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.mappings import saved_mapping
from core.store import store_uploads
from tests.app.conftest import APP, TIMEOUT
from tests.app.test_segments_page import SEGMENTS_CSV

DATA = "app_pages/data.py"
SEGMENTS = "app_pages/segments.py"
AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "keystone-test",
        "client_secret": "test-client-secret",
        "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
    }
}
EDITOR = {"is_logged_in": True, "email": "ana@example.com", "email_verified": True}
VIEWER = {"is_logged_in": True, "email": "carl@example.com", "email_verified": True}
STRANGER = {"is_logged_in": True, "email": "eve@elsewhere.org", "email_verified": True}
MARGIN_ONLY = {"revenue": 0.0, "margin": 100.0, "growth": 0.0, "discount": 0.0, "breadth": 0.0}
"""Scorecard weights that score on gross margin alone."""
MARCH_CSV = """Month,Account ID,Account Name,Net Revenue
2026-03,A1,Acme Ltd,500
"""
"""One new month: 1 row, net revenue 500."""


@pytest.fixture(autouse=True)
def allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The allow-list; and st.login's Authlib counted as installed (the tests never call it)."""
    monkeypatch.setattr(ui.access, "_authlib_installed", lambda: True)
    monkeypatch.setenv("KEYSTONE_ACCESS__EDITORS", '["ana@example.com"]')
    monkeypatch.setenv("KEYSTONE_ACCESS__VIEWERS", '["@example.com"]')


def run_as(
    user: dict[str, object] | None,
    page: str | None = None,
    secrets: dict | None = None,
    **state: object,
) -> AppTest:
    """The app with [auth] on (unless secrets is {}), run as user (AppTest's default user when
    None) with `state` in the session (lang= goes to the URL), then switched to page."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets = AUTH if secrets is None else secrets
    if user is not None:
        at.user = dict(user)
    if "lang" in state:
        at.query_params = {"lang": state.pop("lang")}
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", e.value) for e in elements)


def stored_uploads(db: Database) -> int:
    with db.connect() as con:
        return len(con.execute("SELECT * FROM uploads").fetchall())


def statuses(db: Database) -> list[str]:
    with db.connect() as con:
        return [u.status for u in list_uploads(con)]


def upload_march(at: AppTest) -> AppTest:
    at.file_uploader[0].set_value([("march.csv", MARCH_CSV.encode(), "text/csv")])
    return at.run()


@pytest.mark.usefixtures("portfolio")
class TestWithoutLogin:
    def test_no_auth_section_means_no_login_and_everyone_edits(self) -> None:
        at = run_as(None, DATA, secrets={})
        assert not [b for b in at.button if b.label == "Log in"]
        assert len(at.file_uploader) == 1
        assert not upload_march(at).button(key="data.store").disabled
        assert "Signed in as" not in texts(at.sidebar.caption)


@pytest.mark.usefixtures("portfolio")
class TestLoginRequired:
    def test_a_logged_out_visitor_sees_only_the_login_screen(self) -> None:
        at = run_as({"is_logged_in": False}, DATA)
        assert [b.label for b in at.button] == ["Log in"]
        assert "confidential" in texts(at.markdown)
        assert at.title[0].value == "Keystone"
        assert not at.dataframe and not at.file_uploader
        assert not at.sidebar.selectbox, "not even the stored months show"

    def test_a_user_without_the_login_flag_is_logged_out(self) -> None:
        """AppTest's default user has an email but no is_logged_in: that is not a login."""
        at = run_as(None)
        assert [b.label for b in at.button] == ["Log in"]

    def test_named_providers_get_one_button_each(self) -> None:
        shared = {k: AUTH["auth"][k] for k in ("redirect_uri", "cookie_secret")}
        provider = {k: AUTH["auth"][k] for k in ("client_id", "client_secret")}
        secrets = {"auth": {**shared, "google": provider, "microsoft": provider}}
        at = run_as({"is_logged_in": False}, secrets=secrets)
        assert [b.label for b in at.button] == ["Log in with google", "Log in with microsoft"]

    def test_without_authlib_the_login_screen_says_what_to_install(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(ui.access, "_authlib_installed", lambda: False)
        at = run_as({"is_logged_in": False}, DATA)
        assert not at.button and not at.dataframe
        assert 'pip install "streamlit[auth]"' in at.error[0].value

    def test_chinese_login_screen(self) -> None:
        at = run_as({"is_logged_in": False}, lang="zh")
        assert [b.label for b in at.button] == ["登录"]


@pytest.mark.usefixtures("portfolio")
class TestNoAccess:
    def test_someone_on_neither_list_sees_no_data(self) -> None:
        at = run_as(STRANGER, DATA)
        assert at.title[0].value == "No access"
        assert "eve@elsewhere.org" in texts(at.error)
        assert [b.label for b in at.button] == ["Log out"]
        assert not at.dataframe and not at.file_uploader and not at.sidebar.selectbox

    def test_an_unverified_email_gets_no_access_even_when_listed(self) -> None:
        at = run_as({**EDITOR, "email_verified": False}, DATA)
        assert at.title[0].value == "No access"

    def test_empty_lists_with_login_on_let_nobody_in(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KEYSTONE_ACCESS__EDITORS", "[]")
        monkeypatch.setenv("KEYSTONE_ACCESS__VIEWERS", "[]")
        assert run_as(EDITOR).title[0].value == "No access"


@pytest.mark.usefixtures("portfolio")
class TestViewer:
    def test_the_data_page_shows_the_history_read_only(self) -> None:
        """The portfolio fixture stored one upload: the history has 1 row, and nothing to click."""
        at = run_as(VIEWER, DATA)
        assert "Signed in as carl@example.com · viewer" in texts(at.sidebar.caption)
        assert "Uploading and restoring are for editors" in texts(at.info)
        assert not at.file_uploader
        assert not [b for b in at.main.button if b.key in ("data.store", "data.restore")]
        (history,) = at.dataframe
        assert list(history.value["file"]) == ["portfolio.csv"]

    def test_a_store_click_from_a_session_demoted_to_viewer_stores_nothing(
        self, portfolio: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A request naming the store button while the user is a viewer changes nothing."""
        at = upload_march(run_as(VIEWER | {"email": "ana@example.com"}, DATA))
        assert not at.button(key="data.store").disabled
        monkeypatch.setenv("KEYSTONE_ACCESS__EDITORS", "[]")  # ana is now only a viewer
        at.button(key="data.store").click().run()
        assert not at.exception
        assert stored_uploads(portfolio) == 1

    def test_the_store_handler_itself_refuses_a_viewer(
        self, portfolio: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Even if the page drew the uploader for a viewer (is_editor patched to say yes), the
        check at the point of the write (require_editor) refuses the store."""
        monkeypatch.setattr(ui.access, "is_editor", lambda: True)
        at = upload_march(run_as(VIEWER, DATA))
        at.button(key="data.store").click().run()
        assert "Only editors can change data or settings. Nothing was changed." in texts(at.error)
        assert stored_uploads(portfolio) == 1
        assert "write refused: carl@example.com has role viewer" in caplog.text

    def test_the_restore_handler_itself_refuses_a_viewer(
        self, portfolio: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """January replaced by a revision: the original is restorable, but not by a viewer."""
        revised = "Month,Account ID,Account Name,Net Revenue\n2026-01,A2,Beta Co,999\n"
        store_uploads(
            portfolio, [prepare_upload("jan.csv", revised.encode(), IngestOptions())], replace=True
        )
        before = statuses(portfolio)
        assert before == ["stored", "replaced earlier data"] or len(before) == 2
        monkeypatch.setattr(ui.access, "is_editor", lambda: True)
        at = run_as(VIEWER, DATA)
        at.button(key="data.restore").click().run()
        assert "Nothing was changed" in texts(at.error)
        assert statuses(portfolio) == before


@pytest.mark.usefixtures("portfolio")
class TestEditor:
    def test_an_editor_uploads_and_stores(self, portfolio: Database) -> None:
        at = upload_march(run_as(EDITOR, DATA))
        assert "Signed in as ana@example.com · editor" in texts(at.sidebar.caption)
        at.button(key="data.store").click().run()
        assert not at.exception and not at.error
        assert stored_uploads(portfolio) == 2


class TestSegmentWeights:
    """The scorecard weights are a setting: editors change them, viewers only see them."""

    @pytest.fixture(autouse=True)
    def segments(self, make_database: Callable[..., Database]) -> None:
        make_database({"segments.csv": SEGMENTS_CSV})

    def test_the_segment_weights_are_shown_but_not_editable(self) -> None:
        at = run_as(VIEWER, SEGMENTS)
        assert not at.number_input
        shown = texts(at.caption)
        assert "only editors can change" in shown
        assert "Revenue 30.0 · Gross margin % 25.0" in shown

    def test_crafted_weights_in_the_session_are_ignored_for_a_viewer(self) -> None:
        """Weights of 100 on margin put into the session do not reach a viewer's scorecard.

        The default period (2025-07 … 12) has no growth figure, so the configured 30/25/20/15/10
        lose growth's 20: revenue 30/80 = 37.5, margin 25/80 = 31.25, discount 15/80 = 18.75."""
        crafted = {f"seg_weight_{name}": weight for name, weight in MARGIN_ONLY.items()}
        at = run_as(VIEWER, SEGMENTS, **crafted)
        shown = texts(at.caption)
        assert "Weights in force: Revenue 37.5 · Gross margin % 31.2 · Discount" in shown
        assert "Gross margin % 100" not in shown

    def test_an_editor_changes_the_segment_weights(self) -> None:
        at = run_as(EDITOR, SEGMENTS)
        assert len(at.number_input) == 5
        for name, weight in MARGIN_ONLY.items():
            at.number_input(key=f"seg_weight_{name}").set_value(weight)
        at.button(key="FormSubmitter:seg_weights_form-Apply weights").click().run()
        assert "Weights in force: Gross margin % 100.0" in texts(at.caption)


class TestWriteGuard:
    """require_editor inside the mapping writes of ui.uploads, called directly as each role."""

    @staticmethod
    def remember(source: str) -> None:
        from ui.uploads import remember_lines

        remember_lines(source, {"Umsatz": "net_revenue"})
        import streamlit as st

        st.write("saved")

    @pytest.mark.parametrize(("user", "saved"), [(VIEWER, {}), (EDITOR, {"Umsatz": "net_revenue"})])
    def test_a_mapping_write_needs_an_editor(
        self, portfolio: Database, user: dict[str, object], saved: dict[str, str]
    ) -> None:
        at = AppTest.from_function(self.remember, args=("default",), default_timeout=TIMEOUT)
        at.secrets, at.user = AUTH, dict(user)
        at.run()
        assert not at.exception
        with portfolio.connect() as con:
            assert saved_mapping(con, "default") == saved
        assert bool(at.error) is (not saved)


@pytest.mark.usefixtures("portfolio")
class TestUnreadableSecrets:
    @pytest.fixture
    def broken_secrets(self, tmp_path: Path) -> Iterator[Path]:
        """A secrets.toml with a TOML syntax error, as the only secrets file."""
        path = tmp_path / "secrets.toml"
        path.write_text('[auth\nclient_id = "x"\n', encoding="utf-8")
        saved = config.get_option("secrets.files")
        config.set_option("secrets.files", [str(path)])
        secrets_singleton._reset()
        yield path
        config.set_option("secrets.files", saved)
        secrets_singleton._reset()

    def test_a_secrets_file_that_cannot_be_parsed_keeps_login_required(
        self, broken_secrets: Path
    ) -> None:
        """Failing open would make everyone an editor; instead nobody gets past the login."""
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        assert not at.exception
        assert "secrets.toml cannot be read" in at.error[0].value
        assert not at.button and not at.dataframe and not at.sidebar.selectbox

    def test_without_any_secrets_file_there_is_no_login(self, tmp_path: Path) -> None:
        saved = config.get_option("secrets.files")
        config.set_option("secrets.files", [str(tmp_path / "absent.toml")])
        try:
            at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
            at.run()
        finally:
            config.set_option("secrets.files", saved)
        assert not at.error and at.sidebar.selectbox
