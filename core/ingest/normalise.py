"""SQL expressions that turn raw text cells into typed values: numbers, months, rates, names."""

from __future__ import annotations

from typing import Final

_FULL_WIDTH: Final = ("０１２３４５６７８９．，－＋（）％／：　−", "0123456789.,-+()%/: -")
_ZERO_WIDTH: Final = "[\u200b\u200c\u200d\u2060\ufeff]"
_MONTH_NAMES: Final = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
NUMBER: Final = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def text(column: str) -> str:
    """Trimmed text without zero-width characters; NULL when empty."""
    return f"NULLIF(trim(translate({column}, '{_ZERO_WIDTH[1:-1]}', '')), '')"


def half_width(column: str) -> str:
    """Full-width digits and punctuation as ASCII."""
    return f"translate({text(column)}, '{_FULL_WIDTH[0]}', '{_FULL_WIDTH[1]}')"


def _number_text(column: str, decimal_comma: bool) -> str:
    """The cell as plain number text: no currency marks, separators or brackets."""
    bare = (
        f"regexp_replace({half_width(column)}, "
        r"'(?i)(rmb|cny|usd|eur|hkd|jpy|¥|￥|\$|€|£|元|\s|''|\x{a0})', '', 'g')"
    )
    negative_bracket = f"regexp_replace({bare}, '^\\((.*)\\)$', '-\\1')"
    trailing_minus = f"regexp_replace({negative_bracket}, '^([^-]+)-$', '-\\1')"
    if decimal_comma:
        return f"replace(replace({trailing_minus}, '.', ''), ',', '.')"
    return f"replace({trailing_minus}, ',', '')"


def number(column: str, decimal_comma: bool) -> str:
    """The cell as DOUBLE; NULL when empty or not a number. A lone dash means zero.

    Plain numbers take a cast; only the rest go through the slower clean-up."""
    plain = _number_text(column, decimal_comma)
    slow = (
        f"(CASE WHEN {plain} IN ('-', '–', '—') THEN 0.0 "
        f"WHEN regexp_matches({plain}, '{NUMBER}') THEN TRY_CAST({plain} AS DOUBLE) END)"
    )
    if decimal_comma:
        return slow
    fast = f"TRY_CAST({column} AS DOUBLE)"
    return (
        f"(CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN NOT contains({column}, '_') AND isfinite({fast}) THEN {fast} ELSE {slow} END)"
    )


def rate(column: str, plain_is_percent: bool) -> str:
    """A discount rate as a fraction, from 0.15, 15%, 15 (a column in percent) or 8.5折.

    n折 pays n tenths (10折 is full price); two digits, as in 85折, pay n percent."""
    s = f"replace({half_width(column)}, ' ', '')"
    zhe = f"TRY_CAST(regexp_extract({s}, '^(\\d+(\\.\\d+)?)折$', 1) AS DOUBLE)"
    pct = f"TRY_CAST(regexp_extract({s}, '^(-?\\d+(\\.\\d+)?)%$', 1) AS DOUBLE)"
    plain = f"(CASE WHEN regexp_matches({s}, '{NUMBER}') THEN TRY_CAST({s} AS DOUBLE) END)"
    scale = "/ 100.0" if plain_is_percent else ""
    return (
        f"(CASE WHEN {zhe} IS NOT NULL THEN 1 - CASE WHEN {zhe} <= 10 THEN {zhe} / 10.0 "
        f"ELSE {zhe} / 100.0 END WHEN {pct} IS NOT NULL THEN {pct} / 100.0 "
        f"ELSE {plain} {scale} END)"
    )


def _ymd(year: str, month: str, day: str = "1") -> str:
    """A DATE from SQL integer expressions, NULL when impossible (Feb 30, month 13)."""
    return (
        f"(CASE WHEN ({year}) BETWEEN 1990 AND 2100 THEN "
        f"TRY_CAST(printf('%04d-%02d-%02d', ({year})::INT, ({month})::INT, ({day})::INT) "
        "AS DATE) END)"
    )


def _g(s: str, pattern: str, group: int) -> str:
    return f"TRY_CAST(regexp_extract({s}, '{pattern}', {group}) AS INT)"


_DAY_FIRST: Final = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})([ T].*)?$"
_MONTH_INDEX: Final = f"(strpos('{_MONTH_NAMES.replace('|', '')}', left(lower({{m}}), 3)) + 2) // 3"


