"""Keystone's settings: one strict model, overridable from KEYSTONE_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.access import AccessSettings
from core.concentration_alerts import ConcentrationThresholds
from core.discounts_creep import DiscountThresholds
from core.mistakes_models import MistakeThresholds
from core.people import PeopleThresholds
from core.scorecard_weights import ScorecardWeights

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository root, where data/ lives."""


class Settings(BaseSettings):
    """Every user-tunable value, each with its default and meaning."""

    model_config = SettingsConfigDict(
        env_prefix="KEYSTONE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    db_path: Path = Field(
        default=PROJECT_ROOT / "data" / "keystone.duckdb",
        description="The DuckDB database file that holds every upload.",
    )
    demo_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "demo",
        description="Folder of the shipped demo exports, ingested when no database exists.",
    )
    max_upload_mb: float = Field(
        default=200.0, gt=0, description="Largest file accepted for ingest, in MiB."
    )
    max_field_chars: int = Field(
        default=1000, gt=0, description="Longest cell accepted; longer ones are an error."
    )
    max_errors: int = Field(
        default=10_000, gt=0, description="Errors kept per file; the count beyond is reported."
    )
    language: Literal["en", "zh"] = Field(default="en", description="Default UI language.")
    date_order: Literal["auto", "dmy", "mdy"] = Field(
        default="auto",
        description="Day/month order in dates like 03/04/2026; 'auto' rejects ambiguous ones.",
    )
    concentration: ConcentrationThresholds = Field(
        default_factory=ConcentrationThresholds,
        description="Dependency-alert thresholds, e.g. KEYSTONE_CONCENTRATION__HHI=1500.",
    )
    discounts: DiscountThresholds = Field(
        default_factory=DiscountThresholds,
        description="Discount-alert thresholds (creep, peer corridor), e.g. "
        "KEYSTONE_DISCOUNTS__CREEP_POINTS=3.",
    )
    scorecard: ScorecardWeights = Field(
        default_factory=ScorecardWeights,
        description="Value-scorecard weights, summing to 100, e.g. "
        "KEYSTONE_SCORECARD__REVENUE=40 with KEYSTONE_SCORECARD__MARGIN=15.",
    )
    people: PeopleThresholds = Field(
        default_factory=PeopleThresholds,
        description="Key-people alert thresholds (recency, key coverage, detractor influence), "
        "e.g. KEYSTONE_PEOPLE__RECENCY_DAYS=60.",
    )
    mistakes: MistakeThresholds = Field(
        default_factory=MistakeThresholds,
        description="Five-mistakes check thresholds, e.g. KEYSTONE_MISTAKES__PRODUCT_SHARE=0.8.",
    )
    access: AccessSettings = Field(
        default_factory=AccessSettings,
        description="Who may read and who may write once login is configured ([auth] in "
        "secrets.toml), e.g. KEYSTONE_ACCESS__EDITORS='[\"ana@example.com\"]' with "
        "KEYSTONE_ACCESS__VIEWERS='[\"@example.com\"]'.",
    )
    lock_timeout_s: float = Field(
        default=30.0, ge=0, description="How long a writer waits for the database lock."
    )


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides applied on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
