"""Reads off a replica (core.replica), against a real streaming PostgreSQL replica.

The session fixture makes a hot standby of the cluster the tests run on:
`pg_basebackup -R` into a temporary directory, started with pg_ctl on a
free port (as the `postgres` user when the tests run as root: PostgreSQL
refuses root). The test database lives on the primary, so it streams to the
standby like everything else; the `replica` alias, a mirror of the test
database in every other test, is pointed at the standby for these. They are
transactional tests: only committed rows stream.

A replica never has a row the primary lacks, so "read from the replica" is
shown the other way round: replay is paused (`pg_wal_replay_pause()`), a row
is written on the primary, and the page does not show it, until the replica
counts as lagging (or down) and the page is read from the primary again.

The primary must accept replication connections from 127.0.0.1 (pg_hba.conf:
`host replication all 127.0.0.1/32 trust`; .ci/run adds it). Skipped only on
SQLite or where PostgreSQL's server programs are missing.
"""

import contextlib
import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.enums import Gender, SessionStatus
from activities.models import Activity
from core.replica import (
    REPLICA,
    ReplicaRouter,
    reading_from_replica,
    replica_configured,
    replica_health,
    replica_health_forget,
)
from reporting.services import report_produce

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    ProgrammeFactory,
    ReportRequestFactory,
    SessionFactory,
    TallyFactory,
)

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))


def _primary_conninfo() -> dict:
    primary = django_settings.DATABASES[DEFAULT_DB_ALIAS]
    return {
        "host": primary.get("HOST") or "127.0.0.1",
        "port": int(primary.get("PORT") or 5432),
        "user": primary.get("USER") or "postgres",
        "password": primary.get("PASSWORD") or None,
    }


