"""Every form of Kvarter, fed generated garbage: it answers with errors, never with an exception.

The forms are found by walking the subclasses of django.forms.BaseForm that
our apps define, so a new form without a row in FORMS fails
test_every_form_is_fuzzed (like the URLs in the access matrix). Data is drawn
from each form's own fields (plausible values: real choices and keys, dates,
numbers at the bounds) mixed with hostile ones (control characters and
unicode, very long text, huge and non-numeric numbers, impossible dates,
choices that do not exist, lists for single values), with fields left out and
unknown fields added.

- Every form: `is_valid()` and the error text the views show never raise.
- A form behind a view: the fuzzed data posted through the real view, as a
  persona allowed to use it, never gets a 5xx, and when the form is invalid
  nothing changes (the rows of the tables the view writes, compared whole).
"""

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import hypothesis
import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from activities.enums import AttendanceMode, SessionStatus
from core.forms import form_errors_text

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    AgreementFactory,
    AgreementPartyFactory,
    DistrictFactory,
    LanguageFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
    SkillFactory,
    SpaceFactory,
    SpaceShareFactory,
    TallyFactory,
    VenueFactory,
    VolunteerFactory,
)

FORM_EXAMPLES = 200  # per form: validation only, cheap
VIEW_EXAMPLES = 50  # per form behind a view: a request and two snapshots each
PASSWORD = "correct horse battery"  # tests/factories.py UserFactory

SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}


def _our_apps() -> list[str]:
    base = Path(django_settings.BASE_DIR).resolve()
    return [config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == base]


def form_classes() -> dict[str, type[forms.BaseForm]]:
    """Every form class our apps define, by dotted path (modules are imported so none hides)."""
    ours = _our_apps()
    for name in ours:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)

    found: dict[str, type[forms.BaseForm]] = {}
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ours:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


# --- values -----------------------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\u202e",
    "\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Ω≈ç√∫",
    "0",
    "-1",
    "-0",
    "00",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1_000",
    "١٢",
    "0x1F",
    "9" * 40,
    "-" + "9" * 40,
    str(2**63),
    str(2**64),
    "0.1234567891234567",
    "0000-00-00",
    "2023-02-29",
    "2024-13-01",
    "9999-12-31",
    "10000-01-01",
    "0001-01-01",
    "24:00",
    "23:59:60",
    "-1:00",
    "true",
    "on",
    "null",
    "None",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "programme:abc",
    "programme:" + "9" * 30,
    ":",
]

text = st.one_of(
    st.text(max_size=40),  # any unicode, control characters included (never surrogates: not in a real request)
    st.sampled_from(HOSTILE),
    st.tuples(st.sampled_from(["x", "é", "\u0000", "𝔘", "ab\n"]), st.integers(150, 20_000)).map(lambda p: p[0] * p[1]),
)


def _choices(field: forms.Field) -> list[str]:
    values: list[str] = []
    for value, label in getattr(field, "choices", []):
        if isinstance(label, (list, tuple)):  # an optgroup
            values.extend(str(inner) for inner, _ in label)
        elif value not in ("", None):
            values.append(str(getattr(value, "value", value)))
    return values


def _plausible(field: forms.Field, extra: dict[str, Any]) -> st.SearchStrategy[str]:
    """Values a browser would send for this field, at and beyond its bounds."""
    options: list[st.SearchStrategy[str]] = []
    if isinstance(field, forms.ModelChoiceField):
        keys = [str(obj.pk) for obj in field.queryset.all()] or ["1"]
        options.append(st.sampled_from(keys))
        options.append(st.integers(-(2**70), 2**70).map(str))
    elif isinstance(field, forms.ChoiceField) and _choices(field):
        options.append(st.sampled_from(_choices(field)))
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else -(10**6)
        high = field.max_value if field.max_value is not None else 10**6
        options.append(st.integers(int(low) - 2, int(high) + 2).map(str))
        options.append(st.integers().map(str))
    if isinstance(field, forms.DecimalField):
        options.append(st.decimals(min_value=-100, max_value=100, places=3).map(str))
        options.append(st.sampled_from(["0.25", "0.24", "24", "24.01", "1.005", "1e2", "0.25e0"]))
    if isinstance(field, forms.DateField):
        options.append(st.dates().map(dt.date.isoformat))
        options.append(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat))
    if isinstance(field, forms.TimeField):
        options.append(st.times().map(lambda t: t.isoformat(timespec="minutes")))
        options.append(st.times().map(dt.time.isoformat))
    if isinstance(field, forms.BooleanField):
        options.append(st.sampled_from(["on", "true", "false", "0", "1"]))
    if isinstance(field, forms.EmailField):
        options.append(st.emails())
    options.extend(extra.get("strategies", []))
    return st.one_of(options) if options else text


