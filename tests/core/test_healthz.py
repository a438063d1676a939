import pytest


@pytest.mark.django_db
def test_healthz_is_ok_when_everything_is_up(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "detail": "applied"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_reports_redis_down_with_503(client, settings, caplog):
    # Nothing listens on port 1: a refused connection, as when Redis has stopped.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    # Django logs every 5xx; here it is the expected signal for monitoring.
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == ["Service Unavailable: /healthz"]
    caplog.clear()


@pytest.mark.django_db
@pytest.mark.integration
def test_healthz_checks_a_real_redis_when_configured(client, settings):
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set: runs in CI against the real Redis")
    settings.REDIS_URL = url

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"ok": True, "detail": "ok"}


@pytest.mark.django_db
def test_healthz_reports_unapplied_migrations(client, caplog):
    from django.db.migrations.recorder import MigrationRecorder

    # Forget that one migration ran (rolled back with the test's transaction):
    # as after deploying code whose migrations were not applied yet.
    MigrationRecorder.Migration.objects.filter(app="reporting").delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["ok"] is False
    caplog.clear()  # the expected "Service Unavailable" log line


@pytest.mark.django_db
def test_health_is_in_the_openapi_schema(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert "/api/health" in response.json()["paths"]


@pytest.mark.django_db
def test_healthz_answers_a_check_by_address_over_plain_http(client, settings):
    # As in production behind the proxy: a real host name, HTTPS enforced. The
    # container's health check and the proxy ask by address over plain HTTP.
    settings.REDIS_URL = ""
    settings.ALLOWED_HOSTS = ["kvarter.example"]
    settings.SECURE_SSL_REDIRECT = True

    for host in ("127.0.0.1:8000", "10.89.0.5:8000"):
        response = client.get("/healthz", HTTP_HOST=host)

        assert response.status_code == 200, host
        assert response.json()["ok"] is True


@pytest.mark.django_db
def test_only_healthz_skips_the_host_check(client, settings, caplog):
    settings.ALLOWED_HOSTS = ["kvarter.example"]

    assert client.get("/", HTTP_HOST="10.89.0.5:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="10.89.0.5:8000").status_code == 400
    assert client.post("/healthz", HTTP_HOST="10.89.0.5:8000").status_code == 400
    caplog.clear()  # Django logs each DisallowedHost: expected here
