"""Browser tests in Debian's Chromium, driven by Playwright, with axe-core on every page.

Playwright's own browser download does not work here, so Chromium is launched by
its path. Every page a test visits goes through `visit()`, which runs axe-core
and fails on any WCAG 2.1 A/AA violation.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import connections

from tests.screenshots import SCREENSHOTS

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture(scope="session")
def _close_connections_outside_the_event_loop():
    connections.close_all()


@pytest.fixture(scope="session")
def playwright(_close_connections_outside_the_event_loop, playwright):
    """Playwright, with no database connection left behind on either side of it.

    Playwright's sync API keeps an asyncio loop running in the main thread, and
    Django keeps a thread's connections in context-local storage while a loop
    runs and in plain thread-local storage otherwise (asgiref's Local). So the
    main thread gets a second connection once the browser starts, and the one
    from before becomes unreachable; left open, PostgreSQL refuses to drop the
    test database at the end ("being accessed by other users"). Close the
    connections before the loop starts and again before it stops.
    """
    yield playwright
    connections.close_all()


class _RequestsInFlight:
    """Counts the requests the live server is handling, so teardown can wait for none.

    A page's script may still be syncing when a test ends. Closing the page does
    not stop the live server's thread, whose open transaction then deadlocks
    with the database flush after the test on PostgreSQL. Waiting for the
    server to go quiet first makes the flush safe.
    """

    def __init__(self) -> None:
        self.count = 0
        self.quiet = threading.Condition()

    def started(self, **kwargs) -> None:
        with self.quiet:
            self.count += 1

    def finished(self, **kwargs) -> None:
        with self.quiet:
            self.count -= 1
            self.quiet.notify_all()

    def mark(self) -> int:
        with self.quiet:
            return self.count

    def wait(self, baseline: int, timeout: float = 10) -> None:
        """Wait until the requests started since `baseline` (see mark) have finished.

        The signals are process-wide: a test earlier in this worker that ran
        requests through the WSGI handler without closing them (schemathesis)
        leaves the count above zero for good, so only the page's own count.
        """
        with self.quiet:
            assert self.quiet.wait_for(lambda: self.count <= baseline, timeout), (
                f"{self.count - baseline} requests still running"
            )


_in_flight = _RequestsInFlight()
request_started.connect(_in_flight.started, dispatch_uid="e2e-in-flight-started")
request_finished.connect(_in_flight.finished, dispatch_uid="e2e-in-flight-finished")


@pytest.fixture
def page(context, live_server):
    """Playwright's page, closed (and the live server quiet) before the database is flushed."""
    baseline = _in_flight.mark()
    page = context.new_page()
    yield page
    page.close()
    _in_flight.wait(baseline)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # As root in a container, and with no network beyond loopback: keep
        # Chromium from phoning home (each attempt is refused and slows it down).
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/Stockholm"}


# Nothing of the admin is left out any more: its autocomplete widgets
# (select2) get their names from static/js/admin-a11y.js, and the calendar
# shortcuts' "Today" matches its label in every language we ship.
ADMIN_THIRD_PARTY_WIDGETS: list[str] = []
# Swagger UI (/api/docs, for developers) makes each operation's summary a
# button with buttons inside (nested-interactive); its colours are fixed in
# static/css/api-docs.css, and everything else on the page must pass.
API_DOCS_THIRD_PARTY_WIDGETS = [".opblock-summary-control"]


def check_accessibility(page) -> None:
    # Evaluated through the DevTools protocol rather than as a <script> tag, so
    # the page's strict Content-Security-Policy stays on while axe runs.
    page.evaluate(AXE)
    exclude = (
        ADMIN_THIRD_PARTY_WIDGETS
        if "/admin/" in page.url
        else API_DOCS_THIRD_PARTY_WIDGETS
        if "/api/docs" in page.url
        else []
    )
    result = page.evaluate(
        """async (exclude) => await axe.run(
            {include: [document], exclude: exclude.map((selector) => [selector])},
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}
        )""",
        exclude,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe-core found violations on {page.url}:\n" + "\n".join(violations)


@pytest.fixture
def visit(page, live_server):
    """Open a path on the live server, wait for it, and check it with axe-core."""

    def _visit(path: str):
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        check_accessibility(page)
        return response

    return _visit


@pytest.fixture
def screenshot(page):
    """Save a screenshot (build/screenshots/NAME.png; `make screenshots` for the README's)."""

    def _shot(name: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot


@pytest.fixture
def demo_world():
    """The demo world of the seed texts, as `make demo` shows it."""
    call_command("seed_demo", quiet=True)


@pytest.fixture
def sign_in(page, visit):
    """Sign in with a demo login (password `kvarter-demo`) through the real form."""

    def _sign_in(email: str) -> None:
        visit("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("kvarter-demo")
        page.get_by_role("button", name="Sign in").click()
        # Away from the sign-in page: "**/" alone would match it, and a refused
        # sign-in would only show up steps later.
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _sign_in