def _value(field: forms.Field, extra: dict[str, Any]) -> st.SearchStrategy[str | list[str]]:
    one = st.one_of(_plausible(field, extra), text)
    return st.one_of(one, st.lists(one, max_size=4))  # a list: several values for a field that takes one


def form_data(
    form: forms.BaseForm, extra: dict[str, Any] | None = None, keys_only: tuple[str, ...] = ()
) -> st.SearchStrategy[dict]:
    """Any subset of the form's fields with fuzzed values, plus fields nobody asked for."""
    extra = extra or {}
    files = [name for name, field in form.fields.items() if isinstance(field, forms.FileField)]
    plausible = {name: _plausible(field, extra.get(name, {})) for name, field in form.fields.items()}
    fuzzed = {name: _value(field, extra.get(name, {})) for name, field in form.fields.items()}
    for name in keys_only:
        plausible[name] = fuzzed[name] = st.integers(-(2**63), 2**63 - 1).map(str)
    for name in files:
        del plausible[name], fuzzed[name]
    # Any subset of hostile values, or every field with a plausible value (else the valid paths are rarely reached).
    known = st.one_of(st.fixed_dictionaries({}, optional=fuzzed), st.fixed_dictionaries(plausible))
    unknown = st.dictionaries(st.text(min_size=1, max_size=12), st.one_of(text, st.lists(text, max_size=2)), max_size=3)
    return st.tuples(unknown, known).map(lambda pair: {**pair[0], **pair[1]})


uploads = st.builds(
    SimpleUploadedFile,
    name=st.tuples(
        st.text(st.characters(exclude_characters="/\\\x00"), min_size=1, max_size=80),
        st.sampled_from([".pdf", ".docx", ".xlsx", ".odt", ".ods", ".exe", ".pdf.exe", ".PDF", ""]),
    ).map("".join),
    content=st.one_of(
        st.binary(max_size=2_000),
        st.binary(max_size=2_000).map(lambda body: b"%PDF-1.4\n" + body),
        st.binary(max_size=200).map(lambda body: b"PK\x03\x04" + body),
    ),
    content_type=st.sampled_from(["application/pdf", "application/octet-stream", "text/html", "", "x/y; a=b"]),
)


def query_dict(data: dict) -> QueryDict:
    result = QueryDict(mutable=True)
    for key, value in data.items():
        result.setlist(key, value if isinstance(value, list) else [value])
    return result


# --- the forms ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewSpec:
    url: str
    persona: str
    kwargs: Callable[[dict], dict] = lambda w: {}
    models: tuple[str, ...] = ()  # "app.Model" whose rows must not change when the form is invalid
    multipart: bool = False
    page_fields: bool = False  # post the hidden inputs of the page too (the admin's inline management form)
    unchanged: Callable[[dict, Any], bool] | None = None  # a check of its own where no table changes
    method: str = "post"
    audit: bool = True  # whether the audit log counts as a change (a search logs every read)
    reauthenticated: bool = False  # the view asks for a password typed in the last minutes
    # Fields given only numbers that fit a key: the admin's autocomplete widget fails on anything else
    # (see test_the_admin_autocomplete_survives_a_key_that_is_not_a_number).
    keys_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    build: Callable[[dict, Any, Any], forms.BaseForm]  # (world, data, files) -> the form as its view makes it
    view: ViewSpec | None = None
    # Per field, more plausible values: {"field": {"strategies": [...]}}, or a function of the world giving that.
    extra: dict[str, Any] | Callable[[dict], dict[str, Any]] = field(default_factory=dict)
    files: bool = False
    # A form no input can make invalid (a single optional checkbox): nothing to refuse.
    always_valid: bool = False


