"""The five-mistakes check's vocabulary: statuses, the result of one check, and the thresholds
(Settings.mistakes, KEYSTONE_MISTAKES__*), apart from the checks so that core.settings can
import them without the analysis modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.alerts import Number
from core.metrics import Period

Status = Literal["ok", "watch", "act"]
MistakeId = Literal[
    "single_indicator", "big_over_small", "product_not_customer", "profit_source", "better_terms"
]
MISTAKES: Final[tuple[MistakeId, ...]] = (
    "single_indicator",
    "big_over_small",
    "product_not_customer",
    "profit_source",
    "better_terms",
)
"""The five mistakes in domain.md §5 order."""
STATUS_RANK: Final[dict[str, int]] = {"ok": 0, "watch": 1, "act": 2}


class MistakeThresholds(BaseModel):
    """When a mistake reads 'watch' or 'act'; each check's docstring gives its rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    overlap_watch: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="1: watch when fewer than this share of the revenue-only key accounts are "
        "also the scorecard's platinum tier.",
    )
    overlap_act: float = Field(
        default=0.5, ge=0, le=1, description="1: act when the overlap is below this share."
    )
    top20_share: float = Field(
        default=0.8, gt=0, le=1, description="2: watch when the top 20% hold this share or more."
    )
    hhi_rise: float = Field(
        default=100.0, ge=0, description="2: watch when HHI rose more than this on last year."
    )
    small_churn: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="2: small and mid accounts lost or lapsed, as a share of them: watch at "
        "this share, act when key accounts grew meanwhile.",
    )
    lapse_months: int = Field(
        default=3,
        ge=1,
        description="2: an account without revenue in the period's last this many months has "
        "lapsed.",
    )
    product_share: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="3: a key account with this share of its revenue in one product.",
    )
    month_share: float = Field(
        default=0.5, gt=0, le=1, description="3: a key account with this share in one month."
    )
    month_cv: float = Field(
        default=1.0,
        gt=0,
        description="3: or a coefficient of variation of monthly revenue at or above this.",
    )
    min_months: int = Field(
        default=3, ge=2, description="3: the month test needs a period of at least this many."
    )
    dependent_share: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="3: act when the dependent key accounts hold this share of key revenue.",
    )
    margin_gap: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="4: act when key accounts' gross margin is more than this below the "
        "rest's (0.05 = 5 points).",
    )


class MistakeCheck(BaseModel):
    """One mistake's verdict for the period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mistake: MistakeId
    status: Status
    reasons: list[str]
    """Codes of the rules that set the status (texts under mistakes.reason); empty when ok."""
    evidence: dict[str, Number]
    """The figures behind the status and the thresholds they were compared with."""
    accounts: list[str]
    """Account keys involved, most important first."""
    account_figures: dict[str, dict[str, Number]] = {}
    """Per involved account, its own figures (e.g. top-product share)."""
    breakdown: dict[str, dict[str, Number]] = {}
    """Tables of the panel, e.g. {'tier': {'platinum': 0.36, …}} for gross margin by tier."""
    missing: str | None = None
    """Why the check could not be made in full ('no_cost', 'no_prior', …), else None."""


def worst(statuses: Sequence[Status]) -> Status:
    """The most severe status of several; 'ok' for none."""
    return max(statuses, key=STATUS_RANK.__getitem__, default="ok")


def worst_first(reasons: list[tuple[Status, str]]) -> list[str]:
    """Reason codes, those of the worst status first (so the first explains the status)."""
    ordered = sorted(reasons, key=lambda item: -STATUS_RANK[item[0]])
    return [code for _, code in ordered]


class FiveMistakes(BaseModel):
    """The five checks of a period, in domain.md §5 order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: Period | None
    """The period clipped to stored months; None when none falls in it."""
    checks: list[MistakeCheck]

    def status(self) -> Status:
        """The worst of the five."""
        return worst([check.status for check in self.checks])
