"""The tablet in a real browser: Ahmed (the demo leader) counts the youth club, the wifi drops, he keeps going.

Everything he does is queued in the browser first; with the network off the
page still reloads (service worker) and shows his numbers, and once the
network is back the queue reaches the server exactly once.
"""

import datetime as dt
import re
from email.utils import parsedate_to_datetime

import pytest
from playwright.sync_api import expect

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)

LEADER = "leader@demo.kvarter.example"
YOUTH_CLUB = "Ungdomsgården Bäckbyhuset"


@pytest.fixture
def browser_problems(page):
    """Content-Security-Policy violations and script errors, which must not happen."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            # Failed requests are checked below by URL: offline they are expected.
            or (message.type == "error" and not message.text.startswith("Failed to load resource"))
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
    return problems


def _go_offline(context):
    context.set_offline(True)
    # Belt and braces: in rare runs a document that has just been reloaded got
    # one request out before Chromium applied the offline emulation to it.
    # Refusing the API as well keeps the test about the page, not that race.
    context.route("**/api/**", lambda route: route.abort("internetdisconnected"))


def _go_online(context):
    context.unroute("**/api/**")
    context.set_offline(False)


def _tap(page, count, start=0):
    buttons = page.locator(".tally-button")
    cells = buttons.count()
    for index in range(start, start + count):
        buttons.nth(index % cells).click()


def test_a_leader_counts_and_checks_in_through_a_wifi_outage(
    page,
    context,
    visit,
    screenshot,
    demo_world,
    browser_problems,
    sign_in,
):
    from activities.models import CheckIn, Session, Tally

    page.set_viewport_size({"width": 800, "height": 1280})
    sign_in(LEADER)

    visit("/attendance/")
    expect(page.get_by_role("heading", name="Today's sessions")).to_be_visible()
    card = page.get_by_role("link", name=re.compile(YOUTH_CLUB))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Mobila team")
    screenshot("attendance-today")

    path = card.get_attribute("href")
    session = Session.objects.get(pk=int(path.rstrip("/").rsplit("/", 1)[1]))
    visit(path)
    status = page.locator("#sync-status")
    total = page.locator("#total-visits")

    # 37 visitors, spread over every age band and gender.
    _tap(page, 37)
    expect(total).to_have_text("37")
    expect(status).to_have_text(re.compile("All saved"), timeout=15_000)
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 37
    screenshot("attendance-session-portrait")

    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot("attendance-session-landscape")

    went_offline = dt.datetime.now(dt.UTC).replace(microsecond=0)
    _go_offline(context)
    _tap(page, 12, start=37)
    for button in page.locator(".roster-button").all()[:3]:
        button.click()
    expect(total).to_have_text("49")
    expect(status).to_have_text(re.compile("15 waiting to sync"))
    expect(status).to_contain_text("Offline since")

    # The page comes back from the service worker, with the queue from IndexedDB.
    response = page.reload()
    assert response is not None and response.from_service_worker
    # The copy cached while online, not a fresh one: the service worker's fetch is offline too.
    assert parsedate_to_datetime(response.headers["date"]) <= went_offline
    expect(total).to_have_text("49")
    expect(status).to_have_text(re.compile("15 waiting to sync"))
    expect(page.locator("#checked-in-count")).to_have_text("3")
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 37

    _go_online(context)
    expect(status).to_have_text(re.compile("All saved"), timeout=20_000)
    expect(total).to_have_text("49")
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 49
    assert CheckIn.objects.filter(session=session).count() == 3
    assert browser_problems == []


def test_a_leader_registers_a_newcomer_takes_notes_and_closes_the_session(
    page,
    context,
    visit,
    demo_world,
    browser_problems,
    sign_in,
):
    from django.utils import timezone

    from activities.enums import SessionStatus
    from activities.models import AttendanceEvent, CheckIn, Participant, Session, Tally

    sign_in(LEADER)
    visit("/attendance/")
    path = page.get_by_role("link", name=re.compile(YOUTH_CLUB)).get_attribute("href")
    session = Session.objects.get(pk=int(path.rstrip("/").rsplit("/", 1)[1]))
    visit(path)
    status = page.locator("#sync-status")

    # Two taps, then a first visit that was a mistake: undo takes back exactly that one.
    _tap(page, 2)
    first_visit = page.get_by_role("button", name="First visit this year")
    first_visit.click()
    expect(first_visit).to_have_attribute("aria-pressed", "true")
    _tap(page, 1, start=2)
    expect(page.locator("#total-first")).to_have_text("1")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#total-visits")).to_have_text("2")
    expect(page.locator("#total-first")).to_have_text("0")

    # A 14-year-old registers while the wifi is down, and leaves again before it is back.
    _go_offline(context)
    page.get_by_text("New participant").click()
    page.get_by_label("First name or alias").fill("Nadia")
    page.get_by_label("Birth year").fill(str(timezone.localdate().year - 14))
    page.get_by_label("The participant agrees to being registered").check()
    page.get_by_role("button", name="Register and check in").click()
    expect(page.locator("#np-guardian-error")).to_have_text("Under 18: the guardian's consent is required.")
    page.get_by_label("A guardian has consented").check()
    page.get_by_role("button", name="Register and check in").click()
    # Registered (the form has let go of the focus) before typing elsewhere.
    expect(page.get_by_role("button", name="Check out Nadia")).to_be_visible()
    page.get_by_label("Search by first name or code").fill("nad")
    expect(page.locator(".roster-item")).to_have_count(1)
    page.get_by_role("button", name="Check out Nadia").click()
    expect(page.locator(".roster-item")).to_contain_text("Checked out")
    _go_online(context)

    page.get_by_label("New note").fill("Fire alarm test at 18:30, everyone outside for ten minutes.")
    page.get_by_label("This was an incident").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-list")).to_contain_text("Fire alarm test")
    page.get_by_label("Ahmed Hassan").check()
    page.get_by_role("button", name="Mark as held").click()
    expect(page.locator("#session-status")).to_have_text("Held")
    expect(status).to_have_text(re.compile("All saved"), timeout=20_000)

    nadia = Participant.objects.get(alias="Nadia")
    assert nadia.guardian_consent is True
    check_in = CheckIn.objects.get(session=session)
    assert check_in.participant == nadia
    assert check_in.checked_out_at is not None
    cells = Tally.objects.filter(session=session)
    assert (sum(cell.visits for cell in cells), sum(cell.first_visits for cell in cells)) == (2, 0)
    note = AttendanceEvent.objects.get(session=session, kind="note")
    assert note.payload == {"text": "Fire alarm test at 18:30, everyone outside for ten minutes.", "incident": True}
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    assert [user.email for user in session.leaders_present.all()] == [LEADER]

    # Signed out behind his back (session expired): the tap waits until he signs in again.
    context.clear_cookies()
    _tap(page, 1)
    expect(status).to_have_text(re.compile("1 waiting to sync · Sign in again to sync"))
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email").fill(LEADER)
    page.get_by_label("Password").fill("kvarter-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")
    expect(status).to_have_text(re.compile("All saved"), timeout=20_000)
    expect(page.locator("#total-visits")).to_have_text("3")
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 3
    # The one refusal was the sync while signed out (403: no session, so no CSRF either).
    assert [problem.split(" ")[0] + " " + problem.split("/", 3)[3] for problem in browser_problems] == [
        "403 api/attendance/sync"
    ]


def test_the_tablet_remembers_its_venue_for_the_next_sign_in(
    page, visit, screenshot, demo_world, browser_problems, sign_in
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(LEADER)
    visit("/attendance/")

    page.get_by_text("Set up this tablet for a venue").click()
    page.get_by_label("Venue").select_option(label="Bäckbyhuset")
    page.get_by_role("button", name="Remember this tablet").click()
    expect(page.get_by_role("heading", name="This tablet is at Bäckbyhuset")).to_be_visible()
    check_accessibility(page)
    expect(
        page.get_by_role("list", name="Bäckbyhuset").get_by_role("link", name=re.compile(YOUTH_CLUB))
    ).to_be_visible()
    screenshot("attendance-tablet-venue")

    page.get_by_role("button", name="Sign out").click()
    visit("/accounts/login/")
    expect(page.get_by_text("This tablet is at Bäckbyhuset.")).to_be_visible()
    sign_in(LEADER)
    visit("/attendance/")
    page.get_by_role("button", name="Forget this venue").click()
    expect(page.get_by_text("This tablet no longer remembers a venue.")).to_be_visible()
    expect(page.get_by_role("heading", name="This tablet is at Bäckbyhuset")).to_have_count(0)
    assert browser_problems == []
