"""Two tablets syncing at once against the SQLite demo: both are answered, and every tap counts once.

The demo runs as `make demo` runs it, whatever database the rest of the suite
uses: local settings, an embedded SQLite file, `runserver` answering each
request on a thread of its own. Two tablets sign in as Ahmed (the demo
leader), send their taps in batches at the same moment, then each replays the
other's whole queue, as tablets do after a dropped connection. Before the
database waited for writers in turn (WAL and a busy timeout), the loser of
such a race got a 500 ("database is locked").
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEADER = "leader@demo.kvarter.example"
BATCHES, TAPS = 12, 40

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo on a fresh SQLite file, migrated, seeded and served; its base URL."""
    directory = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{directory / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(directory / "media"),
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)  # tasks in-process, as in `make demo`
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log = (directory / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)  # noqa: S310 - our own server on loopback
                break
            except OSError:
                time.sleep(0.1)
        yield {"url": url, "log": directory / "server.log"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


class Tablet:
    """A browser as the tablet is one: a cookie jar, the CSRF header, JSON to the sync API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=30) as response:
            return response.read().decode()

    def sign_in(self, email: str) -> None:
        self.get("/accounts/login/")
        form = urllib.parse.urlencode(
            {"login": email, "password": "kvarter-demo", "csrfmiddlewaretoken": self._csrf()}
        ).encode()
        self.opener.open(self.url + "/accounts/login/", data=form, timeout=30).read()
        assert any(cookie.name == "sessionid" for cookie in self.cookies), "not signed in"

    def sync(self, events: list[dict]) -> tuple[int, dict]:
        body = {"device": f"tablet-{id(self)}", "sent_at": datetime.now(UTC).isoformat(), "events": events}
        request = urllib.request.Request(  # noqa: S310 - our own server on loopback
            self.url + "/api/attendance/sync",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self._csrf()},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {"detail": error.read().decode()[:300]}


def _taps(session: int, bands: list[int], count: int) -> list[dict]:
    now = datetime.now(UTC).isoformat()
    return [
        {
            "id": str(uuid.uuid4()),
            "session": session,
            "kind": "tally",
            "at": now,
            "payload": {
                "age_band": bands[index % len(bands)],
                "gender": "FMX"[index % 3],
                "visits": 1,
                "first_visits": 0,
            },
        }
        for index in range(count)
    ]


def _at_once(*jobs):
    """Run the jobs on threads released together; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_tablets_sync_at_once_on_the_sqlite_demo_and_every_tap_counts_once(demo):
    first, second = Tablet(demo["url"]), Tablet(demo["url"])
    for tablet in (first, second):
        tablet.sign_in(LEADER)
    session = json.loads(first.get("/api/attendance/sessions/today"))["sessions"][0]["id"]
    page = first.get(f"/attendance/sessions/{session}/")
    bands = [band["id"] for band in json.loads(re.search(r'id="attendance-bands"[^>]*>(.*?)</script>', page)[1])]
    visits_before = json.loads(first.get(f"/api/attendance/sessions/{session}"))["visits"]
    queues = [[_taps(session, bands, TAPS) for _ in range(BATCHES)] for _ in (first, second)]

    def send_all(tablet, batches):
        return [tablet.sync(batch) for batch in batches]

    # Both tablets empty their queues at the same moment, batch after batch ...
    answers = _at_once(lambda: send_all(first, queues[0]), lambda: send_all(second, queues[1]))
    # ... then each sends the other's whole queue again (a replay after a lost answer).
    replays = _at_once(
        lambda: first.sync([event for batch in queues[1] for event in batch]),
        lambda: second.sync([event for batch in queues[0] for event in batch]),
    )

    statuses = [status for tablet in answers for status, _ in tablet] + [status for status, _ in replays]
    assert statuses == [200] * (2 * BATCHES + 2), [
        body.get("detail") for tablet in answers for status, body in tablet if status != 200
    ] + demo["log"].read_text()[-2000:].splitlines()
    assert {result["status"] for tablet in answers for _, body in tablet for result in body["results"]} == {"accepted"}
    assert {result["status"] for _, body in replays for result in body["results"]} == {"duplicate"}
    state = json.loads(second.get(f"/api/attendance/sessions/{session}"))
    assert state["visits"] - visits_before == 2 * BATCHES * TAPS
