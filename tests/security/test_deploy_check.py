"""`manage.py check --deploy` with the production settings: no warnings, and no silenced ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_URL"))
        },
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-1234567890",
        "ALLOWED_HOSTS": "kvarter.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.integration
def test_the_production_settings_pass_the_deploy_checks(tmp_path):
    result = _check(tmp_path, EMAIL_URL="smtp://mail.kvarter.example:587/?tls=True")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.integration
def test_production_refuses_the_console_mailer(tmp_path):
    result = _check(tmp_path)  # EMAIL_URL unset: the development default

    assert result.returncode != 0
    assert "mail.E001" in result.stderr
