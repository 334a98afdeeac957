"""A small translation layer: every user-facing string has a key, in English and Chinese."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Final, Literal

Language = Literal["en", "zh"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh")
_LOCALE_DIR: Final = Path(__file__).with_name("locales")


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: Language) -> dict[str, str]:
    """Every key -> text of one language, from locales/<language>.toml and *.<language>.toml."""
    merged: dict[str, str] = {}
    extra = sorted(_LOCALE_DIR.glob(f"*.{language}.toml"))
    paths = [_LOCALE_DIR / f"{language}.toml", *extra]
    for path in paths:
        with path.open("rb") as handle:
            flat = _flatten(tomllib.load(handle))
        clash = merged.keys() & flat.keys()
        if clash:
            raise ValueError(f"{path.name} repeats keys: {sorted(clash)}")
        merged.update(flat)
    return merged


def has_text(key: str) -> bool:
    """Whether a UI text exists for key (in English, the fallback of every language)."""
    return key in catalogue("en")


def t(key: str, language: Language = "en", /, **params: object) -> str:
    """The text for key in language, with {params} filled; English when a key is missing."""
    text = catalogue(language).get(key) or catalogue("en").get(key)
    if text is None:
        raise KeyError(f"no UI text for key '{key}'")
    return text.format(**params) if params else text
