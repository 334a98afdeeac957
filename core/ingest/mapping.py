"""Match a file's headers to fields: synonyms first, the user's overrides on top."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.fields import IGNORE, field_for_header, fields_of, includes_tax, normalise_header
from core.reference_fields import COMPANION_REQUIRED, FileKind


@dataclass
class ColumnMap:
    """Field -> column position, and what could not be mapped."""

    positions: dict[str, int] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    problems: list[tuple[str, str, dict[str, object]]] = field(default_factory=list)
    """(rule, column header, params) for mapping errors."""


def resolve(headers: list[str], overrides: dict[str, str], kind: FileKind = "export") -> ColumnMap:
    """Map headers to fields; report duplicates, clashes, unknown overrides and missing fields."""
    result = ColumnMap()
    known = fields_of(kind)
    wanted = {normalise_header(k): (k, v.strip()) for k, v in overrides.items()}
    seen: dict[str, int] = {}
    used: set[str] = set()
    for position, header in enumerate(headers):
        if not header.strip():
            continue
        key = normalise_header(header)
        if header.strip() in seen:
            result.problems.append(
                (
                    "duplicate_column",
                    header,
                    {"first": seen[header.strip()] + 1, "second": position + 1},
                )
            )
            continue
        seen[header.strip()] = position
        if key in wanted:
            used.add(key)
            target = wanted[key][1]
            if target == IGNORE:
                continue
            if target not in known:
                if kind == "export":
                    result.problems.append(("unknown_field", header, {"field": target}))
                else:
                    params = {"field": target, "kind": kind}
                    result.problems.append(("field_not_in_kind", header, params))
                continue
        else:
            target = field_for_header(header, kind)
            if target is None:
                result.unmapped.append(header)
                continue
        if target in result.positions:
            first = headers[result.positions[target]]
            chosen_by_user = key in wanted or normalise_header(first) in wanted
            if not chosen_by_user and includes_tax(first) != includes_tax(header):
                # 金额 beside 价税合计: the amount without VAT is the revenue.
                if includes_tax(first):
                    result.positions[target] = position
                result.unmapped.append(header if includes_tax(header) else first)
                continue
            result.problems.append(("field_twice", header, {"field": target, "other": first}))
            continue
        result.positions[target] = position
    for key, (original, _) in wanted.items():
        if key not in used:
            result.problems.append(("map_unknown_column", original, {}))
    has = result.positions.__contains__
    if kind != "export":
        for name in COMPANION_REQUIRED[kind]:
            if not has(name):
                result.problems.append(("missing_field", "", {"field": name}))
        return result
    if not has("month"):
        result.problems.append(("missing_field", "", {"field": "month"}))
    if not (has("account_id") or has("account_name")):
        result.problems.append(("missing_field", "", {"field": "account_id / account_name"}))
    derivable_net = has("list_revenue") and (has("discount_amount") or has("discount_rate"))
    if not (has("net_revenue") or derivable_net):
        result.problems.append(("missing_field", "", {"field": "net_revenue"}))
    return result
