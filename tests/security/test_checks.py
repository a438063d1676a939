"""The project's system checks refuse a deployment without a Content-Security-Policy or with a cookie open to other hosts."""

import pytest
from django.utils.csp import CSP

from core.checks import CSP_MIDDLEWARE, content_security_policy, host_only_cookies

pytestmark = pytest.mark.unit


def test_the_settings_pass():
    assert content_security_policy(None) == []


def test_a_missing_middleware_or_policy_is_an_error(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != CSP_MIDDLEWARE]
    settings.SECURE_CSP = {}

    assert [error.id for error in content_security_policy(None)] == ["kvarter.E001", "kvarter.E002"]


def test_inline_scripts_are_an_error(settings):
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

    assert [error.id for error in content_security_policy(None)] == ["kvarter.E003"]


def test_over_https_every_cookie_must_be_host_only(settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.LANGUAGE_COOKIE_NAME = "django_language"
    settings.KVARTER_TABLET_COOKIE_NAME = "kvarter_tablet_venue"
    settings.KVARTER_DEVICE_COOKIE_NAME = "kvarter_device"
    settings.KVARTER_REPLICA_PIN_COOKIE_NAME = "kvarter_wrote"

    errors = host_only_cookies(None)

    assert [error.id for error in errors] == ["kvarter.E004"] * 4 + ["kvarter.E005"]
    assert "KVARTER_REPLICA_PIN_COOKIE_NAME" in errors[3].msg
    assert "LANGUAGE_COOKIE_NAME" in errors[0].msg
    assert "KVARTER_TABLET_COOKIE_NAME" in errors[1].msg
    assert "KVARTER_DEVICE_COOKIE_NAME" in errors[2].msg


def test_plain_http_development_needs_no_prefix(settings):
    settings.SESSION_COOKIE_SECURE = False

    assert host_only_cookies(None) == []