def _login_form(w, data, files):
    from accounts.forms import LoginForm

    request = RequestFactory().post("/accounts/login/")
    request.session = SessionStore()
    return LoginForm(data, request=request)


def _tally_form(w, data, files):
    from activities.forms import TallyCorrectionForm

    return TallyCorrectionForm(data, bands=w["bands"], current={})


def _report_form(w, data, files):
    from reporting.forms import ReportRequestForm
    from reporting.selectors import scope_choices_for_user, years_with_sessions

    return ReportRequestForm(data, scopes=scope_choices_for_user(user=w["strategist"]), years=years_with_sessions())


def _scope_period_form(w, data, files):
    from reporting.forms import ScopePeriodForm
    from reporting.selectors import scope_choices_for_user, years_with_sessions

    return ScopePeriodForm(data, scopes=scope_choices_for_user(user=w["strategist"]), years=years_with_sessions())


def _narrative_form(w, data, files):
    from reporting.forms import NarrativeForm
    from reporting.models import Narrative

    key = {"scope_kind": "programme", "programme": w["programme"], "year": 2018, "language": "sv"}
    return NarrativeForm(data, instance=Narrative.objects.filter(**key).first() or Narrative(**key))


def _shared_space_form(w, data, files):
    from activities.forms import SharedSpaceBookingForm

    return SharedSpaceBookingForm(data, shares=[w["share"]])


def _transition_form(w, data, files):
    from partnerships.forms import TransitionForm

    w["agreement"].refresh_from_db()
    return TransitionForm(data, current=w["agreement"].status)


def _profile_form(w, data, files):
    from volunteers.forms import ProfileForm

    w["volunteer"].refresh_from_db()
    return ProfileForm(data, instance=w["volunteer"])


def _availability_form(w, data, files):
    from volunteers.forms import AvailabilityForm
    from volunteers.models import Availability

    return AvailabilityForm(data, instance=Availability(volunteer=w["volunteer"]))


def _erasure_form(w, data, files):
    from privacy.forms import ErasureForm

    return ErasureForm(data, code=w["participant"].code)


def _import_upload_form(w, data, files):
    from accounts.models import Organisation
    from imports.forms import UploadForm

    return UploadForm(data, files, organisations=Organisation.objects.filter(pk=w["programme"].lead_organisation_id))


def _week_filter_form(w, data, files):
    from web.workspace import OrganisationFilterForm

    return OrganisationFilterForm(data, organisations=[w["programme"].lead_organisation])


def _holiday_calendar(w):
    from activities.models import HolidayCalendar

    calendar, _ = HolidayCalendar.objects.get_or_create(name="Skollov", organisation=w["programme"].lead_organisation)
    return calendar


def _simple(path: str) -> Callable[[dict, Any, Any], forms.BaseForm]:
    def build(w, data, files):
        module, name = path.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)(data, files)

    return build


def _tablet_unchanged(data, response) -> bool:
    from activities.views.tablet import cookie_name

    return "forget" in data or cookie_name() not in response.cookies


