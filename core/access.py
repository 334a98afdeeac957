"""Who may do what once login is on: an allow-list maps an email or its domain to a role."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["editor", "viewer"]
"""A viewer reads every page; an editor may also upload, restore and change settings."""


def _normalise(email: str) -> str | None:
    """The email in lower case without surrounding space; None unless it is one local@domain."""
    text = email.strip().lower()
    local, at, domain = text.partition("@")
    if not (at and local and domain) or "@" in domain or any(c.isspace() for c in text):
        return None
    return text


class AccessSettings(BaseModel):
    """The allow-list, used only when login ([auth] in secrets.toml) is configured.

    An entry is a whole email ('ana@example.com') or a domain ('@example.com', that domain
    only, not its subdomains). Case does not matter. Someone on neither list gets no access.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    editors: tuple[str, ...] = Field(
        default=(),
        description="Emails or @domains that may upload, restore and change settings, e.g. "
        "KEYSTONE_ACCESS__EDITORS='[\"ana@example.com\"]'.",
    )
    viewers: tuple[str, ...] = Field(
        default=(),
        description="Emails or @domains that may read every page, e.g. "
        "KEYSTONE_ACCESS__VIEWERS='[\"@example.com\"]'.",
    )

    @field_validator("editors", "viewers")
    @classmethod
    def _entries(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = []
        for entry in entries:
            text = entry.strip().lower()
            address = _normalise(f"x{text}" if text.startswith("@") else text)
            if address is None or "." not in address.rpartition("@")[2]:
                raise ValueError(
                    f"'{entry}' is neither an email (ana@example.com) nor a domain (@example.com)"
                )
            cleaned.append(text)
        return tuple(cleaned)


def _listed(email: str, entries: tuple[str, ...]) -> bool:
    domain = "@" + email.rpartition("@")[2]
    return email in entries or domain in entries


def role_for(email: str | None, access: AccessSettings) -> Role | None:
    """The role of a logged-in user's email: editor before viewer, None when on neither list.

    An email that is not a single local@domain gets None, so a strange claim never matches a
    domain entry by accident.
    """
    normalised = _normalise(email) if email else None
    if normalised is None:
        return None
    if _listed(normalised, access.editors):
        return "editor"
    if _listed(normalised, access.viewers):
        return "viewer"
    return None
