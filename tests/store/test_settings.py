"""The service's settings: each variable read, checked, and named in the one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.store.settings import load_settings

BASE = {"CHARTER_SECRET_KEY": "a-long-enough-secret-key"}


@pytest.mark.parametrize(("env", "field", "expected"), [
    ({}, "github_preset", "llama-stack"),
    ({"CHARTER_GITHUB_PRESET": "llm-d"}, "github_preset", "llm-d"),
    ({"CHARTER_SMTP_URL": "smtp://127.0.0.1:2525"}, "smtp_url", "smtp://127.0.0.1:2525"),
    ({}, "smtp_url", None),
    ({"CHARTER_GITHUB_API_URL": "http://127.0.0.1:9"}, "github_api_url", "http://127.0.0.1:9"),
])
def test_settings_are_read(env: dict[str, str], field: str, expected: object) -> None:
    assert getattr(load_settings(environ={**BASE, **env}), field) == expected


@pytest.mark.parametrize(("env", "named"), [
    ({"CHARTER_GITHUB_PRESET": "lama-stack"}, "CHARTER_GITHUB_PRESET"),
    ({"CHARTER_GITHUB_PRESET": "../../etc/passwd"}, "CHARTER_GITHUB_PRESET"),
    ({"CHARTER_SMTP_URL": "mail.example.org:25"}, "CHARTER_SMTP_URL"),
    ({"CHARTER_SECRET_KEY": "short"}, "CHARTER_SECRET_KEY"),
    ({"CHARTER_DATABASE_URL": "mysql://x/y"}, "CHARTER_DATABASE_URL"),
])
def test_a_bad_setting_is_named_in_one_line(env: dict[str, str], named: str) -> None:
    with pytest.raises(CharterError) as caught:
        load_settings(environ={**BASE, **env})
    assert named in caught.value.message and "\n" not in caught.value.message


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("CHARTER_GITHUB_PRESET=llm-d\nCHARTER_SMTP_URL=smtp://a:1\n")
    settings = load_settings(env_file, {**BASE, "CHARTER_SMTP_URL": "smtp://b:2"})
    assert (settings.github_preset, settings.smtp_url) == ("llm-d", "smtp://b:2")
