"""Errors reach the operators: every logged error is mailed to ADMINS, scanners' Host headers are not."""

import logging

import pytest
from django.core import mail


def test_a_logged_error_is_mailed_to_the_admins(settings, caplog):
    settings.ADMINS = ["ops@kvarter.example"]
    settings.SERVER_EMAIL = "Kvarter <noreply@kvarter.example>"

    # As a failed task logs it (reporting.tasks): not a request, no Django logger.
    logging.getLogger("reporting.tasks").error("Report request %s failed", 42)

    assert [(message.to, message.from_email) for message in mail.outbox] == [
        (["ops@kvarter.example"], "Kvarter <noreply@kvarter.example>")
    ]
    assert "Report request 42 failed" in mail.outbox[0].subject
    caplog.clear()  # the error is the point of this test


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_is_logged_but_not_mailed(client, settings, caplog):
    settings.ADMINS = ["ops@kvarter.example"]
    settings.ALLOWED_HOSTS = ["kvarter.example"]

    response = client.get("/", HTTP_HOST="scanner.example")

    assert response.status_code == 400
    assert [record.name for record in caplog.records] == ["django.security.DisallowedHost"]
    assert mail.outbox == []
    caplog.clear()
