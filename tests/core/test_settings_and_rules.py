"""SLA settings: rules/sla.yaml, ASSIST_* overrides, and line-precise rule-file errors."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from assist.assembly import load_sla
from assist.core.errors import RulesError
from assist.core.sla.hours import ServiceWindow, SlaConfig
from assist.settings import REPO_ROOT, Settings

ENV = ("ASSIST_GREETING_S", "ASSIST_REPLY_S", "ASSIST_WARN_S", "ASSIST_ESCALATE_S")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ENV, "ASSIST_RULES_DIR"):
        monkeypatch.delenv(name, raising=False)


def write_rules(tmp_path: Path, text: str) -> Settings:
    (tmp_path / "sla.yaml").write_text(text, encoding="utf-8")
    return Settings(rules_dir=tmp_path)


def test_load_sla_reads_the_shipped_rules_file() -> None:
    settings = Settings()
    assert settings.rules_dir == REPO_ROOT / "rules"
    config = load_sla(settings)
    assert (config.greeting_s, config.reply_s, config.warn_s, config.escalate_s) == (
        15.0,
        20.0,
        5.0,
        60.0,
    )
    assert config.service_hours.always and config.service_hours.timezone == "Asia/Shanghai"


def test_the_yaml_values_are_used(tmp_path: Path) -> None:
    config = load_sla(write_rules(tmp_path, "greeting_s: 10\nreply_s: 30\nwarn_s: 2\n"))
    assert (config.greeting_s, config.reply_s, config.warn_s, config.escalate_s) == (
        10.0,
        30.0,
        2.0,
        60.0,
    )


def test_a_missing_rules_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_sla(Settings(rules_dir=tmp_path)) == SlaConfig()


def test_an_environment_variable_overrides_the_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSIST_REPLY_S", "0.3")
    config = load_sla(Settings())
    assert config.reply_s == 0.3
    assert config.greeting_s == 15.0


def test_warn_s_zero_from_the_environment_is_not_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSIST_WARN_S", "0")
    monkeypatch.setenv("ASSIST_ESCALATE_S", "90")
    config = load_sla(Settings())
    assert (config.warn_s, config.escalate_s) == (0.0, 90.0)


def test_the_rules_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sla.yaml").write_text("greeting_s: 7\n", encoding="utf-8")
    monkeypatch.setenv("ASSIST_RULES_DIR", str(tmp_path))
    assert load_sla(Settings()).greeting_s == 7.0


def test_broken_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    settings = write_rules(tmp_path, "greeting_s: 15\nreply_s: [20\nwarn_s: 5\n")
    with pytest.raises(RulesError) as caught:
        load_sla(settings)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'sla.yaml'}:")
    assert "invalid YAML" in message
    line = caught.value.problems[0][0]
    assert line is not None and 2 <= line <= 4


def test_an_invalid_value_names_the_file_line_and_field(tmp_path: Path) -> None:
    settings = write_rules(tmp_path, "# comment\ngreeting_s: 15\nreply_s: -1\n")
    with pytest.raises(RulesError) as caught:
        load_sla(settings)
    assert str(caught.value).startswith(f"{tmp_path / 'sla.yaml'}:3: reply_s: ")
    assert "greater than 0" in str(caught.value)


def test_an_unknown_key_is_an_error_on_its_line(tmp_path: Path) -> None:
    settings = write_rules(tmp_path, "greeting_s: 15\nreplys: 20\n")
    with pytest.raises(RulesError) as caught:
        load_sla(settings)
    assert caught.value.problems[0][0] == 2 and "replys" in caught.value.problems[0][1]


WINDOWS = """\
service_hours:
  timezone: Asia/Shanghai
  windows:
    - {days: [mon, tue, wed, thu, fri, sat], start: "18:30", end: "24:00"}
    - {days: [sun], start: "09:30", end: "24:00"}
"""


def test_service_hours_windows_parse_with_24_00_as_midnight(tmp_path: Path) -> None:
    hours = load_sla(write_rules(tmp_path, WINDOWS)).service_hours
    assert not hours.always and hours.timezone == "Asia/Shanghai"
    assert len(hours.windows) == 7
    assert hours.windows[0] == ServiceWindow(0, time(18, 30), time(0, 0))
    assert hours.windows[6] == ServiceWindow(6, time(9, 30), time(0, 0))
    # Monday 2026-11-23 15:00 local is closed; the shift opens at 18:30 local.
    assert hours.clamp(datetime(2026, 11, 23, 7, 0, tzinfo=UTC)) == datetime(
        2026, 11, 23, 10, 30, tzinfo=UTC
    )
    # 23:59 local is open.
    late = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)
    assert hours.clamp(late) == late


def test_a_window_ending_before_it_starts_names_its_line(tmp_path: Path) -> None:
    text = WINDOWS.replace('start: "09:30", end: "24:00"', 'start: "18:00", end: "09:00"')
    with pytest.raises(RulesError) as caught:
        load_sla(write_rules(tmp_path, text))
    (problem,) = caught.value.problems
    assert problem[0] == 5
    assert "end must be after start" in problem[1]
    assert str(caught.value).startswith(f"{tmp_path / 'sla.yaml'}:5: ")


@pytest.mark.parametrize("bad", ["25:00", "9h", "18:60"])
def test_a_malformed_clock_time_is_an_error(tmp_path: Path, bad: str) -> None:
    text = WINDOWS.replace('start: "18:30"', f'start: "{bad}"')
    with pytest.raises(RulesError) as caught:
        load_sla(write_rules(tmp_path, text))
    assert caught.value.problems[0][0] == 4


def test_an_unknown_time_zone_is_an_error(tmp_path: Path) -> None:
    text = WINDOWS.replace("Asia/Shanghai", "Mars/Olympus")
    with pytest.raises(RulesError) as caught:
        load_sla(write_rules(tmp_path, text))
    assert caught.value.problems[0][0] == 2 and "Mars/Olympus" in caught.value.problems[0][1]
