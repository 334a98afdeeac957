"""The value scorecard's indicators and their weights (domain.md §6), as a strict settings model.

Kept apart from core.scorecard so that core.settings can hold the weights without importing
the queries.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Indicator = Literal["revenue", "margin", "growth", "discount", "breadth"]

INDICATORS: Final[tuple[Indicator, ...]] = ("revenue", "margin", "growth", "discount", "breadth")
"""The indicators in display order; a tie on the driver of a change goes to the first."""

HIGHER_IS_BETTER: Final[dict[Indicator, bool]] = {
    "revenue": True,
    "margin": True,
    "growth": True,
    "discount": False,
    "breadth": True,
}
"""Discount discipline: a lower concession degree scores higher."""

WEIGHT_TOTAL: Final = 100.0


class ScorecardWeights(BaseModel):
    """Each indicator's weight in the value score, in points; together they must make 100."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revenue: float = Field(default=30.0, ge=0, le=100, description="Net revenue in the period.")
    margin: float = Field(
        default=25.0, ge=0, le=100, description="Gross margin %: gross profit / net revenue."
    )
    growth: float = Field(
        default=20.0, ge=0, le=100, description="Net revenue against the prior period."
    )
    discount: float = Field(
        default=15.0,
        ge=0,
        le=100,
        description="Discount discipline: a lower concession degree scores higher.",
    )
    breadth: float = Field(
        default=10.0, ge=0, le=100, description="Product breadth: distinct products bought."
    )

    @model_validator(mode="after")
    def _sums_to_100(self) -> ScorecardWeights:
        total = sum(self.as_dict().values())
        if abs(total - WEIGHT_TOTAL) > 1e-6:
            parts = ", ".join(f"{name} {weight:g}" for name, weight in self.as_dict().items())
            raise ValueError(f"scorecard weights must sum to 100, not {total:g} ({parts})")
        return self

    def as_dict(self) -> dict[Indicator, float]:
        """Indicator -> weight, in display order."""
        return {name: float(getattr(self, name)) for name in INDICATORS}
