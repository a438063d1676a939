"""The tablet in a real browser: Ahmed (the demo leader) counts the youth club, the wifi drops, he keeps going.

Everything he does is queued in the browser first; with the network off the
page still reloads (service worker) and shows his numbers, and once the
network is back the queue reaches the server exactly once.
"""

import datetime as dt
import re
import uuid
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
    # A check-in is a visit too (one definition everywhere): 49 counted + 3 checked in.
    expect(total).to_have_text("52")
    expect(page.locator("#total-parts")).to_have_text("= 49 counted + 3 checked in")
    expect(status).to_have_text(re.compile("15 waiting to sync"))
    expect(status).to_contain_text("Offline since")

    # The page comes back from the service worker, with the queue from IndexedDB.
    response = page.reload()
    assert response is not None and response.from_service_worker
    # The copy cached while online, not a fresh one: the service worker's fetch is offline too.
    assert parsedate_to_datetime(response.headers["date"]) <= went_offline
    expect(total).to_have_text("52")
    expect(status).to_have_text(re.compile("15 waiting to sync"))
    expect(page.locator("#checked-in-count")).to_have_text("3")
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 37

    _go_online(context)
    expect(status).to_have_text(re.compile("All saved"), timeout=20_000)
    expect(total).to_have_text("52")
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
    expect(page.locator("#total-visits")).to_have_text("4")  # 3 counted + Nadia
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


def _open_youth_club(page, visit, sign_in):
    from activities.models import Session

    sign_in(LEADER)
    visit("/attendance/")
    path = page.get_by_role("link", name=re.compile(YOUTH_CLUB)).get_attribute("href")
    visit(path)
    expect(page.locator("#sync-status")).to_have_text(re.compile("All saved"), timeout=15_000)
    return Session.objects.get(pk=int(path.rstrip("/").rsplit("/", 1)[1]))


def _server_counts(session) -> tuple[int, int]:
    from activities.models import Tally

    cells = Tally.objects.filter(session=session)
    return sum(cell.visits for cell in cells), sum(cell.first_visits for cell in cells)


def test_first_visit_this_year_applies_to_the_next_count_only(page, visit, demo_world, browser_problems, sign_in):
    """It used to stick: every later visitor was a first visit until the leader noticed."""
    session = _open_youth_club(page, visit, sign_in)
    toggle = page.get_by_role("button", name="First visit this year")
    note = page.locator("#first-visit-note")
    announcer = page.locator("#tally-announce")

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(note).to_be_visible()
    expect(announcer).to_have_text("First visit this year: on, for the next count only")
    _tap(page, 1)
    # It switched itself off, visibly and audibly; the next visitor is not a first visit.
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(note).to_be_hidden()
    expect(announcer).to_have_text(re.compile(r"^Counted as a first visit this year: .+\. First visit is off again\.$"))
    _tap(page, 2, start=1)
    expect(page.locator("#total-visits")).to_have_text("3")
    expect(page.locator("#total-first")).to_have_text("1")
    screenshot_state = page.locator("#sync-status")
    expect(screenshot_state).to_have_text(re.compile("All saved"), timeout=15_000)
    assert _server_counts(session) == (3, 1)

    # A first visit tapped in the wrong cell: undo takes the two taps back, the
    # second of them the first visit, and gives the toggle back for the right cell.
    page.get_by_role("button", name="Undo").click()
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#total-visits")).to_have_text("1")
    page.get_by_role("button", name="Undo").click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(note).to_be_visible()
    expect(announcer).to_have_text(re.compile(r"First visit this year is on again for the next count\.$"))
    expect(page.locator("#total-visits")).to_have_text("0")
    expect(page.locator("#total-first")).to_have_text("0")
    _tap(page, 2, start=4)
    expect(page.locator("#total-first")).to_have_text("1")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#sync-status")).to_have_text(re.compile("All saved"), timeout=15_000)
    assert _server_counts(session) == (2, 1)
    assert browser_problems == []


def test_a_check_in_is_one_visit_on_the_tablet_and_in_the_reports(
    page, visit, screenshot, demo_world, browser_problems, sign_in
):
    """One definition of a visit: the tablet's total is what the rollup, the report and the dashboard count."""
    from django.db.models import F, Sum

    from activities.models import AttendanceRollup, Session
    from activities.rollup import month_of
    from activities.selectors import session_visits
    from reporting.enums import ScopeKind
    from reporting.figures import report_figures

    session = Session.objects.get(pk=_open_youth_club(page, visit, sign_in).pk)
    activity = session.activity
    Session.objects.filter(pk=session.pk).update(status="held")  # counted in every figure
    cell = AttendanceRollup.objects.filter(activity=activity, month=month_of(session.starts_at))
    programme, year = activity.programme, session.starts_at.year

    def published():
        """What the rollup and the yearly report count for the programme (this session's share is the change)."""
        rollup = cell.aggregate(visits=Sum(F("visits") + F("check_ins")))["visits"] or 0
        report = report_figures(
            scope_kind=ScopeKind.PROGRAMME, scope=programme, year=year, organisation_id=programme.lead_organisation_id
        ).visits
        return rollup, report

    before = published()
    activity.capacity = 6
    activity.save()
    page.reload()
    page.wait_for_load_state("networkidle")

    _tap(page, 4)
    expect(page.locator("#capacity-alert")).to_be_empty()
    page.locator(".roster-button").first.click()
    page.locator(".roster-button").nth(1).click()
    # 6 = 4 counted + 2 checked in: the capacity warning counts them all.
    expect(page.locator("#total-visits")).to_have_text("6")
    expect(page.locator("#total-parts")).to_have_text("= 4 counted + 2 checked in")
    expect(page.locator("#capacity-alert")).to_have_text("Capacity reached: 6 of 6")
    expect(page.locator("#sync-status")).to_have_text(re.compile("All saved"), timeout=15_000)
    screenshot("attendance-total-with-check-ins")

    assert session_visits(session_ids=[session.pk])[session.pk].total == 6
    after = published()
    assert (after[0] - before[0], after[1] - before[1]) == (6, 6)
    assert browser_problems == []