FORMS: dict[str, FormSpec] = {
    "accounts.forms.LoginForm": FormSpec(
        build=_login_form,
        # A failed sign-in is audited (and rate-limited): only the account and the sessions must stay as they were.
        view=ViewSpec(
            url="account_login", persona="anonymous", models=("accounts.User", "sessions.Session"), audit=False
        ),
        extra={
            "login": {"strategies": [st.sampled_from(["bob@example.org", "alice@example.org", "BOB@EXAMPLE.ORG "])]},
            "password": {"strategies": [st.just(PASSWORD)]},
        },
    ),
    "activities.forms.ActivityAdminForm": FormSpec(
        build=_simple("activities.forms.ActivityAdminForm"),
        view=ViewSpec(
            url="admin:activities_activity_add",
            persona="coordinator",
            models=("activities.Activity", "activities.Schedule", "activities.Session", "admin.LogEntry"),
            page_fields=True,
            keys_only=("programme", "venue", "outreach_organisation", "leaders"),
        ),
    ),
    "activities.forms.ActivityInlineForm": FormSpec(
        build=_simple("activities.forms.ActivityInlineForm"),
        view=ViewSpec(
            url="admin:activities_programme_add",
            persona="coordinator",
            models=("activities.Programme", "activities.Activity", "admin.LogEntry"),
            page_fields=True,
            keys_only=("venue", "lead_organisation", "partner_organisations", "districts"),
        ),
    ),
    "activities.forms.SessionAdminForm": FormSpec(
        build=_simple("activities.forms.SessionAdminForm"),
        view=ViewSpec(
            url="admin:activities_session_add",
            persona="coordinator",
            models=("activities.Session", "activities.Tally", "activities.CheckIn", "admin.LogEntry"),
            page_fields=True,
            keys_only=("activity", "schedule", "space", "leaders_present"),
        ),
    ),
    "activities.forms.ScheduleForm": FormSpec(
        build=_simple("activities.forms.ScheduleForm"),
        view=ViewSpec(
            url="admin:activities_schedule_add",
            persona="coordinator",
            models=("activities.Schedule", "activities.ScheduleDate", "activities.Session", "admin.LogEntry"),
            page_fields=True,
            keys_only=("activity", "holiday_calendar", "space"),
        ),
        extra={"weekdays": {"strategies": [st.sampled_from(["MO", "TU", "SU", "XX"])]}},
    ),
    "activities.forms.HolidayImportForm": FormSpec(
        build=_simple("activities.forms.HolidayImportForm"),
        view=ViewSpec(
            url="admin:activities_holidaycalendar_import",
            persona="coordinator",
            kwargs=lambda w: {"object_id": _holiday_calendar(w).pk},
            # Uploading only previews: nothing is written until a signed confirmation.
            models=("activities.SchoolHoliday",),
            multipart=True,
        ),
        files=True,
    ),
    "imports.forms.UploadForm": FormSpec(build=_import_upload_form, files=True),
    "imports.forms.ConfirmForm": FormSpec(build=_simple("imports.forms.ConfirmForm"), always_valid=True),
    "web.workspace.OrganisationFilterForm": FormSpec(build=_week_filter_form),
    "activities.forms.TallyCorrectionForm": FormSpec(
        build=_tally_form,
        view=ViewSpec(
            url="attendance:correct",
            persona="coordinator",
            kwargs=lambda w: {"pk": w["held"].pk},
            models=("activities.Tally", "activities.AttendanceEvent"),
        ),
    ),
    "activities.forms.SharedSpaceBookingForm": FormSpec(
        build=_shared_space_form,
        view=ViewSpec(
            url="spaces:book",
            persona="outsider",
            kwargs=lambda w: {"pk": w["share"].space_id},
            models=("activities.SpaceBooking", "activities.SpaceBookingRequest"),
        ),
        extra=lambda w: {"organisation": {"strategies": [st.just(str(w["share"].organisation_id))]}},
    ),
    "activities.forms.TabletVenueForm": FormSpec(
        build=lambda w, data, files: importlib.import_module("activities.forms").TabletVenueForm(
            data, venues=[w["venue"]]
        ),
        view=ViewSpec(url="attendance:tablet", persona="leader", unchanged=_tablet_unchanged),
    ),
    "partnerships.forms.AgreementDocumentAdminForm": FormSpec(
        build=_simple("partnerships.forms.AgreementDocumentAdminForm"),
        view=ViewSpec(
            url="admin:partnerships_agreementdocument_add",
            persona="coordinator",
            models=("partnerships.AgreementDocument", "admin.LogEntry"),
            multipart=True,
            page_fields=True,
            keys_only=("agreement",),
        ),
        files=True,
    ),
    "partnerships.forms.DocumentForm": FormSpec(
        build=_simple("partnerships.forms.DocumentForm"),
        view=ViewSpec(
            url="partnerships:document-upload",
            persona="coordinator",
            kwargs=lambda w: {"slug": w["agreement"].slug},
            models=("partnerships.AgreementDocument",),
            multipart=True,
        ),
        files=True,
    ),
    "partnerships.forms.TransitionForm": FormSpec(
        build=_transition_form,
        view=ViewSpec(
            url="partnerships:status",
            persona="coordinator",
            kwargs=lambda w: {"slug": w["agreement"].slug},
            models=("partnerships.Agreement", "partnerships.AgreementStatusChange"),
        ),
    ),
    "privacy.forms.ErasureForm": FormSpec(
        build=_erasure_form,
        view=ViewSpec(
            url="privacy:participant-erase",
            persona="coordinator",
            kwargs=lambda w: {"code": w["participant"].code},
            models=("activities.Participant",),
            reauthenticated=True,
        ),
        extra=lambda w: {
            "confirm": {"strategies": [st.sampled_from([w["participant"].code, f" {w['participant'].code.lower()}"])]}
        },
    ),
    "privacy.forms.ParticipantSearchForm": FormSpec(
        build=_simple("privacy.forms.ParticipantSearchForm"),
        view=ViewSpec(
            url="privacy:participants",
            persona="coordinator",
            models=("activities.Participant",),
            method="get",
            audit=False,
        ),
    ),
    "reporting.forms.NarrativeForm": FormSpec(
        build=_narrative_form,
        view=ViewSpec(
            url="reports:narrative",
            persona="coordinator",
            kwargs=lambda w: {"kind": "programme", "pk": w["programme"].pk, "year": 2018, "language": "sv"},
            models=("reporting.Narrative",),
        ),
    ),
    # The dashboard's picker: a GET with prefixed names ("show-scope"), which the
    # view falls back from to the default scope; fuzzed as a form, and the view
    # by tests/reporting/test_views.py.
    "reporting.forms.ScopePeriodForm": FormSpec(build=_scope_period_form),
    "reporting.forms.ReportRequestForm": FormSpec(
        build=_report_form,
        view=ViewSpec(url="reports:request-create", persona="strategist", models=("reporting.ReportRequest",)),
    ),
    "volunteers.forms.AvailabilityForm": FormSpec(
        build=_availability_form,
        view=ViewSpec(
            url="volunteering:me-availability", persona="volunteer_user", models=("volunteers.Availability",)
        ),
    ),
    "volunteers.forms.HoursForm": FormSpec(
        build=_simple("volunteers.forms.HoursForm"),
        view=ViewSpec(url="volunteering:me-hours", persona="volunteer_user", models=("volunteers.HoursLog",)),
    ),
    "volunteers.forms.ProfileForm": FormSpec(
        build=_profile_form,
        view=ViewSpec(
            url="volunteering:me-profile",
            persona="volunteer_user",
            models=(
                "volunteers.Volunteer",
                "volunteers.Volunteer_skills",
                "volunteers.Volunteer_languages",
                "volunteers.Volunteer_districts",
            ),
        ),
    ),
    # Defined but no view uses it: placement_action reads request.POST["reason"] itself.
    "volunteers.forms.EndForm": FormSpec(build=_simple("volunteers.forms.EndForm")),
    "volunteers.forms.ScreeningForm": FormSpec(
        build=_simple("volunteers.forms.ScreeningForm"),
        view=ViewSpec(
            url="volunteering:screening",
            persona="coordinator",
            kwargs=lambda w: {"pk": w["volunteer"].pk},
            models=("volunteers.ScreeningCheck", "volunteers.Volunteer"),
        ),
    ),
    "volunteers.forms.VolunteersMessageForm": FormSpec(
        build=_simple("volunteers.forms.VolunteersMessageForm"),
        view=ViewSpec(
            url="volunteering:activity-message",
            persona="coordinator",
            kwargs=lambda w: {"pk": w["activity"].pk},
            models=("core.OutgoingMessage",),
        ),
    ),
}

