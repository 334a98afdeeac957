"""`keystone` run in this process, as a test reads it: exit code, parsed JSON, stderr."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

from core.cli import main


def run(*argv: str) -> tuple[int, dict, str]:
    """`keystone ARGV`: (exit code, the JSON it printed, what it wrote on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, json.loads(out.getvalue()), err.getvalue()


def metrics_and_history(path: object) -> tuple[dict, dict]:
    """What `keystone metrics` and `keystone uploads` print for the database at `path`."""
    return run("metrics", "--db", str(path))[1], run("uploads", "--db", str(path))[1]
