"""The report pages: who may do what, what bad input does, and how many queries each costs.

Connexion West is led by here 4U (Alice coordinates, Bob leads, Vera
volunteers) with Västerås stad as partner (Stina, strategist). Olga
coordinates at Raster in Deventer and sees none of it.
"""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from openpyxl import load_workbook

from activities.enums import Gender, SessionStatus
from reporting.enums import ReportStatus
from reporting.models import Narrative, ReportRequest

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    CheckInFactory,
    ProgrammeFactory,
    ReportFactory,
    ReportRequestFactory,
    SessionFactory,
    TallyFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db
READERS = ["coordinator", "strategist", "administrator"]
NOT_READERS = ["leader", "volunteer_user"]


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(organisation, municipality):
    programme = ProgrammeFactory(
        lead_organisation=organisation, name="Connexion West", slug="connexion-west", starts_on=dt.date(2016, 9, 1)
    )
    programme.partner_organisations.add(municipality)
    return programme


@pytest.fixture
def counted(programme):
    activity = ActivityFactory(programme=programme, name="Café")
    band = AgeBandFactory(organisation=programme.lead_organisation, min_age=13, max_age=17)
    for month in (3, 4):
        session = SessionFactory(
            activity=activity, starts_at=dt.datetime(2018, month, 6, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
        )
        TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=60)
    return programme


@pytest.fixture
def report(counted):
    from reporting.services import report_produce

    request = ReportRequestFactory(programme=counted, year=2018, language="en", requested_by=None)
    return report_produce(request_id=request.pk)