def _poison(page, session, at, *, seq_after_taps: int):
    """A tap queued by an older version of the page: its time has no UTC offset, which the server refuses."""
    user = page.evaluate("JSON.parse(document.getElementById('attendance-config').textContent).user")
    band = int(page.locator(".tally-button").first.get_attribute("data-band"))
    record = {
        "id": str(uuid.uuid4()),
        "user": user,
        "event": {
            "id": None,
            "session": session.pk,
            "kind": "tally",
            "at": at,
            "payload": {"age_band": band, "gender": "F", "visits": 1, "first_visits": 0},
        },
    }
    record["event"]["id"] = record["id"]
    # In the queue's order (seq), between the taps already queued and the next ones.
    page.evaluate(
        """async ({record, after}) => {
            const db = await new Promise((resolve, reject) => {
                const request = indexedDB.open("kvarter-attendance", 1);
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
            });
            const all = await new Promise((resolve) => {
                const request = db.transaction("queue").objectStore("queue").getAll();
                request.onsuccess = () => resolve(request.result.sort((a, b) => a.seq - b.seq));
            });
            record.seq = all[after - 1].seq + 1;
            await new Promise((resolve, reject) => {
                const tx = db.transaction("queue", "readwrite");
                tx.objectStore("queue").put(record);
                tx.oncomplete = resolve;
                tx.onerror = () => reject(tx.error);
            });
            db.close();
        }""",
        {"record": record, "after": seq_after_taps},
    )
    return record["id"]


def test_a_poisoned_event_is_set_aside_and_the_others_are_saved_offline_and_online(
    page, context, visit, screenshot, demo_world, browser_problems, sign_in
):
    """One bad event used to stop the tablet: a 5xx was resent for ever, a 400 dropped the whole batch."""
    from activities.models import AttendanceEvent
    from core.models import AuditLogEntry

    session = _open_youth_club(page, visit, sign_in)
    status = page.locator("#sync-status")
    total = page.locator("#total-visits")
    aside = page.get_by_role("region", name="Not saved")

    # Offline: two taps, an old page's malformed tap, two more taps.
    _go_offline(context)
    _tap(page, 2)
    expect(status).to_have_text(re.compile("^2 waiting to sync"))  # both in IndexedDB
    poison = _poison(page, session, "2026-03-05T15:30:00", seq_after_taps=2)
    _tap(page, 2, start=2)
    expect(status).to_have_text(re.compile("^4 waiting to sync"))  # the page's own four, stored
    page.reload()  # the queue as the tablet keeps it, old tap included
    expect(status).to_have_text(re.compile("^5 waiting to sync"))
    _go_online(context)

    # The server names the bad one; it is set aside, the four taps are saved.
    expect(status).to_have_text(re.compile(r"^All saved · 1 not saved"), timeout=20_000)
    expect(total).to_have_text("4")
    expect(aside).to_be_visible()
    expect(aside.get_by_role("listitem")).to_have_text(
        re.compile(
            r"^Count: 0–12 female \(15:30\) The server could not read this change\. tally\.at: must be a date .+"
        )
    )
    expect(page.locator("#sync-problems")).to_have_text(
        "1 change could not be saved. It is kept on this tablet and listed below."
    )
    assert _server_counts(session) == (4, 0)
    assert not AttendanceEvent.objects.filter(client_id=poison).exists()
    refusal = AuditLogEntry.objects.get(action="attendance.refused")
    assert list(refusal.changes["refused"]) == [poison]
    check_accessibility(page)  # the list and its buttons, as they appeared
    screenshot("attendance-set-aside")

    # Online, a server that fails on one event (a bug): it is found, set aside, the rest go through.
    def break_on_boom(route):
        if "BOOM" in (route.request.post_data or ""):
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")
        else:
            route.continue_()

    context.route("**/api/attendance/sync", break_on_boom)
    _tap(page, 1, start=4)
    page.get_by_label("New note").fill("BOOM: the projector fell over")
    page.get_by_role("button", name="Save note").click()
    _tap(page, 2, start=5)
    expect(status).to_have_text(re.compile(r"^All saved · 2 not saved"), timeout=30_000)
    expect(total).to_have_text("7")
    expect(aside.get_by_role("listitem").nth(1)).to_have_text(
        re.compile(r"^Note: BOOM: the projector fell over \(\d\d:\d\d\) The server failed on this change")
    )
    assert _server_counts(session) == (7, 0)
    assert not AttendanceEvent.objects.filter(session=session, kind="note").exists()

    # The server is mended: "Try again" sends the note; the old tap stays refused.
    context.unroute("**/api/attendance/sync")
    aside.get_by_role("button", name="Try again").click()
    expect(status).to_have_text(re.compile(r"^All saved · 1 not saved"), timeout=20_000)
    expect(page.locator("#note-list")).to_contain_text("BOOM: the projector fell over")
    assert AttendanceEvent.objects.filter(session=session, kind="note").count() == 1
    assert _server_counts(session) == (7, 0)
    # The refusals and the mock 500s are the only failed requests.
    assert {problem.split(" ")[0] for problem in browser_problems if "api/attendance/sync" in problem} <= {"400", "500"}
    assert [problem for problem in browser_problems if "api/attendance/sync" not in problem] == []


