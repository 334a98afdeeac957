"""An alert: one triggered rule of any analysis, with its evidence and the accounts involved."""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.i18n import Language, has_text, t

Severity = Literal["watch", "act"]
"""'act' needs a decision before the next review; 'watch' needs a look."""
Number = float | int | None


def finite(value: object) -> float | None:
    """Evidence made JSON-ready: a float, or None for NULL, NaN and infinity."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isinf(number) else number


class Alert(BaseModel):
    """One triggered rule, with what a reader needs to check it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    """The rule's code within its analysis, e.g. 'group_share' or 'buys_nothing'."""
    severity: Severity
    message_key: str
    """core.i18n key of the message, e.g. under concentration.alert or discounts.alert."""
    params: dict[str, str | int | float]
    """The message's placeholders."""
    evidence: dict[str, Number]
    """The figures that triggered the rule and the threshold they crossed."""
    accounts: list[str]
    """Keys of the accounts (or groups) involved, most important first."""
    terms: dict[str, str] = {}
    """Placeholders holding a code to translate: param name -> key prefix, e.g. 'segment' ->
    'segments.name' shows 'intrinsic' as 内在价值 in Chinese. Unknown codes show as they are."""

    def message(self, language: Language = "en") -> str:
        """The message in a language, with coded placeholders in that language too."""
        params = dict(self.params)
        for name, prefix in self.terms.items():
            code = params.get(name)
            if isinstance(code, str) and has_text(f"{prefix}.{code}"):
                params[name] = t(f"{prefix}.{code}", language)
        return t(self.message_key, language, **params)
