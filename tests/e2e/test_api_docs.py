"""/api/docs in a real browser: Swagger UI from our own static files, under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_documentation_works_under_the_content_security_policy(page, visit, screenshot):
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            # Failed requests are checked by URL below (the browser asks for /favicon.ico on its own).
            if message.type in ("error", "warning") and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    response = visit("/api/docs")

    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Kvarter API")).to_be_visible()
    expect(page.get_by_text("Apply a tablet's queued attendance events, each exactly once")).to_be_visible()
    screenshot("api-docs")
    # No Content-Security-Policy violation, no script error, nothing missing.
    assert problems == []
    # Nothing from elsewhere: no CDN, no fonts, no telemetry.
    origin = page.url.split("/api/")[0]
    assert [url for url in requests if not url.startswith(origin)] == []