VIEWS = sorted(name for name, spec in FORMS.items() if spec.view is not None)


@pytest.fixture
def fuzz_world(organisation, other_organisation, municipality, leader, coordinator, strategist, volunteer_user):
    """What the forms choose from: a programme with two age bands, a held session in 2018, an agreement, Vera's profile."""
    district = DistrictFactory(municipality=municipality)
    venue = VenueFactory(organisation=organisation, district=district)
    share = SpaceShareFactory(space=SpaceFactory(venue=venue, shared=True), organisation=other_organisation)
    programme = ProgrammeFactory(lead_organisation=organisation, starts_on=dt.date(2016, 1, 1))
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme, venue=venue, attendance_mode=AttendanceMode.OPEN_DOOR)
    activity.leaders.add(leader)
    bands = [AgeBandFactory(organisation=organisation, min_age=low, max_age=high) for low, high in ((0, 12), (13, 17))]
    held = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=dt.UTC), status=SessionStatus.HELD
    )
    TallyFactory(session=held, age_band=bands[0], visits=12, first_visits=2)
    now = timezone.now().replace(microsecond=0)
    SessionFactory(activity=activity, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2))
    agreement = AgreementFactory(organisation=organisation)
    AgreementPartyFactory(agreement=agreement, organisation=municipality)
    SkillFactory(), LanguageFactory()
    volunteer = VolunteerFactory(organisation=organisation, user=volunteer_user)
    participant = ParticipantFactory(organisation=organisation)
    return {
        "share": share,
        "programme": programme,
        "activity": activity,
        "venue": venue,
        "bands": bands,
        "held": held,
        "agreement": agreement,
        "volunteer": volunteer,
        "strategist": strategist,
        "participant": participant,
    }


