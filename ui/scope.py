"""The shared period and filters in the sidebar, kept in the session and mirrored in the URL.

The period is the pair of month boxes ('From', 'To'); a preset (trailing 12 months, year to
date, quarter, month) fills them, and editing them by hand makes the preset 'custom'. Filters
narrow every page's data (core.scope). Everything the sidebar holds is written to the query
parameters on each run, so a copied link reopens the same view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final, TypeVar

import streamlit as st

from core.i18n import Language, has_text, t
from core.scope import BASES, PRESETS, Basis, Preset, preset_period
from ui.state import (
    FILTER_KEYS,
    PERIOD_FROM_KEY,
    PERIOD_TO_KEY,
    anonymised,
    filter_options,
    language,
    tr,
)

T = TypeVar("T")

PRESET_KEY: Final = "period_preset"
BASIS_KEY: Final = "basis"

URL_KEYS: Final[dict[str, str]] = {
    PERIOD_FROM_KEY: "from",
    PERIOD_TO_KEY: "to",
    PRESET_KEY: "preset",
    BASIS_KEY: "basis",
    **{key: name.removesuffix("s") for name, key in FILTER_KEYS.items()},
}
"""Session-state key -> query parameter (?from=2025-11&to=2026-10&segment=strategic)."""

_RESTORED_KEY: Final = "scope_restored_from_url"


def _month(text: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1)


def restore_from_url(months: list[str]) -> None:
    """Once per session, before the widgets draw: take the view a link carries.

    Unknown months, presets or filter values in the link are ignored rather than refused.
    """
    if st.session_state.get(_RESTORED_KEY):
        return
    st.session_state[_RESTORED_KEY] = True
    params = st.query_params
    start, end = params.get(URL_KEYS[PERIOD_FROM_KEY]), params.get(URL_KEYS[PERIOD_TO_KEY])
    if start in months and end in months:
        st.session_state[PERIOD_FROM_KEY], st.session_state[PERIOD_TO_KEY] = start, end
        st.session_state["period_default"] = ("", "")  # a chosen period: do not follow the data
        st.session_state[PRESET_KEY] = "custom"
    if params.get(URL_KEYS[PRESET_KEY]) in PRESETS:
        st.session_state[PRESET_KEY] = params.get(URL_KEYS[PRESET_KEY])
    if params.get(URL_KEYS[BASIS_KEY]) in BASES:
        st.session_state[BASIS_KEY] = params.get(URL_KEYS[BASIS_KEY])
    options = filter_options()
    for name, key in FILTER_KEYS.items():
        wanted = [value for value in params.get_all(URL_KEYS[key]) if value in options[name]]
        if wanted:
            st.session_state[key] = wanted


def _apply_preset(months: list[str]) -> None:
    """The preset's months, ending at the chosen 'To' month."""
    preset: Preset = st.session_state[PRESET_KEY]
    if preset == "custom":
        return
    chosen = preset_period(
        preset, _month(st.session_state[PERIOD_TO_KEY]), first_stored=_month(months[0])
    )
    assert chosen.start is not None
    st.session_state[PERIOD_FROM_KEY] = chosen.start.strftime("%Y-%m")


def _made_custom() -> None:
    st.session_state[PRESET_KEY] = "custom"


def _followed_preset(months: list[str]) -> None:
    """After 'To' moves, a preset keeps its shape; a custom range keeps its 'From'."""
    if st.session_state.get(PRESET_KEY, "custom") != "custom":
        _apply_preset(months)


def render_period(months: list[str]) -> None:
    """The period widgets: preset, the two months, and the comparison basis."""
    st.session_state.setdefault(PRESET_KEY, PRESETS[0])
    st.session_state.setdefault(BASIS_KEY, BASES[0])
    st.selectbox(
        tr("scope.preset"),
        PRESETS,
        format_func=_fixed(lambda code: f"scope.presets.{code}"),
        key=PRESET_KEY,
        on_change=_apply_preset,
        args=(months,),
    )
    left, right = st.columns(2)
    left.selectbox(tr("app.period_from"), months, key=PERIOD_FROM_KEY, on_change=_made_custom)
    right.selectbox(
        tr("app.period_to"), months, key=PERIOD_TO_KEY, on_change=_followed_preset, args=(months,)
    )
    if st.session_state[PERIOD_FROM_KEY] > st.session_state[PERIOD_TO_KEY]:
        st.caption(tr("app.period_swapped"))
    st.segmented_control(
        tr("scope.basis"),
        BASES,
        format_func=_fixed(lambda code: f"scope.bases.{code}"),
        required=True,
        key=BASIS_KEY,
    )


def render_filters() -> None:
    """One multiselect per dimension that has values, in a collapsed box showing the count."""
    options = filter_options()
    chosen = sum(bool(st.session_state.get(key)) for key in FILTER_KEYS.values())
    label = tr("scope.filters") + (f" ({chosen})" if chosen else "")
    with st.expander(label, expanded=bool(chosen), icon=":material/filter_alt:"):
        for name, key in FILTER_KEYS.items():
            if not options[name]:
                continue
            st.multiselect(
                tr(f"scope.dimensions.{name}"),
                options[name],
                format_func=_segment_label(language()) if name == "segments" else str,
                key=key,
                placeholder=tr("scope.all"),
            )


def _fixed(key_of: Callable[[str], str]) -> Callable[[str], str]:
    """A format function in the language of this run: AppTest re-formats the options later,
    so the labels must not follow a language switch made after the widget was drawn."""
    lang = language()
    return lambda code: t(key_of(code), lang)


def _segment_label(lang: Language) -> Callable[[str], str]:
    """A segment code's name in `lang` (the code itself when it has none)."""
    return lambda code: (
        t(f"segments.name.{code}", lang) if has_text(f"segments.name.{code}") else code
    )


def basis() -> Basis:
    """What the period is compared with first: 'prior' or 'last_year'."""
    chosen = st.session_state.get(BASIS_KEY)
    return chosen if chosen in BASES else BASES[0]  # type: ignore[return-value]


def ordered(prior: T, last_year: T) -> tuple[tuple[T, Basis], tuple[T, Basis]]:
    """The two comparisons, the sidebar's basis first: what a tile's delta shows, then the
    line below it."""
    pairs: tuple[tuple[T, Basis], tuple[T, Basis]] = ((prior, "prior"), (last_year, "last_year"))
    return pairs if basis() == "prior" else (pairs[1], pairs[0])


def write_url() -> None:
    """Mirror the sidebar in the query parameters, so that a link reopens this view."""
    private = {FILTER_KEYS["owners"]} if anonymised() else set()
    for key, param in URL_KEYS.items():
        value = st.session_state.get(key) if key not in private else None
        if key in private and param in st.query_params:
            del st.query_params[param]  # an account manager's name must not leave in a link
        if isinstance(value, list):
            if value:
                st.query_params[param] = value
            elif param in st.query_params:
                del st.query_params[param]
        elif value:
            st.query_params[param] = value
