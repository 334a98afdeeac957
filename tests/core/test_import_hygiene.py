"""The core runs without the UI, and the UI holds no SQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "core").rglob("*.py")
)
UI_FILES = sorted(
    [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
)
SQL = re.compile(r"\b(select|insert|delete|update)\b.+\b(from|into|set)\b", re.IGNORECASE)


def test_every_core_module_imports_without_streamlit() -> None:
    assert "core.ingest.pipeline" in CORE_MODULES and "core.charts" in CORE_MODULES
    script = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('streamlit', 'ui', 'app_pages', 'pages'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_files_hold_no_sql_and_no_duckdb(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+duckdb", source, re.MULTILINE)
    assert [line for line in source.splitlines() if SQL.search(line)] == []
