"""The changelists of tables that grow with attendance read a bounded number of rows.

Sessions, headcounts, check-ins and the attendance ledger reach millions of
rows in a country. Their changelists must not count the whole table (Django's
`SELECT COUNT(*)` on every page view), nor read it for a date hierarchy or a
sidebar filter. Here the count's cap is lowered to two and a page holds one
row, so five rows are "many": every query that reads the table must then stop
at a LIMIT, and the number of queries is the one pinned for a single row.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from activities.models import AttendanceEvent, CheckIn, Session, Tally
from core.paginators import CappedCountPaginator

from ..factories import ProgrammeFactory, SessionFactory, TallyFactory
from .test_changelists import BACKEND, BUILDERS, CHANGELIST_QUERIES, COORDINATOR_CHANGELIST_QUERIES, _url

BIG_TABLES = [Session, Tally, CheckIn, AttendanceEvent]
CAP = 2
MANY = 5


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch, settings, db):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(CappedCountPaginator, "cap", CAP)
    for model in BIG_TABLES:
        monkeypatch.setattr(admin.site._registry[model], "list_per_page", 1)
    if connection.vendor == "postgresql":
        # The planner's estimate outlives rolled-back tests (ANALYZE writes it
        # in place): start each test from the empty table it really has, so
        # the estimate stays below the lowered cap unless a test analyses.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in BIG_TABLES)}")
    yield
    if connection.vendor == "postgresql":
        # And leave no estimate behind: "0 rows" outlives the rollback too, and
        # a later test in this database that writes thousands of rows in one
        # transaction (the demo seed) was planned as if the tables stayed
        # empty: nested loops over them, minutes instead of seconds (CI). Back
        # to "never analysed", from a connection of its own, since the test's
        # transaction is rolled back after this.
        tables = [model._meta.db_table for model in BIG_TABLES]
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            raw.autocommit = True
            raw.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relname = ANY(%s)", [tables])
        finally:
            raw.close()


def _reads_of(model: type[Model], queries: CaptureQueriesContext) -> list[str]:
    """The reads of the model's table, short of those by the shown page's keys (bounded by the page).

    The session list adds its page's visits (activities.selectors.session_visits)
    with a read of exactly the sessions on the page.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    by_page = f'WHERE {table}."id" IN ('
    return [query["sql"] for query in queries if table in query["sql"] and by_page not in query["sql"]]


@pytest.mark.parametrize("model", BIG_TABLES, ids=lambda model: model.__name__)
@pytest.mark.parametrize("persona", ["administrator", "coordinator"])
def test_changelist_count_is_capped_and_queries_stay_pinned(client, organisation, request, persona, model):
    client.force_login(request.getfixturevalue(persona), backend=BACKEND)
    pinned = (CHANGELIST_QUERIES if persona == "administrator" else COORDINATOR_CHANGELIST_QUERIES)[model]
    url = _url(model, "changelist")

    BUILDERS[model](organisation)
    with CaptureQueriesContext(connection) as one_row:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1

    for _ in range(MANY - 1):
        BUILDERS[model](organisation)
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(url)
    assert response.status_code == 200
    changelist = response.context["cl"]
    # Counted up to the cap and one more, which is enough to offer the next pages.
    assert changelist.result_count == CAP + 1
    assert changelist.multi_page
    assert len(changelist.result_list) == 1

    assert len(one_row) == len(many_rows) == pinned
    for queries in (one_row, many_rows):
        counts = [sql for sql in _reads_of(model, queries) if "COUNT(" in sql.upper()]
        assert len(counts) == 1
        assert f"LIMIT {CAP + 1}" in counts[0]
    # The count and the page, each stopping at a LIMIT: no date hierarchy, no
    # SELECT DISTINCT over the rows for a sidebar filter.
    reads = _reads_of(model, many_rows)
    assert len(reads) == 2
    assert all("LIMIT" in sql for sql in reads), reads


def test_capped_count_is_exact_below_the_cap(db):
    sessions = [SessionFactory() for _ in range(CAP)]

    assert CappedCountPaginator(Session.objects.all(), 1).count == CAP
    assert CappedCountPaginator(Session.objects.filter(pk=sessions[0].pk), 1).count == 1
    assert CappedCountPaginator(list(range(MANY)), 1).count == MANY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_whole_table_is_counted_by_the_planners_estimate(client, administrator, coordinator, organisation):
    for _ in range(MANY):
        BUILDERS[Session](organisation)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activities_session")
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'activities_session'::regclass")
        estimate = cursor.fetchone()[0]
    assert estimate == MANY

    client.force_login(administrator, backend=BACKEND)
    assert client.get(_url(Session, "changelist")).context["cl"].result_count == MANY
    # Alice's list is narrowed to her organisations: counted, up to the cap.
    client.force_login(coordinator, backend=BACKEND)
    assert client.get(_url(Session, "changelist")).context["cl"].result_count == CAP + 1


@pytest.mark.parametrize(
    ("model", "parameter"),
    [(Session, "activity__programme__id__exact"), (Tally, "session__activity__programme__id__exact")],
    ids=["Session", "Tally"],
)
def test_programme_filter_offers_her_programmes_only(
    client, coordinator, organisation, other_organisation, model, parameter
):
    ours = ProgrammeFactory(lead_organisation=organisation, name="here 4U programme")
    theirs = ProgrammeFactory(lead_organisation=other_organisation, name="Raster programme")
    mine = TallyFactory(session__activity__programme=ours)
    TallyFactory(session__activity__programme=theirs)
    # A programme without sessions yet is hers to filter by, too.
    ProgrammeFactory(lead_organisation=organisation, name="here 4U summer")
    client.force_login(coordinator, backend=BACKEND)

    response = client.get(_url(model, "changelist"))

    page = response.content.decode()
    assert "here 4U programme" in page
    assert "here 4U summer" in page
    assert "Raster programme" not in page
    response = client.get(_url(model, "changelist"), {parameter: ours.pk})
    expected = mine.session if model is Session else mine
    assert [row.pk for row in response.context["cl"].result_list] == [expected.pk]