@pytest.mark.django_db
def test_every_form_is_fuzzed():
    assert set(form_classes()) == set(FORMS), "add the new form to FORMS (and its view, if it has one)"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_form_never_raises(name, fuzz_world, tmp_path, settings):
    # Hundreds of failed sign-ins are the point here, not a brute-force attack:
    # allauth's limits (tested in tests/accounts) would otherwise lock alice@
    # and bob@ in the shared cache for the tests that sign them in next.
    settings.ACCOUNT_RATE_LIMITS = False
    settings.MEDIA_ROOT = tmp_path
    spec = FORMS[name]
    template = spec.build(fuzz_world, None, None)
    outcomes = {"valid": 0, "invalid": 0}

    @hypothesis.settings(max_examples=FORM_EXAMPLES, **SETTINGS)
    @given(
        data=form_data(template, _extra(spec, fuzz_world)),
        upload=st.one_of(st.none(), uploads) if spec.files else st.none(),
    )
    def fuzz(data, upload):
        form = spec.build(fuzz_world, query_dict(data), {"file": upload} if upload else None)
        valid = form.is_valid()
        outcomes["valid" if valid else "invalid"] += 1
        form_errors_text(form)  # what a view shows after a redirect
        form.as_div()  # and what it shows when it renders the form again

    fuzz()

    print(f"\n{name}: {sum(outcomes.values())} examples, {outcomes}")
    assert sum(outcomes.values()) >= FORM_EXAMPLES
    assert outcomes["invalid"] or spec.always_valid


def _snapshot(models: tuple[str, ...], audit: bool = True) -> dict[str, list]:
    tables = (*models, "core.AuditLogEntry") if audit else models
    snapshot = {}
    for label in tables:
        app_label, model_name = label.split(".")
        if model_name.count("_"):  # an implicit many-to-many table, e.g. Volunteer_skills
            owner, relation = model_name.split("_", 1)
            model = getattr(apps.get_model(app_label, owner), relation).through
        else:
            model = apps.get_model(app_label, model_name)
        snapshot[label] = list(model.objects.order_by("pk").values_list())
    return snapshot


