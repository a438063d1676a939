"""The project's system check refuses a deployment without a Content-Security-Policy."""

import pytest
from django.utils.csp import CSP

from core.checks import CSP_MIDDLEWARE, content_security_policy

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
