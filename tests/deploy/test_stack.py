"""The production stack as written: docker-compose.yml, the settings it passes, and their documentation.

What these check can be read off the files; that the stack really starts and
serves is `make deploy-smoke` (scripts/deploy_smoke.py, run in CI).
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ["migrate", "web", "worker", "reports", "beat"]

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_the_proxy_publishes_ports(compose):
    published = {name: service.get("ports") for name, service in compose["services"].items() if service.get("ports")}

    assert list(published) == ["proxy"]
    assert published["proxy"] == ["${KVARTER_HTTP_PORT:-80}:80", "${KVARTER_HTTPS_PORT:-443}:443"]
    # The web replicas are reachable from the proxy, the database only from the app.
    assert compose["services"]["web"]["networks"] == ["frontend", "backend"]
    assert compose["services"]["proxy"]["networks"] == ["frontend"]
    assert compose["services"]["db"]["networks"] == compose["services"]["redis"]["networks"] == ["backend"]


def test_every_app_service_reads_the_one_env_file_and_writes_only_media(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == "${KVARTER_ENV_FILE:-.env}", name
        assert service["read_only"] is True, name
        assert service["volumes"] == ["media:/app/media"], name
        assert service["environment"]["TRUSTED_PROXY_COUNT"] == "1", name
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
    assert compose["services"]["proxy"]["env_file"] == "${KVARTER_ENV_FILE:-.env}"


def test_services_wait_for_the_health_of_what_they_need(compose):
    services = compose["services"]
    depends = {name: service.get("depends_on", {}) for name, service in services.items()}

    assert depends["migrate"] == {"db": {"condition": "service_healthy"}}
    for name in ["web", "worker", "reports", "beat"]:
        assert depends[name] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
        }, name
    assert depends["proxy"] == {"web": {"condition": "service_healthy"}}
    for name in ["proxy", "web", "worker", "reports", "db", "redis"]:
        assert services[name]["healthcheck"]["test"], name
    # No obsolete `version:` key; migrations only in the one-off service.
    assert "version" not in compose
    assert all("migrate" not in str(services[name]["command"]) for name in ["web", "worker", "reports", "beat"])


def test_report_and_mail_workers_listen_to_their_own_queues(compose):
    assert "-Q reports" in compose["services"]["reports"]["command"]
    assert "-Q celery,mail" in compose["services"]["worker"]["command"]


def test_tasks_are_routed_to_the_queue_of_their_worker():
    from config.celery import app

    # Celery keeps the routes it read first; the real-worker tests swap them
    # for a queue of their own and leave that cached. Read the settings again.
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    router = app.amqp.router
    queues = {
        name: router.route({}, name)["queue"].name
        for name in [
            "reporting.produce_report",
            "reporting.produce_annual_reports",
            "reporting.send_report_ready",
            "partnerships.send_obligation_reminders",
            "volunteers.send_screening_reminders",
            "volunteers.send_shift_reminders",
            "core.send_message",
            "activities.generate_upcoming_sessions",
            "privacy.apply_retention",
        ]
    }

    assert queues == {
        "reporting.produce_report": "reports",
        "reporting.produce_annual_reports": "reports",
        "reporting.send_report_ready": "mail",
        "partnerships.send_obligation_reminders": "mail",
        "volunteers.send_screening_reminders": "mail",
        "volunteers.send_shift_reminders": "mail",
        "core.send_message": "mail",
        "activities.generate_upcoming_sessions": "celery",
        "privacy.apply_retention": "celery",
    }


def _read_variables() -> set[str]:
    """Every environment variable the settings, gunicorn's config and the compose file read."""
    names: set[str] = set()
    for path in [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "config" / "gunicorn.py"]:
        text = path.read_text()
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    # ${X} is compose's; $${X} is a container shell's own variable.
    names |= set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    names |= set(re.findall(r"\{\$([A-Z][A-Z0-9_]+)", (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()))
    return names


def test_every_variable_is_documented_with_its_default():
    docs = (ROOT / "docs" / "operations.md").read_text()
    configure = docs.split("## Configure", 1)[1].split("\n## ", 1)[0]
    # Every name in the first column of the table.
    documented = {
        name
        for cell in re.findall(r"^\| ([^|]+)\|", configure, re.MULTILINE)
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)
    }
    # Test-only knobs of the test settings are not for operators.
    read = _read_variables() - {"CELERY_TASK_ALWAYS_EAGER", "KVARTER_TEST_MAIL_DIR"}

    assert sorted(read - documented) == []
    # The env file operators start from names the required ones.
    example = (ROOT / ".env.example").read_text()
    required = ["SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "KVARTER_DOMAIN", "ALLOWED_HOSTS"]
    required += ["CSRF_TRUSTED_ORIGINS", "KVARTER_BASE_URL", "EMAIL_URL", "SECURE_SSL_REDIRECT", "ADMINS"]
    assert [name for name in required if not re.search(rf"^#?{name}=", example, re.MULTILINE)] == []
