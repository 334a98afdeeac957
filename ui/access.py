"""Streamlit glue of access: login when [auth] is configured, the user's role, the write guard.

Without an [auth] section in secrets.toml there is no login and everyone is an editor, as on a
laptop bound to 127.0.0.1. With it, every page needs a login and the allow-list in settings
(core.access) decides between editor, viewer and no access.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from core.access import Role, role_for
from core.error_log import LOGGER_NAME
from ui.format import escape_markdown
from ui.state import settings, tr

log = logging.getLogger(f"{LOGGER_NAME}.access")
"""Refusals and unreadable secrets, in the 'keystone' log next to the errors."""


def _secrets_files_exist() -> bool:
    paths = [Path(path) for path in st.get_option("secrets.files")]
    return any(p.is_file() or (p.is_dir() and any(p.iterdir())) for p in paths)


def auth_configured() -> bool:
    """Whether secrets.toml has an [auth] section.

    A secrets file that exists but cannot be read counts as configured, so a typo in it locks
    the app rather than opening it to everyone.
    """
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError as exc:
        if not _secrets_files_exist():
            return False
        log.error("secrets.toml cannot be read, so login stays required: %s", exc)
        return True


def _claim(name: str) -> object:
    return st.user.get(name)


def current_role() -> Role | None:
    """The user's role for this run: editor without login; from the allow-list with it.

    Read from the server's copy of the identity (st.user), never from anything the browser
    sends, so a crafted request cannot raise it. An email the provider marks unverified gets
    no access.
    """
    if not auth_configured():
        return "editor"
    if not _claim("is_logged_in") or _claim("email_verified") is False:
        return None
    email = _claim("email")
    return role_for(email if isinstance(email, str) else None, settings().access)


def is_editor() -> bool:
    """Whether the user may upload, restore and change settings."""
    return current_role() == "editor"


def require_editor() -> None:
    """Stop the run with a refusal unless the user is an editor.

    Called right before each write, not only where buttons are drawn: hiding a button does
    not stop a request that names it.
    """
    role = current_role()
    if role == "editor":
        return
    log.warning("write refused: %s has role %s", _claim("email") or "an anonymous user", role)
    st.error(tr("access.write_refused"), icon=":material/block:")
    st.stop()


def _providers() -> list[str | None]:
    """The providers to offer: named [auth.<name>] sections, else the default (None)."""
    section = st.secrets.get("auth") or {}
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return ([None] if "client_id" in section else []) + named or [None]


def _authlib_installed() -> bool:
    """Whether st.login can run: it needs Authlib (pip install "streamlit[auth]")."""
    return importlib.util.find_spec("authlib") is not None


def _login_screen() -> None:
    st.title(tr("access.login_title"))
    st.write(tr("access.login_intro"))
    if not _authlib_installed():
        st.error(tr("access.authlib_missing"), icon=":material/error:")
        return
    try:
        providers = _providers()
    except StreamlitSecretNotFoundError:
        st.error(tr("access.secrets_unreadable"), icon=":material/error:")
        return
    for provider in providers:
        label = tr("access.login_with", provider=provider) if provider else tr("access.login")
        key = f"access.login.{provider or 'default'}"
        if st.button(label, type="primary", icon=":material/login:", key=key):
            st.login(provider)


def _logout_button(key: str) -> None:
    if st.button(tr("access.logout"), icon=":material/logout:", key=key):
        st.logout()


def _no_access_screen() -> None:
    st.title(tr("access.denied_title"))
    email = _claim("email")
    if isinstance(email, str) and email:
        st.error(tr("access.denied", email=escape_markdown(email)), icon=":material/block:")
    else:
        st.error(tr("access.denied_no_email"), icon=":material/block:")
    st.caption(tr("access.denied_help"))
    _logout_button("access.logout_denied")


def render_gate() -> None:
    """Before any page: the login screen or the no-access screen (and stop), else the signed-in
    user and their role in the sidebar. Does nothing when login is not configured."""
    if not auth_configured():
        return
    if not _claim("is_logged_in"):
        _login_screen()
        st.stop()
    role = current_role()
    if role is None:
        log.warning("no access for %s", _claim("email") or "a user without an email")
        _no_access_screen()
        st.stop()
    with st.sidebar:
        email = escape_markdown(str(_claim("email")))
        st.caption(tr("access.signed_in", email=email, role=tr(f"access.role_{role}")))
        _logout_button("access.logout")
