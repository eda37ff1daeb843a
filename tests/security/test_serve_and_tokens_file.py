"""Start-up rules: no tokens means loopback only; tokens come from the environment or
``rules/tokens.yaml``, and a bad entry is named without showing the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assist.assembly import load_tokens
from assist.core.errors import RulesError
from assist.security.roles import Role, RoleKind
from assist.settings import REPO_ROOT, Settings


def serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "assist.cli", "serve", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_refuses_a_network_address_without_tokens_and_says_what_to_do() -> None:
    result = serve("--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without tokens" in result.stderr
    assert "ASSIST_TOKENS" in result.stderr and "127.0.0.1" in result.stderr


def test_serve_refuses_bad_tokens_without_printing_them() -> None:
    result = serve(
        "--port", "1", ASSIST_TOKENS="s3cr3t=supervisor", ASSIST_DB_URL="sqlite+aiosqlite://"
    )
    assert result.returncode == 2
    assert "ASSIST_TOKENS" in result.stderr and "shorter than 16" in result.stderr
    assert "s3cr3t" not in result.stderr


def test_tokens_come_from_the_environment_before_the_rules_file(tmp_path: Path) -> None:
    (tmp_path / "tokens.yaml").write_text(
        "tokens:\n  file-token-0123456789: qa\n", encoding="utf-8"
    )
    from_file = load_tokens(Settings(rules_dir=tmp_path))
    assert from_file.lookup("file-token-0123456789") == Role(RoleKind.QA)
    from_env = load_tokens(Settings(rules_dir=tmp_path, tokens="env-token-0123456789=ingest"))
    assert from_env.lookup("env-token-0123456789") == Role(RoleKind.INGEST)
    assert from_env.lookup("file-token-0123456789") is None
    assert not load_tokens(Settings(rules_dir=REPO_ROOT / "rules"))  # none shipped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tokens:\n  file-token-0123456789: admin\n", "unknown role 'admin'"),
        ("tokens:\n  short: qa\n", "shorter than 16"),
        ("token:\n  file-token-0123456789: qa\n", "token: Extra inputs are not permitted"),
    ],
)
def test_a_bad_tokens_file_names_the_file_not_the_token(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "tokens.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=message) as caught:
        load_tokens(Settings(rules_dir=tmp_path))
    assert "tokens.yaml" in str(caught.value)
    assert "file-token-0123456789" not in str(caught.value) and "short:" not in str(caught.value)


def test_settings_never_show_the_tokens() -> None:
    settings = Settings(tokens="env-token-0123456789=ingest")
    assert "env-token" not in repr(settings) and "env-token" not in str(settings.model_dump())
