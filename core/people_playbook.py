"""Style cards and engagement levers (domain.md §7), read from core/people_playbook.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Final

import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.i18n import Language
from core.reference_fields import STYLES

PLAYBOOK_PATH: Final = Path(__file__).with_name("people_playbook.toml")
LEVERS: Final = ("introducer", "detail", "pain_gain", "executive", "site_visit", "events")
"""The engagement levers, in checklist order."""


class StyleCard(BaseModel):
    """How to approach one decision-maker style, in one language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    style: str
    label: str
    approach: str
    """The one-line rule."""
    do: list[str]
    avoid: list[str]


class Lever(BaseModel):
    """One engagement lever, in one language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lever: str
    label: str
    hint: str


@cache
def _playbook() -> dict:
    with PLAYBOOK_PATH.open("rb") as handle:
        return tomllib.load(handle)


def style_card(style: str, language: Language) -> StyleCard:
    """The card of a style ('driver', 'expressive', 'analytical' or 'amiable')."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    return StyleCard(style=style, **_playbook()["style"][style][language])


def levers(language: Language) -> list[Lever]:
    """Every engagement lever, in checklist order."""
    return [Lever(lever=name, **_playbook()["lever"][name][language]) for name in LEVERS]


def levers_in_place(contacts: pd.DataFrame, recency_days: int) -> dict[str, bool]:
    """The levers the contacts file already shows: a coach is named (introducer), and the
    economic buyer was contacted within the recency window (executive contact).

    `contacts` has the columns of core.people.account_contacts."""
    roles = contacts["buying_role"]
    recent = contacts["days"].le(recency_days).fillna(False)  # type: ignore[call-arg]
    return {
        "introducer": bool(roles.eq("coach").any()),
        "executive": bool((roles.eq("economic_buyer") & recent).any()),
    }
