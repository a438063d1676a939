"""Simulated tablets for bench/load_bench.py (run by it: `locust -f bench/locustfile.py --headless ...`).

Each user is one venue's tablet: it signs in once as its own leader (the real
allauth form), then, every 1-3 seconds (BENCH_LOAD_WAIT="1,3"), syncs a few
tally taps for its session, reads the session's state, today's sessions, or
opens the today page or the session page, as the tablet's JavaScript does.

KVARTER_BENCH_TABLETS names a JSON file of {email, password, session, band};
every request's name, time, status and error goes to KVARTER_BENCH_SAMPLES
(JSON lines), from which load_bench.py computes exact percentiles.
"""

import datetime as dt
import itertools
import json
import os
import random
import time
import uuid

from locust import HttpUser, between, events, task

TABLETS = json.loads(open(os.environ["KVARTER_BENCH_TABLETS"]).read())  # noqa: SIM115
SAMPLES = open(os.environ["KVARTER_BENCH_SAMPLES"], "w")  # noqa: SIM115
WAIT = [float(value) for value in os.environ.get("BENCH_LOAD_WAIT", "1,3").split(",")]
_tablets = itertools.count()


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, response=None, **kwargs):  # type: ignore[no-untyped-def]
    status = getattr(response, "status_code", 0)
    SAMPLES.write(
        json.dumps(
            {"at": time.time(), "name": name, "ms": response_time, "status": status, "error": str(exception or "")}
        )
        + "\n"
    )


@events.quitting.add_listener
def close(environment, **kwargs):  # type: ignore[no-untyped-def]
    SAMPLES.close()


class Tablet(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        me = TABLETS[next(_tablets) % len(TABLETS)]
        self.session, self.band = me["session"], me["band"]
        self.client.get("/accounts/login/", name="sign in: form")
        with self.client.post(
            "/accounts/login/",
            data={"login": me["email"], "password": me["password"], "csrfmiddlewaretoken": self.csrf},
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(4)
    def sync(self) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        taps = [
            {
                "id": str(uuid.uuid4()),
                "session": self.session,
                "kind": "tally",
                "at": now,
                "payload": {"age_band": self.band, "gender": random.choice("FMX"), "visits": 1, "first_visits": 0},  # noqa: S311
            }
            for _ in range(random.randint(1, 5))  # noqa: S311
        ]
        with self.client.post(
            "/api/attendance/sync",
            json={"device": "locust", "sent_at": now, "events": taps},
            headers={"X-CSRFToken": self.csrf},
            name="POST /api/attendance/sync",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"sync answered {answer.status_code}: {answer.error or answer.text[:200]}")
            elif {result["status"] for result in answer.json()["results"]} != {"accepted"}:
                answer.failure(f"events not accepted: {answer.text[:200]}")

    def get(self, path: str, name: str) -> None:
        # No redirects: a signed-out tablet would land on the sign-in page with a 200.
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"answered {answer.status_code} {answer.error or ''}".strip())

    @task(3)
    def state(self) -> None:
        self.get(f"/api/attendance/sessions/{self.session}", "GET /api/attendance/sessions/<id>")

    @task(1)
    def today_api(self) -> None:
        self.get("/api/attendance/sessions/today", "GET /api/attendance/sessions/today")

    @task(1)
    def today_page(self) -> None:
        self.get("/attendance/", "GET /attendance/ (today page)")

    @task(1)
    def session_page(self) -> None:
        self.get(f"/attendance/sessions/{self.session}/", "GET /attendance/sessions/<id>/ (page)")
