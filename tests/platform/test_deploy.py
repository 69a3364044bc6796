"""Production settings: `manage.py check --deploy` is clean with the documented environment, and
settings refuse values they cannot use. Each case runs manage.py in a fresh process, because
settings are read from the environment once, at start-up."""
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = REPO_ROOT / "abm_platform" / "settings.py"


def settings_env_names() -> set[str]:
    """Every environment variable abm_platform/settings.py reads (through abm_platform/env.py)."""
    source = SETTINGS_SOURCE.read_text()
    names = set(re.findall(r"\benv_(?:str|bool|int|list)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    if "dj_database_url.config(" in source:  # reads DATABASE_URL itself
        names.add("DATABASE_URL")
    return names


def clean_environ() -> dict[str, str]:
    """This process's environment without anything settings read (CI sets DATABASE_URL and
    friends) or the test-only DJANGO_ALLOW_ASYNC_UNSAFE."""
    from os import environ

    dropped = settings_env_names() | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    return {key: value for key, value in environ.items() if key not in dropped}


def production_env(**overrides: str) -> dict[str, str]:
    env = clean_environ()
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 random characters
        ALLOWED_HOSTS="abm.example.com",
        CSRF_TRUSTED_ORIGINS="https://abm.example.com",
    )
    env.update(overrides)
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def check_ids(output: str) -> set[str]:
    """The system-check ids (e.g. security.W008) a `check` run reported."""
    return set(re.findall(r"\(([a-z_]+\.[WE]\d{3})\)", output))


def test_it_passes_the_deploy_check_with_production_settings():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 60

    done = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNINGS" not in output
    assert check_ids(output) == set()
    assert "no issues" in output


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"DEBUG": "1"}, "security.W018"),
    ({"SECRET_KEY": "too-short-to-sign-anything"}, "security.W009"),
    ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
])
def test_the_deploy_check_catches_a_weakened_production_setting(overrides, expected):
    """The clean result above comes from the settings, not from a check that cannot fail."""
    done = run_manage(production_env(**overrides), "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode != 0
    assert expected in check_ids(done.stdout + done.stderr)


def test_it_refuses_a_debug_value_it_cannot_read():
    done = run_manage(production_env(DEBUG="maybe"), "check")

    assert done.returncode != 0
    assert "ImproperlyConfiguredEnv" in done.stderr
    assert "DEBUG='maybe' is not a boolean" in done.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = production_env()
    del env["SECRET_KEY"]

    done = run_manage(env, "check")

    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_it_refuses_a_number_it_cannot_read():
    done = run_manage(production_env(SECURE_HSTS_SECONDS="a year"), "check")

    assert done.returncode != 0
    assert "SECURE_HSTS_SECONDS='a year' is not an integer" in done.stderr
