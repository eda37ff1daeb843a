"""Where the shop's rule files are: ``ASSIST_RULES_DIR`` / ``ASSIST_PHRASEBOOK``, else the
files shipped at the repository root. One place, so the service, the CLI commands and
the evaluation never disagree about which rules they run."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "phrasebook_path", "rules_dir"]

REPO_ROOT = Path(__file__).resolve().parents[1]


def rules_dir() -> Path:
    return Path(os.environ.get("ASSIST_RULES_DIR") or REPO_ROOT / "rules")


def phrasebook_path() -> Path:
    return Path(os.environ.get("ASSIST_PHRASEBOOK") or REPO_ROOT / "phrasebook.yaml")