def test_a_long_queue_goes_in_batches_under_the_servers_limits(
    settings, page, context, visit, demo_world, browser_problems, sign_in
):
    """1,000 notes of 2,000 Cyrillic characters (about 4 MB) fit the schema's limits but not one request body."""
    from activities.models import AttendanceEvent

    session = _open_youth_club(page, visit, sign_in)
    bodies: list[int] = []
    page.on(
        "request",
        lambda request: (
            bodies.append(len(request.post_data_buffer or b"")) if "api/attendance/sync" in request.url else None
        ),
    )
    _go_offline(context)
    page.evaluate(
        """async ({session, user}) => {
            const db = await new Promise((resolve, reject) => {
                const request = indexedDB.open("kvarter-attendance", 1);
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
            });
            const tx = db.transaction("queue", "readwrite");
            const text = "Ребята играли в настольный теннис. ".repeat(56).slice(0, 2000);
            for (let index = 0; index < 1000; index++) {
                const id = crypto.randomUUID();
                const event = {id: id, session: session, kind: "note", at: new Date().toISOString(), payload: {text: text, incident: false}};
                tx.objectStore("queue").put({id: id, seq: index, user: user, event: event});
            }
            await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
            db.close();
        }""",
        {
            "session": session.pk,
            "user": page.evaluate("JSON.parse(document.getElementById('attendance-config').textContent).user"),
        },
    )
    page.reload()
    expect(page.locator("#sync-status")).to_have_text(re.compile("^1000 waiting to sync"))
    _go_online(context)

    expect(page.locator("#sync-status")).to_have_text(re.compile("^All saved$"), timeout=60_000)
    assert AttendanceEvent.objects.filter(session=session, kind="note").count() == 1000
    assert len(bodies) >= 2
    assert max(bodies) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert browser_problems == []


def test_a_server_that_fails_on_everything_is_waited_for_and_nothing_is_set_aside(
    page, context, visit, demo_world, browser_problems, sign_in
):
    """Only an event that fails while others go through is set aside; an outage is just waited out."""
    session = _open_youth_club(page, visit, sign_in)
    status = page.locator("#sync-status")
    context.route(
        "**/api/attendance/sync",
        lambda route: route.fulfill(status=503, content_type="text/html", body="<h1>Service Unavailable</h1>"),
    )

    _tap(page, 3)
    expect(status).to_have_text(re.compile(r"^3 waiting to sync · Could not reach the server"), timeout=10_000)
    page.wait_for_timeout(4000)  # halving down to one event, then waiting, more than once
    _tap(page, 2, start=3)
    page.wait_for_timeout(2000)
    expect(status).to_have_text(re.compile(r"^5 waiting to sync"))
    expect(page.get_by_role("region", name="Not saved")).to_be_hidden()

    context.unroute("**/api/attendance/sync")
    _tap(page, 1, start=5)  # the next tap sends at once, whatever the pause
    expect(status).to_have_text(re.compile("^All saved$"), timeout=30_000)
    assert _server_counts(session) == (6, 0)
    assert [problem for problem in browser_problems if "api/attendance/sync" not in problem] == []


def test_every_age_band_fits_on_a_landscape_tablet(page, visit, demo_world, sign_in):
    """Was: on a 1024 × 768 tablet held sideways the 65+ row was below the fold."""
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(LEADER)
    visit("/attendance/")
    visit(page.get_by_role("link", name=re.compile(YOUTH_CLUB)).get_attribute("href"))

    rows = page.locator(".tally-row")
    assert rows.count() >= 5
    last = rows.last.bounding_box()
    assert last is not None
    assert last["y"] + last["height"] <= 768, f"the last age band ends at {last['y'] + last['height']:.0f} px"
    # Still big enough to hit with a finger (house style: 48 px).
    assert page.locator(".tally-button").last.bounding_box()["height"] >= 48