def _page_fields(client: Client, url: str) -> dict[str, str]:
    """The hidden inputs of the page (an admin page's inline management form)."""
    import re

    page = client.get(url).content.decode()
    return dict(
        re.findall(r'<input type="hidden" name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', page)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", VIEWS)
def test_a_form_posted_to_its_view(request, name, fuzz_world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    # The throttles (core.throttles) would answer most of the fuzzed posts with 429 and so hide the view.
    settings.KVARTER_THROTTLE_RATES = dict.fromkeys(getattr(settings, "KVARTER_THROTTLE_RATES", {}))
    settings.ACCOUNT_RATE_LIMITS = False  # as in test_a_form_never_raises
    spec = FORMS[name]
    view = spec.view
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if view.reauthenticated:
        sign_in(client, request.getfixturevalue(view.persona))
    elif view.persona != "anonymous":
        client.force_login(request.getfixturevalue(view.persona))
    url = reverse(view.url, kwargs=view.kwargs(fuzz_world))
    page = _page_fields(client, url) if view.page_fields else {}
    template = spec.build(fuzz_world, None, None)
    statuses: dict[int, int] = {}

    @hypothesis.settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(
        data=form_data(template, _extra(spec, fuzz_world), view.keys_only),
        upload=st.one_of(st.none(), uploads) if spec.files else st.none(),
    )
    def fuzz(data, upload):
        data = {**page, **data}
        valid = spec.build(fuzz_world, query_dict(data), {"file": upload} if upload else None).is_valid()
        if upload is not None:
            upload.seek(0)
        before = _snapshot(view.models, view.audit)

        # From a documentation address (RFC 5737), not loopback: fifty failed
        # sign-ins must not trip the per-address limit in the shared cache for
        # the browser tests that sign in from 127.0.0.1 next.
        source = {"REMOTE_ADDR": "192.0.2.250"}
        if view.method == "get":
            response = client.get(url, query_dict(data), **source)
        elif view.multipart:
            response = client.post(url, {**data, **({"file": upload} if upload else {})}, **source)
        else:
            body = urlencode([(key, value) for key, values in query_dict(data).lists() for value in values])
            response = client.post(url, body, content_type="application/x-www-form-urlencoded", **source)

        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500
        if not valid and not _is_real_login(name, data):
            assert _snapshot(view.models, view.audit) == before
            if view.unchanged is not None:
                assert view.unchanged(data, response)

    fuzz()

    print(f"\n{name} -> {view.url}: {sum(statuses.values())} posts, statuses {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= VIEW_EXAMPLES
    assert set(statuses) <= {200, 302, 400, 404, 429}, statuses  # 429: allauth's limit on failed sign-ins


def _extra(spec: FormSpec, world: dict) -> dict[str, Any]:
    return spec.extra(world) if callable(spec.extra) else spec.extra  # noqa: S610 - not QuerySet.extra


def _is_real_login(name: str, data: dict) -> bool:
    """A right e-mail and password: the form built here and the view's would count the same attempt twice."""
    return name == "accounts.forms.LoginForm" and data.get("password") == PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("admin_page", "field", "key"),
    [
        ("admin:activities_schedule_add", "activity", "x"),  # not a number: ValueError in the lookup
        (
            "admin:activities_schedule_add",
            "activity",
            "99999999999999999999",
        ),  # beyond 64 bits: OverflowError on SQLite
        ("admin:activities_schedule_add", "activity", "-1"),  # a number that is no row
        ("admin:volunteers_vacancy_add", "skills", "x"),  # many-to-many
    ],
)
def test_the_admin_autocomplete_survives_a_key_that_is_not_a_key(
    client, coordinator, fuzz_world, admin_page, field, key
):
    """Django's AutocompleteSelect looks the posted value up again when it
    renders the invalid form; core.widgets keeps only values the column can hold."""
    client.force_login(coordinator)
    url = reverse(admin_page)
    page = _page_fields(client, url)
    counts = _snapshot(("activities.Schedule", "volunteers.Vacancy"), audit=False)

    response = client.post(url, {**page, field: key})

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert _snapshot(("activities.Schedule", "volunteers.Vacancy"), audit=False) == counts
