"""Tablets for bench/capacity_bench.py: each sends one tally event every 10 s (BENCH_CAPACITY_PACE).

Run by capacity_bench.py (`locust -f bench/capacity_locustfile.py --headless ...`).
KVARTER_BENCH_TABLETS names a JSON file of {cookie, csrf, session, band}: each
tablet is already signed in (its own leader, its own session cookie), as a tablet
is all evening; signing in is measured by load_bench.py, not here. A tablet
starts at a random moment of its first interval, so the fleet's requests are
spread over time as real tablets' are, and keeps its connection open
(keep-alive) between events, as a browser does.
"""

import datetime as dt
import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, events, task

TABLETS = json.loads(open(os.environ["KVARTER_BENCH_TABLETS"]).read())  # noqa: SIM115
SAMPLES = open(os.environ["KVARTER_BENCH_SAMPLES"], "w")  # noqa: SIM115
PACE = float(os.environ.get("BENCH_CAPACITY_PACE", "10"))
_tablets = itertools.count()


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, response=None, **kwargs):  # type: ignore[no-untyped-def]
    SAMPLES.write(json.dumps({"at": time.time(), "ms": response_time, "error": str(exception or "")}) + "\n")


@events.quitting.add_listener
def close(environment, **kwargs):  # type: ignore[no-untyped-def]
    SAMPLES.close()


class Tablet(FastHttpUser):
    # A tablet waits for its answer as long as it takes; a slow answer is measured, not cut off.
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        me = TABLETS[next(_tablets) % len(TABLETS)]
        self.session, self.band = me["session"], me["band"]
        self.headers = {"Cookie": me["cookie"], "X-CSRFToken": me["csrf"], "Content-Type": "application/json"}
        time.sleep(random.uniform(0, PACE))  # noqa: S311
        self.due = time.monotonic()

    def wait_time(self) -> float:
        # Each tablet keeps its own phase, as its own timer would: event k is due
        # at start + k x pace. (Locust's constant_pacing counted the random start
        # above as the first event's run time, so after one interval every tablet
        # fired in the same instant: a thundering herd no real fleet makes, which
        # an earlier capacity run measured as queueing.) An answer slower than the
        # pace sends the next event at once, as a tablet with a queue would.
        self.due += PACE
        return max(0.0, self.due - time.monotonic())

    @task
    def sync(self) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        tap = {
            "id": str(uuid.uuid4()),
            "session": self.session,
            "kind": "tally",
            "at": now,
            "payload": {"age_band": self.band, "gender": random.choice("FMX"), "visits": 1, "first_visits": 0},  # noqa: S311
        }
        with self.client.post(
            "/api/attendance/sync",
            data=json.dumps({"device": "capacity", "sent_at": now, "events": [tap]}),
            headers=self.headers,
            name="sync",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"sync answered {answer.status_code}: {(answer.text or '')[:200]}")
            elif '"accepted"' not in (answer.text or ""):
                answer.failure(f"event not accepted: {(answer.text or '')[:200]}")
