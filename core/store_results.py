"""What storing reports: the result line per file, stored figures, month versions, refusals."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from core.i18n import catalogue, t
from core.ingest.models import IngestIssue, PreparedUpload, plain_params


class UploadResult(BaseModel):
    """What happened to one file; the `keystone ingest` JSON contract."""

    model_config = ConfigDict(extra="forbid")

    id: int | None
    """The upload's id; for 'unchanged', the identical stored upload; None in a dry run."""
    file: str
    sha256: str
    source: str
    rows: int
    """Data rows read, excluding title, header, blank and subtotal rows."""
    months: list[str]
    accounts: int
    net_revenue: float
    status: str
    """'stored', 'unchanged' (same bytes and reading options already stored) or 'replaced'."""
    warnings: list[str]

    @classmethod
    def from_prepared(
        cls, prepared: PreparedUpload, upload_id: int | None, status: str
    ) -> UploadResult:
        """The result line of one file, with the figures read from it."""
        report = prepared.report
        return cls(
            id=upload_id,
            file=report.file,
            sha256=report.sha256,
            source=prepared.options.source,
            rows=report.rows,
            months=report.months,
            accounts=report.accounts,
            net_revenue=round(report.net_revenue, 2),
            status=status,
            warnings=[w.message for w in report.warnings],
        )


@dataclass(frozen=True)
class StoredFigures:
    """The figures of an upload as the uploads table recorded them."""

    rows: int
    """Data rows stored."""
    months: list[str]
    """The months it holds, 'YYYY-MM'."""
    accounts: int
    """Accounts with positive net revenue in the file."""
    net_revenue: float
    """Net revenue of its rows."""


class MonthVersion(BaseModel):
    """A stored source-month that an upload would replace, with the figures on both sides."""

    model_config = ConfigDict(extra="forbid")

    month: str
    source: str
    upload_id: int
    rows: int
    net_revenue: float
    new_rows: int
    new_net_revenue: float


class StoreError(Exception):
    """Storing was refused; nothing was written. `issues` say why, per file."""

    def __init__(self, issues: list[IngestIssue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


def store_issue(
    rule: str, file: str = "", column: str | None = None, value: str | None = None, **params: object
) -> IngestIssue:
    """A refusal, its English message from the catalogue (store.<rule> or ingest.<rule>)."""
    key = f"store.{rule}" if f"store.{rule}" in catalogue("en") else f"ingest.{rule}"
    message = t(key, "en", **params)
    return IngestIssue(
        file=file,
        column=column,
        value=value,
        rule=rule,
        message=message,
        params=plain_params(params),
    )