def _month_forms(column: str, date_order: str, exact_day: bool = False) -> list[tuple[str, str]]:
    """(pattern test, date expression) for every accepted month form, in the order tried."""
    s = f"replace({half_width(column)}, '  ', ' ')"
    lower = f"lower({s})"
    forms: list[tuple[str, str]] = []

    def form(pattern: str, year: str, month: str, day: str = "1", subject: str = s) -> None:
        forms.append((f"regexp_matches({subject}, '{pattern}')", _ymd(year, month, day)))

    p = r"^(\d{4})[-/.](\d{1,2})$"
    form(p, _g(s, p, 1), _g(s, p, 2))
    p = r"^(\d{4})\s*年\s*(\d{1,2})\s*月(\s*(\d{1,2})\s*日)?.*$"
    form(p, _g(s, p, 1), _g(s, p, 2), f"coalesce({_g(s, p, 4)}, 1)")
    p = r"^(\d{4})(\d{2})$"
    form(p, _g(s, p, 1), _g(s, p, 2))
    p = r"^(\d{4})(\d{2})(\d{2})$"
    form(p, _g(s, p, 1), _g(s, p, 2), _g(s, p, 3))
    p = r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})([ T].*)?$"
    form(p, _g(s, p, 1), _g(s, p, 2), _g(s, p, 3))
    if date_order in ("dmy", "mdy"):
        first, second = (_g(s, _DAY_FIRST, 1), _g(s, _DAY_FIRST, 2))
        day, month = (first, second) if date_order == "dmy" else (second, first)
        form(_DAY_FIRST, _g(s, _DAY_FIRST, 3), month, day)
    p = r"^(\d{1,2})[-/.](\d{4})$"
    form(p, _g(s, p, 2), _g(s, p, 1))
    p = r"^(\d{5})(\.\d+)?$"
    serial = f"TRY_CAST(regexp_extract({s}, '{p}', 1) AS INT)"
    forms.append(
        (
            f"regexp_matches({s}, '{p}')",
            f"(CASE WHEN {serial} BETWEEN 32874 AND 73051 "
            + (
                f"THEN (DATE '1899-12-30' + {serial})::DATE END)"
                if exact_day
                else f"THEN date_trunc('month', DATE '1899-12-30' + {serial})::DATE END)"
            ),
        )
    )
    names = f"({_MONTH_NAMES})[a-z]*\\.?"
    p = f"^{names}[-/ ,'']*(\\d{{2}}|\\d{{4}})$"
    mon = _MONTH_INDEX.format(m=f"regexp_extract({lower}, '{p}', 1)")
    year = _g(lower, p, 2)
    form(p, f"CASE WHEN {year} < 100 THEN 2000 + {year} ELSE {year} END", mon, subject=lower)
    p = f"^(\\d{{4}})[-/ ]*{names}$"
    form(
        p,
        _g(lower, p, 1),
        _MONTH_INDEX.format(m=f"regexp_extract({lower}, '{p}', 2)"),
        subject=lower,
    )
    p = f"^(\\d{{1,2}})[-/ ]*{names}[-/ ,]*(\\d{{4}})$"
    form(
        p,
        _g(lower, p, 3),
        _MONTH_INDEX.format(m=f"regexp_extract({lower}, '{p}', 2)"),
        _g(lower, p, 1),
        subject=lower,
    )
    return forms


def month(column: str, date_order: str) -> tuple[str, str]:
    """(recognised, first-of-month DATE) expressions; recognised with a NULL date is impossible."""
    forms = _month_forms(column, date_order)
    recognised = " OR ".join(test for test, _ in forms)
    cases = " ".join(f"WHEN {test} THEN {expr}" for test, expr in forms)
    return (
        f"coalesce({recognised}, false)",
        f"date_trunc('month', CASE {cases} END)::DATE",
    )


def day(column: str, date_order: str) -> tuple[str, str]:
    """(recognised, DATE) expressions for a date cell; a month alone means its first day."""
    forms = _month_forms(column, date_order, exact_day=True)
    recognised = " OR ".join(test for test, _ in forms)
    cases = " ".join(f"WHEN {test} THEN {expr}" for test, expr in forms)
    return f"coalesce({recognised}, false)", f"(CASE {cases} END)::DATE"


def is_day_month(column: str) -> str:
    """True for a date like 03/04/2026, whose day and month order the file must settle."""
    return f"coalesce(regexp_matches({half_width(column)}, '{_DAY_FIRST}'), false)"


def day_first_parts(column: str) -> tuple[str, str]:
    """Aggregates over slash dates like 03/04/2026: the largest first and second number."""
    s = half_width(column)
    return (
        f"max({_g(s, _DAY_FIRST, 1)})",
        f"max({_g(s, _DAY_FIRST, 2)})",
    )


SUBTOTAL_PATTERN: Final = (
    r"^(.{0,30}(合\s*计|小\s*计|总\s*计|共\s*计|汇\s*总|累\s*计)"
    r"|(?i:(.{0,60}\s)?(grand\s*|sub-?\s*)?totals?))"
    r"\s*([(（][^)）]*[)）])?\s*([:：].*)?$"
)
"""A cell that ends in 合计/小计/总计/累计 (optionally bracketed or followed by ':'), or in
'Total' as Excel's Data > Subtotal writes it ('Alpha Corp Total', 'Grand Total').

'小计算器' (a product) and 'Total Energies' (a customer) are not subtotals."""

SUBTOTAL_HINT: Final = (
    "(contains({c}, '计') OR contains({c}, '总') OR contains({c}, 'otal') OR contains({c}, 'OTAL'))"
)
"""A cheap test every subtotal cell passes, so the pattern runs on few cells."""


_CURRENCY_ALIASES: Final = {
    "CNY": ("CNY", "RMB", "人民币", "¥", "￥", "元", "CN¥"),
    "USD": ("USD", "US$", "$"),
    "EUR": ("EUR", "€"),
    "GBP": ("GBP", "£"),
    "HKD": ("HKD", "HK$"),
    "JPY": ("JPY", "円", "JP¥"),
}
_MARK: Final = "(CN¥|JP¥|US\\$|HK\\$|RMB|CNY|USD|EUR|GBP|HKD|JPY|人民币|¥|￥|\\$|€|£|元|円)"


def currency_code(expr: str) -> str:
    """An ISO code for a currency name or mark: RMB, 人民币 and ¥ are all CNY."""
    cases = " ".join(
        f"WHEN '{alias}' THEN '{code}'"
        for code, aliases in _CURRENCY_ALIASES.items()
        for alias in aliases
    )
    return f"(CASE upper({expr}) {cases} ELSE upper({expr}) END)"


def currency_mark(column: str) -> str:
    """The currency an amount cell names ('$1,200', 'RMB 300'), or NULL."""
    mark = f"NULLIF(regexp_extract(upper({column}), '{_MARK}', 1), '')"
    return currency_code(mark)