@dataclass
class StreamingReplica:
    """A hot standby of the test cluster, in a temporary directory."""

    bin: Path
    home: Path
    port: int
    user: str | None

    @property
    def data(self) -> Path:
        return self.home / "data"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], user=self.user, capture_output=True, text=True, check=False
        )

    def pg_ctl(self, *args: str) -> None:
        done = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.home / "replica.log"), "-w", "-t", "120", *args)
        if done.returncode:
            log = (self.home / "replica.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"pg_ctl {' '.join(args)}: {done.stdout}{done.stderr}\n{log}")

    @property
    def running(self) -> bool:
        return self.run("pg_ctl", "-D", str(self.data), "status").returncode == 0

    def sql(self, statement: str) -> tuple:
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as connection:
            return connection.execute(statement).fetchone()

    def wait_caught_up(self, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary has written by now."""
        with psycopg.connect(dbname="postgres", autocommit=True, **_primary_conninfo()) as primary:
            (written,) = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        deadline = time.monotonic() + timeout
        while not self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")[0]:
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not catch up")
            time.sleep(0.05)

    def pause(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 30
        while self.sql("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            if time.monotonic() > deadline:
                raise TimeoutError("replay did not pause")
            time.sleep(0.05)

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def restore(self) -> None:
        """Running, replaying and caught up, whatever a test did to it."""
        if not self.running:
            self.pg_ctl("start")
        self.resume()
        self.wait_caught_up()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup) -> Iterator[StreamingReplica]:
    if django_settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a streaming replica needs PostgreSQL (DATABASE_URL); this run uses SQLite")
    primary = _primary_conninfo()
    with psycopg.connect(dbname="postgres", autocommit=True, **primary) as connection:
        (version,) = connection.execute("SHOW server_version_num").fetchone()
        settings_rows = connection.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes',"
            " 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')"
        ).fetchall()
    major = int(version) // 10000
    bin_dir = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (bin_dir / "pg_basebackup").exists() or not (bin_dir / "pg_ctl").exists():
        found = shutil.which("pg_basebackup")
        if not found:
            pytest.skip(f"PostgreSQL {major}'s server programs (pg_basebackup, pg_ctl) are not installed")
        bin_dir = Path(found).parent
    home = Path(tempfile.mkdtemp(prefix="kvarter-replica-"))
    user = None
    if os.geteuid() == 0:
        # PostgreSQL will not run as root: the cluster's own user makes and runs the copy.
        user = "postgres"
        account = pwd.getpwnam(user)
        os.chown(home, account.pw_uid, account.pw_gid)
    replica = StreamingReplica(bin=bin_dir, home=home, port=_free_port(), user=user)
    try:
        # -c fast: checkpoint now instead of waiting for a spread one; -X stream: the WAL made meanwhile.
        made = replica.run(
            "pg_basebackup",
            *("-h", primary["host"], "-p", str(primary["port"]), "-U", primary["user"]),
            *("-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        if made.returncode:
            hint = (
                " The primary must accept replication connections from this host: add"
                " `host replication all 127.0.0.1/32 trust` to pg_hba.conf and reload (.ci/run does)."
                if "replication" in made.stderr
                else ""
            )
            pytest.fail(f"pg_basebackup failed: {made.stderr.strip()}{hint}", pytrace=False)
        # Debian keeps the configuration outside the data directory: the copy gets its own.
        # A hot standby needs at least the primary's limits on connections, workers and locks.
        limits = "\n".join(f"{name} = {value}" for name, value in settings_rows)
        files = {
            "postgresql.conf": f"port = {replica.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{home}'\nhot_standby = on\nshared_buffers = 32MB\nfsync = off\n"
            f"logging_collector = off\n{limits}\n",
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            path = replica.data / name
            path.write_text(text)
            if user:
                os.chown(path, account.pw_uid, account.pw_gid)
        replica.pg_ctl("start")
        replica.wait_caught_up()
        yield replica
    finally:
        if replica.data.exists() and replica.running:
            replica.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def replica(streaming_replica, settings) -> Iterator[StreamingReplica]:
    """The `replica` alias on the streaming replica for one test, and back to the mirror after it."""
    settings.KVARTER_REPLICA_CHECK_SECONDS = 60  # the tests say when to look again (replica_health_forget)
    connection = connections[REPLICA]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(streaming_replica.port))
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
    streaming_replica.restore()
    replica_health_forget()
    try:
        yield streaming_replica
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        replica_health_forget()
        streaming_replica.restore()


def _tomorrow(hour: int) -> dt.datetime:
    # The public programme lists today and the six days after it.
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(hour)))


def _public_activity(name: str, hour: int) -> Activity:
    activity = ActivityFactory(name=name)
    SessionFactory(activity=activity, starts_at=_tomorrow(hour))
    return activity


def _programme_page(client, *, replica_up: bool = True) -> tuple[str, int]:
    """The public programme's text, and how many queries the replica answered for it."""
    # Watching the replica's queries connects to it: not while it is down.
    watching = CaptureQueriesContext(connections[REPLICA]) if replica_up else contextlib.nullcontext()
    with watching as on_replica:
        response = client.get("/programme/")
    assert response.status_code == 200
    return response.content.decode(), _reads(on_replica) if replica_up else 0


def _reads(captured: CaptureQueriesContext) -> int:
    """Queries the replica answered, not counting the health check's own."""
    return sum(1 for query in captured.captured_queries if "pg_is_in_recovery" not in query["sql"])


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# --- With a real replica ---------------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.xdist_group("streaming-replica")
def test_the_public_programme_reads_from_the_replica_and_leaves_a_lagging_one(client, replica, settings):
    settings.KVARTER_REPLICA_MAX_LAG_SECONDS = 3600
    _public_activity("Café Bäckby", 15)
    replica.wait_caught_up()
    replica.pause()
    _public_activity("Läxhjälp", 17)  # on the primary only, while replay is paused
    assert Activity.objects.filter(name="Läxhjälp").exists()

    page, replica_queries = _programme_page(client)

    assert replica_queries > 0
    assert "Café Bäckby" in page
    assert "Läxhjälp" not in page  # the replica's view of the world, behind by one write
    assert replica_health().usable

    # More than a second behind now, and one second is all it may be: the primary answers.
    settings.KVARTER_REPLICA_MAX_LAG_SECONDS = 1
    time.sleep(1.2)
    page, replica_queries = _programme_page(client)

    assert replica_queries == 0
    assert "Café Bäckby" in page and "Läxhjälp" in page
    health = replica_health()
    assert not health.usable and health.lag_seconds > 1
    assert client.get("/healthz").json()["warnings"]["replica"]["ok"] is False

    # Replaying again, it catches up and is read again.
    replica.resume()
    replica.wait_caught_up()
    settings.KVARTER_REPLICA_MAX_LAG_SECONDS = 30
    page, replica_queries = _programme_page(client)

    assert replica_queries > 0
    assert "Läxhjälp" in page


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.xdist_group("streaming-replica")
def test_a_report_counts_what_the_replica_has_and_the_primary_when_it_lags(replica, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KVARTER_REPLICA_MAX_LAG_SECONDS = 3600
    programme = ProgrammeFactory(name="Connexion West")
    activity = ActivityFactory(programme=programme, name="Café")
    band = AgeBandFactory(organisation=programme.lead_organisation, min_age=13, max_age=17)
    march = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
    )
    TallyFactory(session=march, age_band=band, gender=Gender.FEMALE, visits=60)
    replica.wait_caught_up()
    replica.pause()
    april = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, 4, 6, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
    )
    TallyFactory(session=april, age_band=band, gender=Gender.MALE, visits=40)

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        from_replica = report_produce(
            request_id=ReportRequestFactory(programme=programme, year=2018, language="en", requested_by=None).pk
        )
    settings.KVARTER_REPLICA_MAX_LAG_SECONDS = 0
    from_primary = report_produce(
        request_id=ReportRequestFactory(programme=programme, year=2018, language="en", requested_by=None).pk
    )

    assert _reads(on_replica) > 0
    assert (from_replica.figures["visits"], from_primary.figures["visits"]) == (60, 100)
    # The request and the versions are written and read on the primary: two versions, one per figure set.
    assert (from_replica.version, from_primary.version) == (1, 2)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.xdist_group("streaming-replica")
def test_a_replica_that_is_down_leaves_every_read_to_the_primary(client, replica, strategist, settings):
    _public_activity("Café Bäckby", 15)
    replica.wait_caught_up()
    _, replica_queries = _programme_page(client)
    assert replica_queries > 0 and replica_health().usable

    replica.pg_ctl("stop", "-m", "fast")

    # Still counted as healthy (checked a moment ago): the read fails on the replica and is run again on the primary.
    assert replica_health().usable
    page, _ = _programme_page(client, replica_up=False)
    assert "Café Bäckby" in page
    assert not replica_health().usable
    # Checked afresh: unreachable, so the primary answers from the start.
    replica_health_forget()
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        page, _ = _programme_page(client, replica_up=False)
    assert "Café Bäckby" in page and len(on_primary) > 1
    assert replica_health().detail.startswith("unreachable")
    client.force_login(strategist)
    assert client.get("/reports/").status_code == 200
    assert client.get("/healthz").json()["warnings"]["replica"] == {
        "ok": False,
        "detail": "unreachable (OperationalError)",
    }


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.xdist_group("streaming-replica")
def test_a_browser_that_wrote_reads_from_the_primary_for_a_while(client, replica, strategist, settings):
    client.force_login(strategist)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get("/reports/").status_code == 200
    assert _reads(on_replica) > 0
    assert "kvarter_wrote" not in client.cookies

    answer = client.post("/i18n/setlang/", {"language": "sv", "next": "/reports/"})

    assert answer.cookies["kvarter_wrote"]["max-age"] == settings.KVARTER_REPLICA_PIN_SECONDS
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get("/reports/").status_code == 200
    assert _reads(on_replica) == 0
    del client.cookies["kvarter_wrote"]  # the pin has expired
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get("/reports/").status_code == 200
    assert _reads(on_replica) > 0


# --- Without one (every other test's setup) -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_test_mirror_is_no_replica_and_sets_no_cookie(client):
    """The suite's `replica` alias is the test database itself: reads stay on default, no pin is set."""
    assert REPLICA in django_settings.DATABASES and not replica_configured()
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Activity) == DEFAULT_DB_ALIAS
    answer = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "kvarter_wrote" not in answer.cookies


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
@pytest.mark.xdist_group("streaming-replica")
def test_a_write_goes_to_the_primary_and_pins_the_rest_of_the_context(replica, settings):
    cafe = _public_activity("Café Bäckby", 15)
    replica.wait_caught_up()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, reading_from_replica():
        found = Activity.objects.get(pk=cafe.pk)
        assert found._state.db == REPLICA and _reads(on_replica) == 1
        found.name = "Café Bäckby (renamed)"
        found.save()  # on the primary, though read from the replica
        assert Activity.objects.get(pk=cafe.pk).name == "Café Bäckby (renamed)"  # read back from the primary
    assert _reads(on_replica) == 1
    with reading_from_replica(primary=True):
        assert ReplicaRouter().db_for_read(Activity) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_read(Activity) == DEFAULT_DB_ALIAS  # outside a context
    assert ReplicaRouter().allow_migrate(REPLICA, "activities") is False
