"""The core knows nothing of I/O: checked from outside, in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "assist" / "core"
FORBIDDEN_MODULES = (
    "asyncio",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "uvicorn",
    "websockets",
    "yaml",
)
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("os", "getenv"),
    ("Path", "read_text"),
    ("Path", "open"),
}


def _core_modules() -> list[str]:
    names = []
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE.parent.parent).with_suffix("").parts
        names.append(".".join(p for p in parts if p != "__init__"))
    return names


def test_importing_every_core_module_loads_no_io_library() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {_core_modules()!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    offending = [m for m in loaded if m.split(".")[0] in FORBIDDEN_MODULES]
    assert offending == []


def test_core_source_reads_no_clock_file_or_environment_and_imports_only_the_core() -> None:
    problems = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                top = node.module
                if top.startswith("assist") and not top.startswith("assist.core"):
                    problems.append(f"{path.name}: imports {top}")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("assist") and not alias.name.startswith("assist.core"):
                        problems.append(f"{path.name}: imports {alias.name}")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                    problems.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
                if node.value.id == "os" and node.attr == "environ":
                    problems.append(f"{path.name}:{node.lineno}: os.environ")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id == "open":
                    problems.append(f"{path.name}:{node.lineno}: open()")
    assert problems == []