def _login(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


# --- Who may open what ---


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/programme/{programme}/", "/reports/{report}/pdf/", "/reports/{report}/figures.csv"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, report, path):
    response = client.get(path.format(programme=report.programme_id, report=report.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", NOT_READERS)
@pytest.mark.parametrize(
    "path",
    [
        "/reports/",
        "/reports/programme/{programme}/",
        "/reports/{report}/pdf/",
        "/reports/{report}/figures.xlsx",
        "/reports/programme/{programme}/2018/narrative/en/",
    ],
)
def test_leaders_and_volunteers_have_no_reports(client, request, persona, report, path):
    _login(client, request, persona)

    response = client.get(path.format(programme=report.programme_id, report=report.pk))
    post = client.post(
        "/reports/request/", {"scope": f"programme:{report.programme_id}", "year": 2018, "language": "sv"}
    )

    assert response.status_code == 403
    assert post.status_code == 403
    assert ReportRequest.objects.count() == 1


@pytest.mark.parametrize("persona", READERS)
def test_readers_download_the_pdf_and_the_figures(client, request, persona, report):
    _login(client, request, persona)

    pdf = client.get(f"/reports/{report.pk}/pdf/")
    csv_response = client.get(f"/reports/{report.pk}/figures.csv")
    xlsx = client.get(f"/reports/{report.pk}/figures.xlsx")
    page = client.get(f"/reports/programme/{report.programme_id}/")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert 'filename="connexion-west-2018-en-v1.pdf"' in pdf["Content-Disposition"]
    assert csv_response.status_code == 200 and xlsx.status_code == 200
    assert page.status_code == 200
    assert f"/reports/{report.pk}/figures.xlsx".encode() in page.content


def test_an_outsider_finds_nothing_of_another_organisation(client, outsider, report):
    client.force_login(outsider)

    responses = [
        client.get(f"/reports/{report.pk}/pdf/"),
        client.get(f"/reports/{report.pk}/figures.csv"),
        client.get(f"/reports/programme/{report.programme_id}/"),
        client.get(f"/reports/programme/{report.programme_id}/2018/narrative/en/"),
    ]
    dashboard = client.get("/reports/")
    post = client.post(
        "/reports/request/", {"scope": f"programme:{report.programme_id}", "year": 2018, "language": "sv"}, follow=True
    )

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert b"Connexion West" not in dashboard.content
    assert ReportRequest.objects.count() == 1
    assert "Choose one of the scopes in the list." in post.content.decode()


def test_requests_are_private_to_whoever_asked(client, coordinator, strategist, counted):
    mine = ReportRequestFactory(programme=counted, requested_by=strategist)
    client.force_login(coordinator)

    assert client.get(f"/reports/requests/{mine.pk}/").status_code == 404
    assert client.get(f"/reports/requests/{mine.pk}/status/").status_code == 404


# --- Asking for a report ---


def test_a_strategist_asks_and_follows_the_report(client, strategist, counted, django_capture_on_commit_callbacks):
    client.force_login(strategist)

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/reports/request/", {"scope": f"programme:{counted.pk}", "year": 2018, "language": "sv"})
    response = client.get(posted["Location"])

    request = ReportRequest.objects.get()
    assert posted["Location"] == f"/reports/requests/{request.pk}/"
    assert (request.requested_by, request.language, request.status) == (strategist, "sv", ReportStatus.DONE)
    status = client.get(f"/reports/requests/{request.pk}/status/").json()
    assert status == {
        "status": "done",
        "label": "Done",
        "step": 4,
        "steps": 4,
        "finished": True,
        "failed": False,
        "error": "",
        "download_url": f"/reports/{request.report_id}/pdf/",
        "version": 1,
        "pages": request.report.pages,
    }
    assert f"/reports/{request.report_id}/pdf/".encode() in response.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scope": "programme:999999", "year": 2018, "language": "sv"}, "Choose one of the scopes in the list."),
        ({"scope": "nonsense", "year": 2018, "language": "sv"}, "Choose one of the scopes in the list."),
        ({"year": 2018, "language": "sv"}, "This field is required."),
        ({"scope": "programme:{pk}", "year": 1066, "language": "sv"}, "Choose one of the years in the list."),
        ({"scope": "programme:{pk}", "year": "MMXVIII", "language": "sv"}, "Choose one of the years in the list."),
        ({"scope": "programme:{pk}", "year": 2018, "language": "de"}, "Select a valid choice."),
    ],
)
def test_bad_requests_are_explained_and_change_nothing(client, strategist, counted, data, message):
    client.force_login(strategist)
    data = {key: value.format(pk=counted.pk) if isinstance(value, str) else value for key, value in data.items()}

    response = client.post("/reports/request/", data, follow=True)

    assert message in response.content.decode()
    assert ReportRequest.objects.count() == 0


def test_the_request_address_opened_directly_leads_to_its_form(client, strategist):
    client.force_login(strategist)

    response = client.get("/reports/request/")

    assert (response.status_code, response["Location"]) == (302, "/reports/")
    assert client.put("/reports/request/").status_code == 405


# --- The exports hold the report's own figures ---


def test_csv_and_xlsx_carry_the_same_figures_as_the_report(client, coordinator, report):
    client.force_login(coordinator)

    rows = list(csv.reader(io.StringIO(client.get(f"/reports/{report.pk}/figures.csv").content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/figures.xlsx").content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == ["Section", "Item", "Year or breakdown", "Value"]
    assert ["Summary", "Visits", "2018", "120"] in rows
    assert ["Visits by month", "March", "2018", "60"] in rows
    assert ["Visits by month", "April", "2018", "60"] in rows
    assert [[str(value) for value in row] for row in cells] == rows


# --- The coordinator's story ---


def test_the_coordinator_writes_the_story_of_the_year(client, coordinator, counted):
    client.force_login(coordinator)
    url = f"/reports/programme/{counted.pk}/2018/narrative/sv/"

    form = client.get(url)
    saved = client.post(url, {"text": "Caféet **växte** under 2018."}, follow=True)

    assert form.status_code == 200
    narrative = Narrative.objects.get()
    assert (narrative.text, narrative.language, narrative.year, narrative.author) == (
        "Caféet **växte** under 2018.",
        "sv",
        2018,
        coordinator,
    )
    assert "The story is saved." in saved.content.decode()


@pytest.mark.parametrize("persona", ["strategist", "outsider"])
def test_only_the_owning_organisations_coordinators_write_the_story(client, request, persona, counted):
    _login(client, request, persona)

    response = client.post(f"/reports/programme/{counted.pk}/2018/narrative/sv/", {"text": "Mine now."})

    assert response.status_code == (403 if persona == "strategist" else 404)
    assert Narrative.objects.count() == 0


def test_an_empty_story_is_refused_with_a_message(client, coordinator, counted):
    client.force_login(coordinator)

    response = client.post(f"/reports/programme/{counted.pk}/2018/narrative/sv/", {"text": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Narrative.objects.count() == 0


@pytest.mark.django_db
def test_the_dashboard_counts_headcounts_and_check_ins_by_local_month(strategist, municipality):
    """From the rollup, equal to the raw tables: cancelled sessions out, months in Swedish time."""
    from reporting.figures import Period
    from reporting.selectors import dashboard_figures

    programme = ProgrammeFactory(starts_on=dt.date(2016, 1, 1), name="Connexion West")
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme)

    def session(year, month, day, hour=15, status=SessionStatus.HELD):
        return SessionFactory(
            activity=activity,
            starts_at=dt.datetime(year, month, day, hour, tzinfo=STOCKHOLM),
            status=status,
            cancellation_reason="Power cut" if status == SessionStatus.CANCELLED else "",
        )

    TallyFactory(session=session(2018, 3, 6), visits=12)
    TallyFactory(session=session(2018, 3, 20), visits=5)
    CheckInFactory(session=session(2018, 3, 20, 17))
    TallyFactory(session=session(2018, 4, 1, 0, 30), visits=7)  # still March in UTC, April here
    TallyFactory(session=session(2018, 5, 2, status=SessionStatus.CANCELLED), visits=99)
    TallyFactory(session=session(2017, 11, 7), visits=40, first_visits=30)
    TallyFactory(session=session(2016, 11, 7), visits=1000)

    figures = dashboard_figures(scope_kind="programme", scope=programme, period=Period.of_year(2018))

    assert figures.months == [0, 0, 18, 7, 0, 0, 0, 0, 0, 0, 0, 0]
    assert figures.previous_months == [0] * 10 + [40, 0]
    assert figures.sessions_held == 3  # held ones only (the one on 1 April was never marked held)
    # The trend: every year from the first with anything, up to the year shown.
    assert figures.years == [2016, 2017, 2018]
    assert figures.trend["visits"] == [1000, 40, 25]
    assert figures.trend["first_visits"][1] == 30
    assert figures.trend["sessions_held"] == [1, 1, 3]


def test_the_dashboard_shows_the_whole_municipality_first_and_any_scope_and_period(client, strategist, municipality):
    from ..factories import DistrictFactory, VenueFactory

    backby = DistrictFactory(name="Bäckby", municipality=municipality)
    venue = VenueFactory(name="Bäckbyhuset", district=backby)
    programme = ProgrammeFactory(name="Connexion West", starts_on=dt.date(2016, 1, 1))
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme, venue=venue)
    for year, visits in ((2016, 640), (2017, 2710), (2018, 3887)):
        TallyFactory(
            session=SessionFactory(
                activity=activity, starts_at=dt.datetime(year, 5, 8, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
            ),
            visits=visits,
        )
    # Three visits in June 2018: withheld wherever they could be worked out.
    TallyFactory(
        session=SessionFactory(
            activity=activity, starts_at=dt.datetime(2018, 6, 5, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
        ),
        visits=3,
    )
    client.force_login(strategist)

    first = client.get("/reports/")
    chosen = client.get(f"/reports/?show-scope=programme:{programme.pk}&show-year=2018")
    period = client.get(
        f"/reports/?show-scope=district:{backby.pk}&show-year=2018&show-first_month=2017-01&show-last_month=2018-12"
    )

    assert first.context["chosen"] == ("organisation", municipality)
    shown = chosen.context["shown"]
    assert [row[0] for row in shown["trend"]] == ["2016", "2017", "2018"]
    assert [row[1] for row in shown["trend"]] == [640, 2710, 3890]
    key = {name: (value, before) for name, value, before in shown["key_figures"]}
    assert key["Visits"] == (3890, 2710)
    page = " ".join(chosen.content.decode().split())
    assert "Over the years" in page and "chart-trend-visits" in page
    # June's 3 is not printed, nor derivable from the year's 3 890 and May's 3 887.
    assert ">3<" not in page
    assert "May 3887" not in page and "May 3 887" not in page
    assert period.context["chosen"] == ("district", backby)
    assert period.context["shown"]["label"] == "January 2017 – December 2018"
    assert {name: value for name, value, _ in period.context["shown"]["key_figures"]}["Visits"] == 2710 + 3890


# --- Queries ---


@pytest.mark.parametrize("count", [1, 3])
def test_the_dashboard_queries_do_not_grow_with_programmes_or_years(
    client, django_assert_num_queries, strategist, municipality, count
):
    from ..factories import DistrictFactory, HoursLogFactory, VenueFactory, VolunteerFactory

    venue = VenueFactory(district=DistrictFactory(municipality=municipality))
    for index in range(count):
        programme = ProgrammeFactory(starts_on=dt.date(2016, 1, 1))
        programme.partner_organisations.add(municipality)
        activity = ActivityFactory(programme=programme, venue=venue)
        for year in range(2018 - count, 2019):
            session = SessionFactory(
                activity=activity, starts_at=dt.datetime(year, 3, 6, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
            )
            TallyFactory(session=session, visits=10 + index)
            HoursLogFactory(volunteer=VolunteerFactory(), session=session, activity=activity, date=dt.date(year, 3, 6))
        ReportRequestFactory(programme=programme, requested_by=strategist)
    client.force_login(strategist)

    # Session, user, roles, org ids; five scope kinds (the picker and the form
    # share them), the first session; the figures: the rollup, sessions held,
    # volunteer hours; the user's requests.
    with django_assert_num_queries(14):
        response = client.get(f"/reports/?show-scope=organisation:{municipality.pk}&show-year=2018")

    assert response.context["chosen"] == ("organisation", municipality)
    assert len(response.context["shown"]["trend"]) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_the_scope_page_queries_do_not_grow_with_reports(
    client, django_assert_num_queries, coordinator, counted, count
):
    for index in range(count):
        ReportFactory(programme=counted, version=index + 1)
    client.force_login(coordinator)

    # Session, user, roles, org ids, the scope, its reports, its narratives, its
    # organisation and the coordinator's managed ones (may write the story),
    # whether they follow it, the first session; the form: five scope kinds.
    with django_assert_num_queries(15):
        response = client.get(f"/reports/programme/{counted.pk}/")

    assert len(response.context["reports"]) == count


def test_the_status_poll_is_cheap(client, django_assert_num_queries, strategist, counted):
    request = ReportRequestFactory(programme=counted, requested_by=strategist)
    client.force_login(strategist)

    # Session, user, roles, org ids, the request.
    with django_assert_num_queries(5):
        response = client.get(f"/reports/requests/{request.pk}/status/")

    assert response.json()["status"] == "queued"


def test_the_pages_poll_is_a_204_while_nothing_changes(client, django_assert_num_queries, strategist, counted):
    request = ReportRequestFactory(programme=counted, requested_by=strategist)
    client.force_login(strategist)

    # Session, user, roles, org ids, the request: as cheap as the JSON.
    with django_assert_num_queries(5):
        response = client.get(f"/reports/requests/{request.pk}/status/?shown=queued", headers={"HX-Request": "true"})

    # No swap, so the live status line is not read out again.
    assert response.status_code == 204
    assert response.content == b""


def test_the_pages_poll_answers_what_changed(client, strategist, counted):
    request = ReportRequestFactory(programme=counted, requested_by=strategist, status=ReportStatus.COMPUTING)
    client.force_login(strategist)

    response = client.get(f"/reports/requests/{request.pk}/status/?shown=queued", headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    # First the new text of the status line (swapped inside it), then the parts swapped out of band.
    assert html.split("<", 1)[0].strip() == "Computing"
    assert '<div id="report-steps" hx-swap-oob="true">' in html
    assert '<input type="hidden" name="shown" value="computing">' in html
    assert 'class="report-step report-step-done" data-step="1"' in html
    assert 'class="report-step report-step-current" data-step="2"' in html
    assert '<div id="report-outcome" hx-swap-oob="true">' in html
    assert "Download the PDF" not in html
    assert "hx-get" not in html


def test_the_pages_last_poll_stops_the_polling_and_offers_the_pdf(client, strategist, report):
    request = ReportRequestFactory(
        programme=report.programme, requested_by=strategist, report=report, status=ReportStatus.DONE
    )
    client.force_login(strategist)

    response = client.get(f"/reports/requests/{request.pk}/status/?shown=rendering", headers={"HX-Request": "true"})

    # 286: htmx swaps this answer and stops polling.
    assert response.status_code == 286
    html = response.content.decode()
    assert html.split("<", 1)[0].strip() == "Done"
    assert f'href="/reports/{report.pk}/pdf/">Download the PDF</a>' in html
    assert html.count("report-step-done") == 4


def test_the_request_page_polls_only_while_the_report_is_produced(client, strategist, counted, report):
    queued = ReportRequestFactory(programme=counted, requested_by=strategist)
    done = ReportRequestFactory(
        programme=report.programme, requested_by=strategist, report=report, status=ReportStatus.DONE
    )
    client.force_login(strategist)

    polling = client.get(f"/reports/requests/{queued.pk}/").content.decode()
    finished = client.get(f"/reports/requests/{done.pk}/").content.decode()

    assert f'hx-get="/reports/requests/{queued.pk}/status/" hx-trigger="every 1s"' in polling
    assert "hx-get" not in finished
    # Out of band only in the polls' answers; htmx without its inline style (CSP).
    assert "hx-swap-oob" not in polling
    assert '"includeIndicatorStyles": false' in polling
    assert "Reload the page to see the progress." in polling


def test_the_request_page_queries_are_fixed(client, django_assert_num_queries, strategist, report):
    request = ReportRequestFactory(programme=report.programme, requested_by=strategist, report=report)
    client.force_login(strategist)

    # Session, user, roles, org ids, the request with its report, its programme.
    with django_assert_num_queries(6):
        response = client.get(f"/reports/requests/{request.pk}/")

    assert response.context["state"]["download_url"] == f"/reports/{report.pk}/pdf/"


def test_the_narrative_page_queries_are_fixed(client, django_assert_num_queries, coordinator, counted):
    client.force_login(coordinator)

    # Session, user, roles, the active memberships (once, for every role
    # asked), the scope, the first session, its organisation, the narrative,
    # the visits and first visits its numbers are checked against.
    with django_assert_num_queries(9):
        response = client.get(f"/reports/programme/{counted.pk}/2018/narrative/sv/")

    assert response.status_code == 200


# --- Reports over any period ---


@pytest.fixture
def two_years(counted):
    """Connexion West's café: 120 visits in March–April 2018 (counted), 45 in November 2017."""
    activity = counted.activities.get()
    session = SessionFactory(
        activity=activity, starts_at=dt.datetime(2017, 11, 7, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
    )
    TallyFactory(
        session=session,
        age_band=AgeBandFactory(organisation=counted.lead_organisation, min_age=18),
        gender=Gender.MALE,
        visits=45,
    )
    return counted


def test_a_strategist_asks_for_a_period_of_whole_months_and_gets_its_figures(
    client, strategist, two_years, django_capture_on_commit_callbacks
):
    import subprocess

    client.force_login(strategist)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/request/",
            {
                "scope": f"programme:{two_years.pk}",
                "year": 2018,
                "first_month": "2017-10",
                "last_month": "2018-03",
                "language": "en",
            },
        )

    request = ReportRequest.objects.get()
    assert (request.period_start, request.period_end, request.year) == (
        dt.date(2017, 10, 1),
        dt.date(2018, 3, 31),
        2018,
    )
    report = request.report
    assert report.period_label == "2017-10 – 2018-03"
    assert report.figures["visits"] == 45 + 60  # April is outside the period
    assert report.figures["months"] == [0, 45, 0, 0, 0, 60]
    assert report.figures["previous"]["covers"] == {"first": "2017-04-01", "last": "2017-09-30", "year": False}
    text = subprocess.run(["pdftotext", report.file.path, "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Report October 2017 – March 2018" in flat
    assert "November 2017" in flat and "March 2018" in flat
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/{report.pk}/figures.csv").content.decode("utf-8-sig"))))
    assert ["Visits by month", "November 2017", "October 2017 – March 2018", "45"] in rows
    assert ["Summary", "Visits", "October 2017 – March 2018", "105"] in rows
    page = client.get(f"/reports/programme/{two_years.pk}/").content.decode()
    assert "2017-10 – 2018-03" in page


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (("2018-06", "2018-01"), "The period must end after it starts."),
        (("2018-01", ""), "Give both months of a period"),
        (("2018-13", "2019-01"), "Give both months of a period"),
        (("2000-01", "2018-01"), "A period can be at most ten years."),
        (("1995-01", "1995-06"), "Choose months from"),
    ],
)
def test_a_bad_period_is_explained_and_changes_nothing(client, strategist, counted, months, message):
    client.force_login(strategist)

    response = client.post(
        "/reports/request/",
        {
            "scope": f"programme:{counted.pk}",
            "year": 2018,
            "first_month": months[0],
            "last_month": months[1],
            "language": "en",
        },
        follow=True,
    )

    assert message in response.content.decode()
    assert ReportRequest.objects.count() == 0


def test_the_story_of_a_period_is_printed_in_its_report(client, coordinator, two_years):
    from reporting.figures import Period
    from reporting.services import report_produce

    client.force_login(coordinator)

    client.post(f"/reports/programme/{two_years.pk}/2017-10--2018-03/narrative/en/", {"text": "The autumn we opened."})

    request = ReportRequestFactory(
        programme=two_years,
        year=2018,
        period_start=dt.date(2017, 10, 1),
        period_end=dt.date(2018, 3, 31),
        language="en",
    )
    report = report_produce(request_id=request.pk)
    assert report.figures["narrative"]["text"] == "The autumn we opened."
    year_request = ReportRequestFactory(programme=two_years, year=2018, language="en")
    assert report_produce(request_id=year_request.pk).figures["narrative"] is None
    assert Period(request.period_start, request.period_end).months[0] == dt.date(2017, 10, 1)


# --- The story checked against the figures ---


def test_the_narrative_editor_warns_when_the_text_contradicts_the_figures(client, coordinator, counted):
    client.force_login(coordinator)
    url = f"/reports/programme/{counted.pk}/2018/narrative/en/"

    # 120 visits were counted; "200 visits" is 67 % off, "120 people" calls visits people.
    response = client.post(url, {"text": "We had 200 visits this year. About 120 people came."}, follow=True)

    text = " ".join(response.content.decode().split())
    assert "The story is saved." in text
    assert "“200 visits” is more than 20 % away from the report’s about 120 visits." in text
    assert "“120 people”: the report counts about 120 visits, not people." in text

    response = client.post(url, {"text": "We had about 125 visits this year."}, follow=True)
    assert "more than 20 %" not in response.content.decode()
    assert "alert-warning" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("show-scope=nonsense&show-year=2018", "Choose one of the scopes in the list."),
        ("show-scope=programme:{pk}&show-first_month=2018-06&show-last_month=2018-01", "The period must end"),
        ("show-scope=programme:{pk}&show-first_month=%00&show-last_month=x", "Give both months of a period"),
    ],
)
def test_a_bad_dashboard_choice_is_explained_and_shows_the_default(
    client, strategist, municipality, counted, query, message
):
    client.force_login(strategist)

    response = client.get("/reports/?" + query.format(pk=counted.pk))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["chosen"] == ("organisation", municipality)
