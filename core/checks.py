"""Kvarter's own system checks: the protections a security officer asks about must not be switched off silently."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"


@register(Tags.security, deploy=False)
def content_security_policy(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Every response needs the Content-Security-Policy, without inline scripts."""
    errors = []
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        errors.append(
            Error(
                "The Content-Security-Policy middleware is not installed.",
                id="kvarter.E001",
                hint=f"Add {CSP_MIDDLEWARE} to MIDDLEWARE.",
            )
        )
    policy = getattr(settings, "SECURE_CSP", None) or {}
    if not policy:
        errors.append(
            Error("SECURE_CSP is empty: pages would go out without a Content-Security-Policy.", id="kvarter.E002")
        )
    elif "'unsafe-inline'" in policy.get("script-src", []) or "unsafe-inline" in str(policy.get("script-src", "")):
        errors.append(
            Error(
                "SECURE_CSP allows inline scripts ('unsafe-inline' in script-src).",
                id="kvarter.E003",
                hint="Use the CSP nonce for the few scripts that need to be inline.",
            )
        )
    return errors


HOST_ONLY_COOKIES = (
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_NAME",
    "KVARTER_TABLET_COOKIE_NAME",
    "KVARTER_DEVICE_COOKIE_NAME",
    "KVARTER_REPLICA_PIN_COOKIE_NAME",
)


@register(Tags.security, deploy=True)
def host_only_cookies(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Over HTTPS every cookie Kvarter sets is `__Host-`: Secure, this host only,
    path /, so a sibling subdomain cannot plant or read one (ASVS 3.3.1, 3.3.3)."""
    if not settings.SESSION_COOKIE_SECURE:
        return []  # plain-HTTP development: browsers refuse __Host- cookies without Secure
    errors = [
        Error(f"{name} is {getattr(settings, name)!r}, without the __Host- prefix.", id="kvarter.E004")
        for name in HOST_ONLY_COOKIES
        if not getattr(settings, name).startswith("__Host-")
    ]
    if not settings.LANGUAGE_COOKIE_SECURE:
        errors.append(Error("LANGUAGE_COOKIE_SECURE is off while the session cookie is Secure.", id="kvarter.E005"))
    return errors
