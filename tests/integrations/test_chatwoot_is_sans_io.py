"""The Chatwoot adapter is pure like the core: it loads no I/O library and reads no clock."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.architecture.test_core_is_sans_io import FORBIDDEN_CALLS, FORBIDDEN_MODULES

PACKAGE = Path(__file__).resolve().parents[2] / "assist" / "integrations" / "chatwoot"


def test_importing_the_chatwoot_adapter_loads_no_io_library() -> None:
    script = (
        "import json, sys\n"
        "import assist.integrations.chatwoot, assist.integrations.chatwoot.notes\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
    )
    io = (*FORBIDDEN_MODULES, "httpx", "prometheus_client")
    assert [name for name in loaded if name.split(".")[0] in io] == []


def test_the_chatwoot_adapter_reads_no_clock_file_or_environment() -> None:
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in FORBIDDEN_CALLS | {("os", "environ")}:
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []
