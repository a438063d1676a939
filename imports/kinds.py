"""What each kind of import reads, how a row is matched, and how it is written and taken back.

A kind names its columns (a label translated into every language is also a
header the file may use), cleans one row into values, plans a chunk of rows
against the database (create, update, unchanged or a row error) with a
constant number of queries per chunk, and writes a plan. References (a
district, an activity, an age band) resolve only within the importing
organisation: one that does not is a row error, never a new object.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import DateField, Q
from django.db.models.functions import Lower, TruncMonth
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.enums import Country, OrganisationKind
from accounts.models import Organisation
from activities.enums import WEEKDAY_CHOICES, WEEKDAY_CODES, ActivityCategory, Gender, HolidayRule, SessionStatus
from activities.models import (
    Activity,
    AgeBand,
    AttendanceHistory,
    HolidayCalendar,
    Participant,
    Programme,
    Schedule,
    Session,
)
from activities.rollup import rollup_refresh_cells
from activities.services.schedules import schedule_generate_sessions
from core.spreadsheet_reading import (
    ValueProblem,
    normalise_header,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_month,
    parse_time,
    parse_year,
    text,
)
from partnerships.enums import AgreementKind, Currency, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding
from venues.enums import SpaceKind
from venues.models import District, Space, Venue
from volunteers.enums import ScreeningKind, VolunteerStatus
from volunteers.models import Language, ScreeningCheck, Skill, Volunteer

from .enums import ImportKind

LANGUAGES = ("sv", "nl", "en")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    help: Promise
    example: Any = ""
    required: bool = False
    # The values a template's drop-down offers (names in the user's language).
    choices: Callable[[Any], list[str]] | None = None
    # Other headers old sheets use for it, in any language.
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Every header that means this column: its label in each language, its key and its aliases."""
        found = {normalise_header(self.key)} | {normalise_header(alias) for alias in self.aliases}
        for language in LANGUAGES:
            with translation.override(language):
                found.add(normalise_header(str(self.label)))
        return found


@dataclass
class RowError:
    row: int
    column: str  # the key; the header the file used is filled in by the caller
    value: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class RowInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Plan:
    """A chunk's outcome: the rows to create and update, how many are unchanged, and the bad rows."""

    create: list[Any] = field(default_factory=list)
    update: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # (object with new values, old values)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _gender_choices() -> list[tuple[str, list[str]]]:
    names: dict[str, list[str]] = {code: [] for code in Gender.values}
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in Gender.choices:
                names[code].append(str(label))
    # What old sheets write: kvinna/man/flicka/pojke, vrouw/man/meisje/jongen, girl/boy.
    names[Gender.FEMALE] += ["kvinna", "flicka", "tjej", "k", "vrouw", "meisje", "v", "girl", "woman"]
    names[Gender.MALE] += ["man", "pojke", "kille", "m", "jongen", "boy"]
    names[Gender.OTHER] += ["annat", "annan", "anders", "x", "other", "-"]
    return list(names.items())


def gender_labels(_organisation: Organisation) -> list[str]:
    return [str(label) for label in Gender.labels]


def _day_first(organisation: Organisation) -> bool:
    # Sweden and the Netherlands both write the day first (5/3/2018 is 5 March).
    return organisation.country in (Country.SWEDEN, Country.NETHERLANDS)


def _problem(number: int, key: str, value: Any, problem: ValueProblem) -> RowError:
    return RowError(number, key, text(value), problem.message, {"value": text(value), **problem.params})


def _validation_errors(number: int, raw: dict[str, Any], error: ValidationError) -> list[RowError]:
    found = []
    for key, messages in error.message_dict.items():
        for message in messages:
            # Already translated by the model (in the active language): shown as is.
            found.append(RowError(number, key, text(raw.get(key)), "%(text)s", {"text": str(message)}))
    return found


class Kind:
    kind: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    natural_key: ClassVar[Promise]
    rules: ClassVar[Sequence[Promise]] = ()
    # Rows per chunk (a few queries each); None: the whole file at once.
    chunk_size: ClassVar[int | None] = 1000

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.day_first = _day_first(organisation)
        self.seen: set[Any] = set()
        # What writing found that is no row error (a room taken): shown with the rows once imported.
        self.notices: list[RowError] = []

    @classmethod
    def header_names(cls) -> dict[str, str]:
        return {name: column.key for column in cls.columns for name in column.names()}

    @classmethod
    def column(cls, key: str) -> Column:
        return next(column for column in cls.columns if column.key == key)

    def clean(self, number: int, raw: dict[str, Any]) -> dict[str, Any]:
        """The row's values, or RowInvalid with every problem of the row."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for column in self.columns:
            if column.key not in raw:
                continue
            value = raw[column.key]
            if value is None or text(value) == "":
                if column.required:
                    errors.append(RowError(number, column.key, "", gettext_noop("a value is required")))
                continue
            try:
                values[column.key] = self.read(column.key, value)
            except ValueProblem as problem:
                errors.append(_problem(number, column.key, value, problem))
        if errors:
            raise RowInvalid(errors)
        return values

    def read(self, key: str, value: Any) -> Any:
        raise NotImplementedError

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        raise NotImplementedError

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        """Write a plan; answer the new primary keys and {pk: old values} of the updated rows."""
        raise NotImplementedError

    def after_write(self) -> None:
        """Once every chunk is written (in the same transaction)."""

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        """Why the created rows cannot be deleted (translated sentences); empty: they can."""
        return []

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        raise NotImplementedError


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value


def _from_json(model: Any, name: str, value: Any) -> Any:
    return model._meta.get_field(name).to_python(value)


# --- Participants -------------------------------------------------------------------------


class ParticipantKind(Kind):
    kind = ImportKind.PARTICIPANTS
    columns = (
        Column(
            "alias",
            _("First name or alias"),
            _("As the participant is called; no surname needed."),
            "Amina",
            True,
            aliases=("alias", "namn", "förnamn", "name", "first name", "naam", "voornaam"),
        ),
        Column(
            "birth_year",
            _("Birth year"),
            _("Four digits, for example 2008."),
            2008,
            True,
            aliases=("född", "födelseår", "year of birth", "geboren", "geboortejaar"),
        ),
        Column(
            "gender",
            _("Gender"),
            _("Female, male or other; empty: other or unstated."),
            str(Gender.FEMALE.label),
            choices=gender_labels,
        ),
        Column(
            "district",
            _("District"),
            _("A district of your municipality, by its name as Kvarter knows it."),
            "",
            choices=lambda organisation: [district.name for district in _districts(organisation).values()],
            aliases=("område", "buurt", "stadsdeel", "area"),
        ),
        Column(
            "consent_given_on",
            _("Consent given on"),
            _("The date the participant (or a guardian) agreed to be registered."),
            dt.date(2024, 9, 2),
            True,
            aliases=("samtycke", "samtycke lämnat", "consent", "consent date", "toestemming", "toestemming op"),
        ),
        Column(
            "guardian_consent",
            _("Guardian consent"),
            _("Yes or no; required for participants under 18."),
            str(_("yes")),
            choices=lambda _organisation: [str(_("yes")), str(_("no"))],
            aliases=("vårdnadshavare", "målsman", "parental consent", "toestemming ouder", "ouder"),
        ),
        Column(
            "retain_until",
            _("Keep until"),
            _("After this date the record is erased; may be empty."),
            "",
            aliases=("spara till", "sparas till", "retain until", "bewaren tot"),
        ),
    )
    natural_key = _(
        "A row is the same participant as one in Kvarter when the first name or alias (ignoring capitals) "
        "and the birth year are the same. Importing the file again changes nothing."
    )
    # The fields a row may change on an existing participant (the key is the rest).
    updatable = ("gender", "district_id", "consent_given_on", "guardian_consent", "retain_until")
    field_of = {
        "gender": "gender",
        "district": "district_id",
        "consent_given_on": "consent_given_on",
        "guardian_consent": "guardian_consent",
        "retain_until": "retain_until",
    }

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.districts = _districts(organisation)

    def read(self, key: str, value: Any) -> Any:
        if key == "alias":
            alias = text(value)
            if len(alias) > 60:
                raise ValueProblem(gettext_noop("'%(value)s' is longer than %(limit)s characters"), limit=60)
            return alias
        if key == "birth_year":
            return parse_year(value)
        if key == "gender":
            return parse_choice(value, _gender_choices())
        if key == "district":
            district = self.districts.get(normalise_header(value))
            if district is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not a district of your organisation"))
            return district
        if key == "guardian_consent":
            return parse_bool(value)
        return parse_date(value, day_first=self.day_first)

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        keys = {(values["alias"].casefold(), values["birth_year"]) for _number, values in rows}
        existing: dict[tuple[str, int], list[Any]] = {}
        if keys:
            found = (
                Participant.objects.filter(organisation=self.organisation, birth_year__in={year for _a, year in keys})
                .annotate(alias_key=Lower("alias"))
                .filter(alias_key__in={alias for alias, _y in keys})
            )
            for participant in found:
                existing.setdefault((participant.alias.casefold(), participant.birth_year), []).append(participant)
        for number, values in rows:
            key = (values["alias"].casefold(), values["birth_year"])
            if key in self.seen:
                plan.errors.append(
                    RowError(
                        number, "alias", values["alias"], gettext_noop("the same participant is on an earlier row")
                    )
                )
                continue
            self.seen.add(key)
            matches = existing.get(key, [])
            if len(matches) > 1:
                plan.errors.append(
                    RowError(
                        number,
                        "alias",
                        values["alias"],
                        gettext_noop("'%(value)s' matches several participants in Kvarter"),
                        {"value": values["alias"]},
                    )
                )
                continue
            # A column the file leaves out, or a cell left empty, keeps what Kvarter has.
            fields = {
                self.field_of[key]: value.pk if key == "district" else value
                for key, value in values.items()
                if key in self.field_of
            }
            target: Participant
            if matches:
                participant = matches[0]
                old = {name: getattr(participant, name) for name in fields}
                changed = {name: value for name, value in fields.items() if old[name] != value}
                if not changed:
                    plan.unchanged += 1
                    continue
                for name, value in changed.items():
                    setattr(participant, name, value)
                target = participant
            else:
                target = Participant(
                    organisation=self.organisation, alias=values["alias"], birth_year=values["birth_year"], **fields
                )
            try:
                target.clean_fields(exclude=["organisation", "district", "code", "client_id"])
                target.clean()
            except ValidationError as error:
                if matches:
                    # Leave the loaded object as it was (a later row might read it).
                    for name, value in old.items():
                        setattr(target, name, value)
                plan.errors.extend(_validation_errors(number, values, error))
                continue
            if matches:
                plan.update.append((target, {name: _json(old[name]) for name in changed}))
            else:
                plan.create.append(target)
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created = Participant.objects.bulk_create(plan.create)
        if plan.update:
            Participant.objects.bulk_update([obj for obj, _old in plan.update], self.updatable)
        return [obj.pk for obj in created], {str(obj.pk): old for obj, old in plan.update}

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        used = Participant.objects.filter(pk__in=created_ids).filter(
            Q(check_ins__isnull=False) | Q(attendance_events__isnull=False)
        )
        count = used.distinct().count()
        if not count:
            return []
        return [
            translation.ngettext(
                "%(count)s imported participant has been checked in since.",
                "%(count)s imported participants have been checked in since.",
                count,
            )
            % {"count": count}
        ]

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        Participant.objects.filter(organisation=organisation, pk__in=created_ids).delete()
        restore = Participant.objects.filter(organisation=organisation, pk__in=[int(pk) for pk in previous])
        changed = []
        names: set[str] = set()
        for participant in restore:
            for name, value in previous[str(participant.pk)].items():
                setattr(participant, name, _from_json(Participant, name, value))
                names.add(name)
            changed.append(participant)
        if changed:
            Participant.objects.bulk_update(changed, sorted(names))


def _districts(organisation: Organisation) -> dict[str, District]:
    """The districts an organisation's rows may name: its municipality's (itself or its parent) and its venues'."""
    owners = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    found = District.objects.filter(Q(municipality_id__in=owners) | Q(venues__organisation=organisation)).distinct()
    return {normalise_header(district.name): district for district in found}


# --- Attendance before Kvarter --------------------------------------------------------------


def _age_band_label(band: AgeBand) -> str:
    return band.label


def _age_band_labels(organisation: Organisation) -> list[str]:
    return [band.label for band in AgeBand.objects.filter(organisation=organisation).order_by("min_age")]


class AttendanceKind(Kind):
    kind = ImportKind.ATTENDANCE
    columns = (
        Column("activity", _("Activity"), _("The activity's name as in Kvarter."), "Café och mötesplats", True),
        Column("programme", _("Programme"), _("Only needed when two programmes have an activity of that name."), ""),
        Column(
            "month",
            _("Month"),
            _("The month, as 2016-09; or the date of a session (rows of one month are added together)."),
            "2016-09",
            True,
        ),
        Column(
            "age_band",
            _("Age band"),
            _("One of your organisation's age bands, e.g. 13–17."),
            "13–17",
            True,
            choices=_age_band_labels,
        ),
        Column("gender", _("Gender"), _("Female, male or other."), str(Gender.MALE.label), True, choices=gender_labels),
        Column("visits", _("Visits"), _("The number of visits, a whole number."), 42, True),
        Column("first_visits", _("First visits"), _("Of these, first visits that year; may be empty."), ""),
        Column("source", _("Source"), _("Where the figures come from, e.g. the old sheet's name."), ""),
    )
    natural_key = _(
        "A row is matched by activity, month, age band and gender; rows of the same month are added together. "
        "Importing the file again changes nothing."
    )
    rules = (
        _(
            "A month in which the activity has sessions in Kvarter is counted from its sessions: a row for such "
            "a month is refused, so nothing is counted twice."
        ),
    )
    # History sheets are small (months × bands × genders): read at once, so rows of one month add up.
    chunk_size = None

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.activities: dict[str, list[Activity]] = {}
        for activity in Activity.objects.filter(programme__lead_organisation=organisation).select_related("programme"):
            self.activities.setdefault(normalise_header(activity.name), []).append(activity)
        self.bands = {
            normalise_header(band.label.replace("–", "-")): band
            for band in AgeBand.objects.filter(organisation=organisation)
        }
        self.cells: set[tuple[int, dt.date]] = set()

    def read(self, key: str, value: Any) -> Any:
        if key in ("activity", "programme", "source"):
            return text(value)[:200]
        if key == "month":
            return parse_month(value, day_first=self.day_first)
        if key == "age_band":
            band = self.bands.get(normalise_header(text(value).replace("–", "-").replace("—", "-")))
            if band is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not one of your organisation's age bands"))
            return band
        if key == "gender":
            return parse_choice(value, _gender_choices())
        number = parse_int(value)
        if number < 0:
            raise ValueProblem(gettext_noop("'%(value)s' is not a whole number"))
        return number

    def _activity(self, values: dict[str, Any]) -> Activity:
        candidates = self.activities.get(normalise_header(values["activity"]), [])
        if values.get("programme"):
            candidates = [
                a for a in candidates if normalise_header(a.programme.name) == normalise_header(values["programme"])
            ]
        if not candidates:
            raise ValueProblem(gettext_noop("'%(value)s' is not an activity of your organisation"))
        if len(candidates) > 1:
            raise ValueProblem(gettext_noop("'%(value)s' names activities in several programmes: add the programme"))
        return candidates[0]

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        sums: dict[tuple[int, dt.date, int, str], dict[str, Any]] = {}
        for number, values in rows:
            try:
                activity = self._activity(values)
            except ValueProblem as problem:
                plan.errors.append(_problem(number, "activity", values["activity"], problem))
                continue
            first = values.get("first_visits", 0)
            if first > values["visits"]:
                plan.errors.append(
                    RowError(number, "first_visits", str(first), gettext_noop("first visits cannot exceed visits"))
                )
                continue
            key = (activity.pk, values["month"], values["age_band"].pk, values["gender"])
            cell = sums.setdefault(
                key, {"visits": 0, "first_visits": 0, "source": values.get("source", ""), "rows": []}
            )
            cell["visits"] += values["visits"]
            cell["first_visits"] += first
            cell["rows"].append(number)
        if not sums:
            return plan
        activity_ids = {key[0] for key in sums}
        with_sessions = set(
            Session.objects.filter(activity_id__in=activity_ids)
            .exclude(status=SessionStatus.CANCELLED)
            .annotate(month=TruncMonth("starts_at", output_field=DateField()))
            .values_list("activity_id", "month")
            .distinct()
        )
        existing = {
            (row.activity_id, row.month, row.age_band_id, row.gender): row
            for row in AttendanceHistory.objects.filter(activity_id__in=activity_ids)
        }
        for key, cell in sums.items():
            activity_id, month, band_id, gender = key
            if (activity_id, month) in with_sessions:
                for number in cell["rows"]:
                    plan.errors.append(
                        RowError(
                            number,
                            "month",
                            f"{month:%Y-%m}",
                            gettext_noop("the activity has sessions in Kvarter in %(month)s: they count for it"),
                            {"month": f"{month:%Y-%m}"},
                        )
                    )
                continue
            self.cells.add((activity_id, month))
            row = existing.get(key)
            if row is None:
                plan.create.append(
                    AttendanceHistory(
                        activity_id=activity_id,
                        month=month,
                        age_band_id=band_id,
                        gender=gender,
                        visits=cell["visits"],
                        first_visits=cell["first_visits"],
                        source=cell["source"],
                    )
                )
                continue
            new = {"visits": cell["visits"], "first_visits": cell["first_visits"], "source": cell["source"]}
            old = {name: getattr(row, name) for name in new}
            if old == new:
                plan.unchanged += 1
                continue
            for name, value in new.items():
                setattr(row, name, value)
            plan.update.append((row, old))
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created = AttendanceHistory.objects.bulk_create(plan.create)
        if plan.update:
            AttendanceHistory.objects.bulk_update(
                [row for row, _old in plan.update], ["visits", "first_visits", "source"]
            )
        return [row.pk for row in created], {str(row.pk): old for row, old in plan.update}

    def after_write(self) -> None:
        rollup_refresh_cells(cells=self.cells, check_ins=False)

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        mine = AttendanceHistory.objects.filter(activity__programme__lead_organisation=organisation)
        ids = [*created_ids, *(int(pk) for pk in previous)]
        cells = set(mine.filter(pk__in=ids).values_list("activity_id", "month"))
        mine.filter(pk__in=created_ids).delete()
        rows = list(mine.filter(pk__in=[int(pk) for pk in previous]))
        for row in rows:
            for name, value in previous[str(row.pk)].items():
                setattr(row, name, value)
        if rows:
            AttendanceHistory.objects.bulk_update(rows, ["visits", "first_visits", "source"])
        rollup_refresh_cells(cells=cells, check_ins=False)


# --- Venues and their spaces ------------------------------------------------------------------


def _space_kind_choices() -> list[tuple[str, list[str]]]:
    names: dict[str, list[str]] = {code: [] for code in SpaceKind.values}
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in SpaceKind.choices:
                names[code].append(str(label))
    return list(names.items())


class VenueKind(Kind):
    """One row per space (the venue's columns repeated), or one row for a venue without spaces."""

    kind = ImportKind.VENUES
    columns = (
        Column(
            "venue",
            _("Venue"),
            _("The venue's name; rows with the same name are one venue."),
            "Bäckbyhuset",
            True,
            aliases=("lokal", "mötesplats", "locatie", "venue name"),
        ),
        Column(
            "district",
            _("District"),
            _("A district of your municipality, by its name as Kvarter knows it."),
            "",
            choices=lambda organisation: [district.name for district in _districts(organisation).values()],
            aliases=("område", "buurt", "stadsdeel"),
        ),
        Column(
            "street_address",
            _("Street address"),
            _("May be empty."),
            "Bäckbyvägen 1",
            aliases=("adress", "adres", "address"),
        ),
        Column("postal_code", _("Postal code"), _("May be empty."), "723 43", aliases=("postnummer", "postcode")),
        Column("city", _("City"), _("May be empty."), "Västerås", aliases=("ort", "stad", "plaats")),
        Column("capacity", _("Capacity"), _("How many people the venue holds; may be empty."), 120),
        Column(
            "space",
            _("Space"),
            _("A room or area in the venue; empty: the venue only."),
            "Öppna ytan",
            aliases=("rum", "ruimte", "room"),
        ),
        Column(
            "space_kind",
            _("Kind of space"),
            _("Room, open area, café, hall, kitchen, workshop or outdoor area."),
            str(SpaceKind.OPEN_AREA.label),
            choices=lambda _organisation: [str(label) for label in SpaceKind.labels],
        ),
        Column("space_capacity", _("Space capacity"), _("How many people the space holds; may be empty."), 60),
    )
    natural_key = _(
        "A venue is matched by its name (ignoring capitals) within your organisation, a space by its venue and "
        "its name. Importing the file again changes nothing."
    )
    chunk_size = None  # venue lists are short, and rows of one venue must meet
    venue_fields = ("district_id", "street_address", "postal_code", "city", "capacity")
    space_fields = ("kind", "capacity")

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.districts = _districts(organisation)

    def read(self, key: str, value: Any) -> Any:
        if key == "district":
            district = self.districts.get(normalise_header(value))
            if district is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not a district of your organisation"))
            return district
        if key in ("capacity", "space_capacity"):
            number = parse_int(value)
            if number < 0:
                raise ValueProblem(gettext_noop("'%(value)s' is not a whole number"))
            return number
        if key == "space_kind":
            return parse_choice(value, _space_kind_choices())
        limit = {"venue": 200, "space": 100, "postal_code": 12, "city": 100}.get(key, 200)
        result = text(value)
        if len(result) > limit:
            raise ValueProblem(gettext_noop("'%(value)s' is longer than %(limit)s characters"), limit=limit)
        return result

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        venues = {normalise_header(venue.name): venue for venue in Venue.objects.filter(organisation=self.organisation)}
        spaces = {
            (space.venue_id, normalise_header(space.name)): space
            for space in Space.objects.filter(venue__organisation=self.organisation)
        }
        self.new_spaces: list[tuple[str, Space]] = []
        planned: dict[str, Venue] = {}
        for number, values in rows:
            key = normalise_header(values["venue"])
            fields = {
                ("district_id" if name == "district" else name): (value.pk if name == "district" else value)
                for name, value in values.items()
                if name in ("district", "street_address", "postal_code", "city", "capacity")
            }
            if key not in planned:
                venue = venues.get(key)
                if venue is None:
                    venue = Venue(organisation=self.organisation, name=values["venue"], **fields)
                    plan.create.append(venue)
                else:
                    old = {name: getattr(venue, name) for name in fields}
                    changed = {name: value for name, value in fields.items() if old[name] != value}
                    if changed:
                        for name, value in changed.items():
                            setattr(venue, name, value)
                        plan.update.append((venue, {name: old[name] for name in changed}))
                    else:
                        plan.unchanged += 1
                planned[key] = venue
            venue = planned[key]
            if not values.get("space"):
                continue
            space_key = (key, normalise_header(values["space"]))
            if space_key in self.seen:
                plan.errors.append(
                    RowError(number, "space", values["space"], gettext_noop("the same space is on an earlier row"))
                )
                continue
            self.seen.add(space_key)
            space_fields = {
                name: values[column]
                for column, name in (("space_kind", "kind"), ("space_capacity", "capacity"))
                if column in values
            }
            space = spaces.get((venue.pk, space_key[1])) if venue.pk else None
            if space is None:
                space = Space(name=values["space"], **space_fields)
                self.new_spaces.append((key, space))
                plan.create.append(space)
                continue
            old = {name: getattr(space, name) for name in space_fields}
            changed = {name: value for name, value in space_fields.items() if old[name] != value}
            if changed:
                for name, value in changed.items():
                    setattr(space, name, value)
                plan.update.append((space, {name: old[name] for name in changed}))
            else:
                plan.unchanged += 1
        self.planned = planned
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created: list[Any] = []
        for venue in [obj for obj in plan.create if isinstance(obj, Venue)]:
            base = slugify(f"{self.organisation.slug}-{venue.name}")[:180] or self.organisation.slug
            venue.slug = base
            suffix = 2
            while Venue.objects.filter(slug=venue.slug).exists():
                venue.slug = f"{base}-{suffix}"
                suffix += 1
            venue.save()
            created.append(venue.pk)
        for key, space in self.new_spaces:
            space.venue = self.planned[key]
            space.save()
        for obj, _old in plan.update:
            obj.save()
        # Spaces and venues share one list of ids: a space's id is stored as "space:<id>".
        return created + [f"space:{space.pk}" for _key, space in self.new_spaces], {
            f"{obj._meta.model_name}:{obj.pk}": {name: _json(value) for name, value in old.items()}
            for obj, old in plan.update
        }

    @classmethod
    def _split(cls, ids: Iterable[Any]) -> tuple[list[int], list[int]]:
        venues = [int(pk) for pk in ids if not str(pk).startswith("space:")]
        spaces = [int(str(pk).split(":")[1]) for pk in ids if str(pk).startswith("space:")]
        return venues, spaces

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        venues, spaces = cls._split(created_ids)
        used = (
            Activity.objects.filter(venue_id__in=venues).exists()
            or Schedule.objects.filter(space_id__in=spaces).exists()
            or Session.objects.filter(space_id__in=spaces).exists()
        )
        return [str(_("An imported venue or space is used by an activity, schedule or session since."))] if used else []

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        venues, spaces = cls._split(created_ids)
        Space.objects.filter(venue__organisation=organisation, pk__in=spaces).delete()
        Venue.objects.filter(organisation=organisation, pk__in=venues).delete()
        for key, old in previous.items():
            model_name, pk = key.split(":")
            model = Venue if model_name == "venue" else Space
            scope = {"organisation": organisation} if model is Venue else {"venue__organisation": organisation}
            obj = model.objects.filter(pk=int(pk), **scope).first()  # type: ignore[attr-defined]
            if obj is None:
                continue
            for name, value in old.items():
                setattr(obj, name, _from_json(model, name, value))
            obj.save()


# --- Volunteers ---------------------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;/\n]", text(value)) if part.strip()]


class VolunteerKind(Kind):
    """Volunteers with skills, languages and the screening check seen (its dates only, never the certificate)."""

    kind = ImportKind.VOLUNTEERS
    columns = (
        Column("first_name", _("First name"), _("Required."), "Fatima", True, aliases=("förnamn", "voornaam")),
        Column("last_name", _("Last name"), _("May be empty."), "Ali", aliases=("efternamn", "achternaam", "surname")),
        Column(
            "email",
            _("E-mail address"),
            _("Matches the volunteer when given."),
            "fatima@example.org",
            aliases=("e-post", "epost", "email", "e-mail", "mail"),
        ),
        Column(
            "phone", _("Phone"), _("May be empty."), "070-123 45 67", aliases=("telefon", "telefoon", "mobiel", "mobil")
        ),
        Column(
            "skills",
            _("Skills"),
            _("Skills as Kvarter lists them, separated by commas."),
            "",
            aliases=("färdigheter", "vaardigheden", "kompetenser"),
        ),
        Column(
            "languages",
            _("Languages"),
            _("Language codes or names (sv, Arabic…), separated by commas."),
            "sv, ar",
            aliases=("språk", "talen"),
        ),
        Column(
            "screening_seen_on",
            _("Screening check seen on"),
            _("The date you saw the original VOG or criminal record extract; the certificate itself is never stored."),
            "",
            aliases=("utdrag sett", "vog gezien", "vog datum", "belastningsregister"),
        ),
        Column(
            "screening_valid_until",
            _("Screening check valid until"),
            _("Empty: the seen date plus your organisation's validity."),
            "",
            aliases=("utdrag giltigt till", "vog geldig tot"),
        ),
    )
    natural_key = _(
        "A volunteer is matched by e-mail address (ignoring capitals) when the row has one, otherwise by first and "
        "last name, within your organisation. Importing the file again changes nothing."
    )
    chunk_size = 500
    scalar = ("last_name", "email", "phone")

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.skills = {normalise_header(skill.name): skill for skill in Skill.objects.all()}
        self.languages = {normalise_header(language.code): language for language in Language.objects.all()}
        for language in Language.objects.all():
            self.languages.setdefault(normalise_header(language.name), language)
        self.writes: list[tuple[Volunteer, dict[str, Any]]] = []

    def read(self, key: str, value: Any) -> Any:
        if key == "skills":
            found = []
            for name in _names(value):
                skill = self.skills.get(normalise_header(name))
                if skill is None:
                    raise ValueProblem(gettext_noop("'%(value)s' is not a skill Kvarter knows"), value=name)
                found.append(skill)
            return found
        if key == "languages":
            spoken: list[Language] = []
            for name in _names(value):
                language = self.languages.get(normalise_header(name))
                if language is None:
                    raise ValueProblem(gettext_noop("'%(value)s' is not a language Kvarter knows"), value=name)
                spoken.append(language)
            return spoken
        if key.startswith("screening_"):
            return parse_date(value, day_first=self.day_first)
        if key == "email":
            address = text(value).lower()
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueProblem(gettext_noop("'%(value)s' is not an e-mail address"))
            return address
        result = text(value)
        if len(result) > 60:
            raise ValueProblem(gettext_noop("'%(value)s' is longer than %(limit)s characters"), limit=60)
        return result

    def _key(self, values: dict[str, Any]) -> tuple[str, str]:
        if values.get("email"):
            return ("email", values["email"])
        return ("name", f"{values['first_name'].casefold()} {values.get('last_name', '').casefold()}")

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        mine = Volunteer.objects.filter(organisation=self.organisation).prefetch_related(
            "skills", "languages", "screening_checks"
        )
        emails = {values["email"] for _n, values in rows if values.get("email")}
        names = {values["first_name"] for _n, values in rows if not values.get("email")}
        existing: dict[tuple[str, str], list[Volunteer]] = {}
        for volunteer in mine.filter(Q(email__in=emails) | Q(first_name__in=names)):
            if volunteer.email:
                existing.setdefault(("email", volunteer.email.lower()), []).append(volunteer)
            existing.setdefault(
                ("name", f"{volunteer.first_name.casefold()} {volunteer.last_name.casefold()}"), []
            ).append(volunteer)
        self.writes = []
        for number, values in rows:
            key = self._key(values)
            if key in self.seen:
                plan.errors.append(
                    RowError(
                        number,
                        "first_name",
                        values["first_name"],
                        gettext_noop("the same volunteer is on an earlier row"),
                    )
                )
                continue
            self.seen.add(key)
            seen_on = values.get("screening_seen_on")
            valid_until = values.get("screening_valid_until")
            if seen_on and not valid_until:
                valid_until = seen_on.replace(year=seen_on.year + self.organisation.screening_valid_years)
            if valid_until and not seen_on:
                plan.errors.append(RowError(number, "screening_seen_on", "", gettext_noop("a value is required")))
                continue
            if seen_on and valid_until < seen_on:
                plan.errors.append(
                    RowError(
                        number,
                        "screening_valid_until",
                        str(valid_until),
                        gettext_noop("the check cannot expire before it was seen"),
                    )
                )
                continue
            matches = existing.get(key, [])
            if len(matches) > 1:
                plan.errors.append(
                    RowError(
                        number,
                        "first_name",
                        values["first_name"],
                        gettext_noop("'%(value)s' matches several volunteers in Kvarter"),
                        {"value": values["first_name"]},
                    )
                )
                continue
            change: dict[str, Any] = {}
            scalars = {name: values[name] for name in self.scalar if name in values}
            if matches:
                volunteer = matches[0]
                old = {name: getattr(volunteer, name) for name in scalars}
                change["fields"] = {name: value for name, value in scalars.items() if old[name] != value}
                change["old"] = {name: old[name] for name in change["fields"]}
            else:
                volunteer = Volunteer(
                    organisation=self.organisation,
                    first_name=values["first_name"],
                    status=VolunteerStatus.ACTIVE,
                    **scalars,
                )
            for relation in ("skills", "languages"):
                if relation in values:
                    now = {obj.pk for obj in getattr(volunteer, relation).all()} if volunteer.pk else set()
                    wanted = {obj.pk for obj in values[relation]}
                    if now != wanted:
                        change[relation] = (sorted(now), sorted(wanted))
            if seen_on and not (
                volunteer.pk and any(check.seen_on == seen_on for check in volunteer.screening_checks.all())
            ):
                kind = (
                    ScreeningKind.VOG if self.organisation.country == Country.NETHERLANDS else ScreeningKind.SE_CHILDREN
                )
                change["check"] = {"kind": kind, "seen_on": seen_on, "valid_until": valid_until}
            if volunteer.pk is None:
                plan.create.append(volunteer)
            elif change.get("fields") or any(name in change for name in ("skills", "languages", "check")):
                plan.update.append((volunteer, change))
            else:
                plan.unchanged += 1
                continue
            self.writes.append((volunteer, change))
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created: list[Any] = []
        previous: dict[str, dict[str, Any]] = {}
        for volunteer, change in self.writes:
            new = volunteer.pk is None
            for name, value in change.get("fields", {}).items():
                setattr(volunteer, name, value)
            volunteer.save()
            if new:
                created.append(volunteer.pk)
            else:
                previous[str(volunteer.pk)] = {
                    **change.get("old", {}),
                    **{relation: change[relation][0] for relation in ("skills", "languages") if relation in change},
                }
            for relation in ("skills", "languages"):
                if relation in change:
                    getattr(volunteer, relation).set(change[relation][1])
            if "check" in change:
                check = ScreeningCheck.objects.create(volunteer=volunteer, **change["check"])
                if not new:
                    created.append(f"check:{check.pk}")
        return created, previous

    @classmethod
    def _split(cls, ids: Iterable[Any]) -> tuple[list[int], list[int]]:
        volunteers = [int(pk) for pk in ids if not str(pk).startswith("check:")]
        checks = [int(str(pk).split(":")[1]) for pk in ids if str(pk).startswith("check:")]
        return volunteers, checks

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        volunteers, _checks = cls._split(created_ids)
        used = Volunteer.objects.filter(pk__in=volunteers).filter(
            Q(placements__isnull=False) | Q(shifts__isnull=False) | Q(hours__isnull=False)
        )
        if used.exists():
            return [str(_("An imported volunteer has been placed, given shifts or logged hours since."))]
        return []

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        volunteers, checks = cls._split(created_ids)
        ScreeningCheck.objects.filter(volunteer__organisation=organisation, pk__in=checks).delete()
        Volunteer.objects.filter(organisation=organisation, pk__in=volunteers).delete()
        for volunteer in Volunteer.objects.filter(organisation=organisation, pk__in=[int(pk) for pk in previous]):
            old = previous[str(volunteer.pk)]
            for name in cls.scalar:
                if name in old:
                    setattr(volunteer, name, old[name])
            volunteer.save()
            for relation in ("skills", "languages"):
                if relation in old:
                    getattr(volunteer, relation).set(old[relation])


# --- Activities with their schedules ------------------------------------------------------------


def _labels_in_every_language(choices: Sequence[tuple[str, Any]]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {code: [] for code, _label in choices}
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in choices:
                names[code].append(str(label))
    return names


def _weekday_names() -> dict[str, str]:
    """Every way a sheet names a weekday: MO, Monday, måndag, mån, ma (maandag), Mon…, to its RFC 5545 code."""
    found: dict[str, str] = {}
    for code, names in _labels_in_every_language(WEEKDAY_CHOICES).items():
        found[code.casefold()] = code
        for name in names:
            name = name.casefold()
            found[name] = code
            found.setdefault(name[:3], code)
            found.setdefault(name[:2], code)
    return found


def _holiday_rule_choices() -> list[tuple[str, list[str]]]:
    names = _labels_in_every_language(HolidayRule.choices)
    # The short words sheets use: "skip", "inte på lov", "niet in de vakantie"…
    names[HolidayRule.IGNORE] += ["ignore", "always", "alltid", "altijd"]
    names[HolidayRule.SKIP] += ["skip", "not in holidays", "inte på lov", "uppehåll på lov", "niet in vakanties"]
    names[HolidayRule.ONLY] += ["only", "only in holidays", "bara på lov", "endast på lov", "alleen in vakanties"]
    return list(names.items())


def _category_choices() -> list[tuple[str, list[str]]]:
    return list(_labels_in_every_language(ActivityCategory.choices).items())


def _holiday_calendars(organisation: Organisation) -> dict[str, HolidayCalendar]:
    """The calendars a row may name: national or regional ones, and the organisation's (or its municipality's)."""
    owners = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    found = HolidayCalendar.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=owners))
    return {normalise_header(calendar.name): calendar for calendar in found}


class ActivityKind(Kind):
    """One row per schedule, the activity's columns repeated; programmes, venues, rooms and calendars must exist."""

    kind = ImportKind.ACTIVITIES
    columns = (
        Column(
            "activity",
            _("Activity"),
            _("The activity's name; rows with the same programme and name are one activity."),
            "Läxhjälp",
            True,
            aliases=("aktivitet", "activiteit"),
        ),
        Column(
            "programme",
            _("Programme"),
            _("One of your organisation's programmes, by its name as in Kvarter."),
            "Connexion West",
            True,
            choices=lambda organisation: list(
                Programme.objects.filter(lead_organisation=organisation).values_list("name", flat=True)
            ),
            aliases=("program", "programma", "satsning"),
        ),
        Column(
            "venue",
            _("Venue"),
            _("One of your organisation's venues, by its name as in Kvarter."),
            "Bäckbyhuset",
            True,
            choices=lambda organisation: list(
                Venue.objects.filter(organisation=organisation).values_list("name", flat=True)
            ),
            aliases=("lokal", "mötesplats", "locatie"),
        ),
        Column(
            "category",
            _("Category"),
            _("Meeting place, homework help, sport, culture…"),
            str(ActivityCategory.HOMEWORK_HELP.label),
            True,
            choices=lambda _organisation: [str(label) for label in ActivityCategory.labels],
            aliases=("kategori", "categorie", "typ"),
        ),
        Column(
            "weekdays",
            _("Weekdays"),
            _("The days it meets, separated by commas: Monday, Wednesday (or mån, ons; ma, wo; MO, WE)."),
            "mån, ons",
            True,
            aliases=("veckodagar", "dagar", "dag", "weekdagen", "dagen", "days"),
        ),
        Column(
            "start_time",
            _("Start time"),
            _("As 15:00."),
            "15:00",
            True,
            aliases=("från", "starttid", "börjar", "starttijd", "van", "start"),
        ),
        Column(
            "end_time",
            _("End time"),
            _("As 17:30."),
            "17:30",
            True,
            aliases=("till", "sluttid", "slutar", "eindtijd", "tot", "end"),
        ),
        Column(
            "starts_on",
            _("First day"),
            _("The date of the first session."),
            dt.date(2026, 1, 12),
            True,
            aliases=("första dag", "startdatum", "eerste dag", "first date", "från och med"),
        ),
        Column(
            "until",
            _("Until"),
            _("The last possible date; empty: no end."),
            dt.date(2026, 6, 12),
            aliases=("till och med", "slutdatum", "t.o.m.", "einddatum", "tot en met"),
        ),
        Column(
            "holiday_rule",
            _("School holidays"),
            _("Runs regardless of school holidays, no sessions in school holidays, or only in school holidays."),
            str(HolidayRule.IGNORE.label),
            choices=lambda _organisation: [str(label) for label in HolidayRule.labels],
            aliases=("lov", "skollov", "vakanties", "schoolvakanties", "holiday rule"),
        ),
        Column(
            "holiday_calendar",
            _("Holiday calendar"),
            _("The school holiday calendar, by its name as in Kvarter; needed unless it runs regardless."),
            "",
            choices=lambda organisation: sorted(
                calendar.name for calendar in _holiday_calendars(organisation).values()
            ),
            aliases=("lovkalender", "vakantiekalender", "kalender", "calendar"),
        ),
        Column(
            "space",
            _("Room"),
            _("A room or area of the venue, by its name as in Kvarter; may be empty."),
            "",
            aliases=("rum", "ruimte", "lokal i huset", "space"),
        ),
    )
    natural_key = _(
        "An activity is matched by its programme and name (ignoring capitals) within your organisation; a "
        "schedule by its activity, weekdays and start time. Importing the file again changes nothing."
    )
    rules = (
        _(
            "Sessions are made from each new or changed schedule as when it is saved in the admin. A session whose "
            "room is taken at its time gets no room, and the preview after the import says which rows."
        ),
    )
    chunk_size = None  # schedules of one activity must meet, and timetables are short
    schedule_fields = ("end_time", "starts_on", "until", "holiday_rule", "holiday_calendar_id", "space_id")

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.programmes = {
            normalise_header(programme.name): programme
            for programme in Programme.objects.filter(lead_organisation=organisation)
        }
        self.venues = {normalise_header(venue.name): venue for venue in Venue.objects.filter(organisation=organisation)}
        self.spaces = {
            (space.venue_id, normalise_header(space.name)): space
            for space in Space.objects.filter(venue__organisation=organisation)
        }
        self.calendars = _holiday_calendars(organisation)
        self.weekday_names = _weekday_names()
        self.writes: list[tuple[int, Any]] = []
        self.to_generate: list[tuple[int, Schedule]] = []

    def read(self, key: str, value: Any) -> Any:
        if key == "programme":
            programme = self.programmes.get(normalise_header(value))
            if programme is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not a programme of your organisation"))
            return programme
        if key == "venue":
            venue = self.venues.get(normalise_header(value))
            if venue is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not a venue of your organisation"))
            return venue
        if key == "holiday_calendar":
            calendar = self.calendars.get(normalise_header(value))
            if calendar is None:
                raise ValueProblem(gettext_noop("'%(value)s' is not a holiday calendar Kvarter knows"))
            return calendar
        if key == "category":
            return parse_choice(value, _category_choices())
        if key == "holiday_rule":
            return parse_choice(value, _holiday_rule_choices())
        if key == "weekdays":
            codes = set()
            for name in _names(value.replace(" ", ",") if isinstance(value, str) and "," not in value else value):
                code = self.weekday_names.get(name.casefold().rstrip("."))
                if code is None:
                    raise ValueProblem(gettext_noop("'%(value)s' is not a weekday"), value=name)
                codes.add(code)
            return ",".join(code for code in WEEKDAY_CODES if code in codes)
        if key in ("start_time", "end_time"):
            return parse_time(value)
        if key in ("starts_on", "until"):
            return parse_date(value, day_first=self.day_first)
        result = text(value)
        limit = 100 if key == "space" else 200
        if len(result) > limit:
            raise ValueProblem(gettext_noop("'%(value)s' is longer than %(limit)s characters"), limit=limit)
        return result

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        programmes = [programme.pk for programme in self.programmes.values()]
        activities = {
            (activity.programme_id, normalise_header(activity.name)): activity
            for activity in Activity.objects.filter(programme_id__in=programmes)
        }
        schedules = {
            (schedule.activity_id, schedule.weekdays, schedule.start_time): schedule
            for schedule in Schedule.objects.filter(activity__programme_id__in=programmes)
        }
        planned: dict[tuple[int, str], Activity] = {}
        self.writes = []
        for number, values in rows:
            programme, venue = values["programme"], values["venue"]
            activity_key = (programme.pk, normalise_header(values["activity"]))
            space = None
            if values.get("space"):
                space = self.spaces.get((venue.pk, normalise_header(values["space"])))
                if space is None:
                    plan.errors.append(
                        RowError(
                            number,
                            "space",
                            values["space"],
                            gettext_noop("'%(value)s' is not a room of the venue %(venue)s"),
                            {"value": values["space"], "venue": venue.name},
                        )
                    )
                    continue
            key = (*activity_key, values["weekdays"], values["start_time"])
            if key in self.seen:
                plan.errors.append(
                    RowError(
                        number, "weekdays", values["weekdays"], gettext_noop("the same schedule is on an earlier row")
                    )
                )
                continue
            self.seen.add(key)
            activity = planned.get(activity_key) or activities.get(activity_key)
            fields = {"category": values["category"], "venue_id": venue.pk}
            if activity is None:
                activity = Activity(programme=programme, name=values["activity"], **fields)
                plan.create.append(activity)
                self.writes.append((number, activity))
            elif activity_key not in planned:
                old = {name: getattr(activity, name) for name in fields}
                changed = {name: value for name, value in fields.items() if old[name] != value}
                if changed:
                    for name, value in changed.items():
                        setattr(activity, name, value)
                    plan.update.append((activity, {name: old[name] for name in changed}))
                    self.writes.append((number, activity))
            planned[activity_key] = activity
            schedule_values = {
                "end_time": values["end_time"],
                "starts_on": values["starts_on"],
                "until": values.get("until"),
                "holiday_rule": values.get("holiday_rule", HolidayRule.IGNORE),
                "holiday_calendar_id": values["holiday_calendar"].pk if values.get("holiday_calendar") else None,
                "space_id": space.pk if space else None,
            }
            schedule = schedules.get((activity.pk, values["weekdays"], values["start_time"])) if activity.pk else None
            if schedule is None:
                schedule = Schedule(
                    activity=activity,
                    weekdays=values["weekdays"],
                    start_time=values["start_time"],
                    **schedule_values,
                )
                old_schedule: dict[str, Any] = {}
            else:
                old_schedule = {name: getattr(schedule, name) for name in schedule_values}
                changed = {name: value for name, value in schedule_values.items() if old_schedule[name] != value}
                if not changed:
                    plan.unchanged += 1
                    continue
                for name, value in changed.items():
                    setattr(schedule, name, value)
                old_schedule = {name: old_schedule[name] for name in changed}
            schedule.space = space
            try:
                schedule.clean_fields(exclude=["activity", "holiday_calendar", "space"])
                schedule.clean()
                if schedule.end_time <= schedule.start_time:
                    raise ValidationError({"end_time": _("The end time must be after the start time.")})
                if schedule.until and schedule.until < schedule.starts_on:
                    raise ValidationError({"until": _("A schedule's end date cannot be before its first date.")})
            except ValidationError as error:
                if schedule.pk:
                    for name, value in old_schedule.items():
                        setattr(schedule, name, value)
                plan.errors.extend(_validation_errors(number, values, error))
                continue
            if schedule.pk:
                plan.update.append((schedule, old_schedule))
            else:
                plan.create.append(schedule)
            self.writes.append((number, schedule))
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created: list[Any] = []
        previous: dict[str, dict[str, Any]] = {}
        updated = {id(obj): old for obj, old in plan.update}
        self.to_generate = []
        for number, obj in self.writes:
            new = obj.pk is None
            if isinstance(obj, Activity) and new:
                base = slugify(obj.name)[:180] or "activity"
                obj.slug = base
                suffix = 2
                while Activity.objects.filter(programme_id=obj.programme_id, slug=obj.slug).exists():
                    obj.slug = f"{base}-{suffix}"
                    suffix += 1
            if isinstance(obj, Schedule):
                obj.activity_id = obj.activity.pk
                self.to_generate.append((number, obj))
            obj.save()
            label = f"{obj._meta.model_name}:{obj.pk}"
            if new:
                created.append(label)
            else:
                previous[label] = {name: _json(value) for name, value in updated[id(obj)].items()}
        return created, previous

    def after_write(self) -> None:
        # As the admin does on save: the sessions follow the schedule at once.
        for number, schedule in self.to_generate:
            result = schedule_generate_sessions(schedule=schedule)
            if result.space_conflicts:
                self.notices.append(
                    RowError(
                        number,
                        "space",
                        schedule.space.name if schedule.space else "",
                        gettext_noop("the room is taken at %(count)s of the sessions: they were made without a room"),
                        {"count": result.space_conflicts},
                    )
                )

    @classmethod
    def _split(cls, ids: Iterable[Any]) -> tuple[list[int], list[int]]:
        activities = [int(str(pk).split(":")[1]) for pk in ids if str(pk).startswith("activity:")]
        schedules = [int(str(pk).split(":")[1]) for pk in ids if str(pk).startswith("schedule:")]
        return activities, schedules

    @classmethod
    def _sessions(cls, created_ids: list[Any]) -> Any:
        activities, schedules = cls._split(created_ids)
        return Session.objects.filter(Q(schedule_id__in=schedules) | Q(activity_id__in=activities))

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        held = (
            cls._sessions(created_ids).filter(Q(tallies__isnull=False) | Q(check_ins__isnull=False)).distinct().count()
        )
        if not held:
            return []
        return [
            translation.ngettext(
                "%(count)s session of an imported schedule has attendance since.",
                "%(count)s sessions of imported schedules have attendance since.",
                held,
            )
            % {"count": held}
        ]

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        activities, schedules = cls._split(created_ids)
        mine = Q(activity__programme__lead_organisation=organisation)
        cls._sessions(created_ids).filter(mine).delete()
        Schedule.objects.filter(mine, pk__in=schedules).delete()
        Activity.objects.filter(programme__lead_organisation=organisation, pk__in=activities).delete()
        for key, old in previous.items():
            model_name, pk = key.split(":")
            model: Any = Activity if model_name == "activity" else Schedule
            scope = (
                {"programme__lead_organisation": organisation}
                if model is Activity
                else {"activity__programme__lead_organisation": organisation}
            )
            obj = model.objects.filter(pk=int(pk), **scope).first()
            if obj is None:
                continue
            for name, value in old.items():
                setattr(obj, name, _from_json(model, name, value))
            obj.save()
            if model is Schedule:
                schedule_generate_sessions(schedule=obj)


# --- Partners and agreements with funding per year ------------------------------------------------


def _partners(organisation: Organisation) -> dict[str, Organisation]:
    """The organisations a row may name as a party: the importer, its municipality and branches, and its partners
    (parties of its agreements, partners of its programmes). Any other name is a new partner or a row error."""
    mine = Q(pk=organisation.pk) | Q(parent_id=organisation.pk)
    if organisation.parent_id:
        mine |= Q(pk=organisation.parent_id)
    mine |= Q(agreement_parties__agreement__organisation=organisation) | Q(
        partner_programmes__lead_organisation=organisation
    )
    return {normalise_header(found.name): found for found in Organisation.objects.filter(mine).distinct()}


class PartnerKind(Kind):
    """One row per party of an agreement, with what that party funds in one year (the agreement's columns repeated)."""

    kind = ImportKind.PARTNERS
    columns = (
        Column(
            "agreement",
            _("Agreement"),
            _("The agreement's title; rows with the same title are one agreement."),
            "IOP Connexion West",
            True,
            aliases=("avtal", "overeenkomst", "titel", "title"),
        ),
        Column(
            "agreement_kind",
            _("Kind of agreement"),
            _("IOP, grant or subsidy, contract or network agreement."),
            str(AgreementKind.IOP.label),
            True,
            choices=lambda _organisation: [str(label) for label in AgreementKind.labels],
            aliases=("avtalstyp", "soort overeenkomst"),
        ),
        Column("starts_on", _("Starts on"), _("The agreement's first day."), dt.date(2026, 1, 1), True),
        Column("ends_on", _("Ends on"), _("The agreement's last day; may be empty."), dt.date(2027, 12, 31)),
        Column(
            "partner",
            _("Partner"),
            _("The party's name; an organisation Kvarter does not know yet is added when its kind is given."),
            "Västerås stad",
            True,
            aliases=("part", "partner", "partij", "organisation", "organisatie", "organisation name"),
        ),
        Column(
            "partner_kind",
            _("Kind of organisation"),
            _("Municipality, association, school, funder…; needed only for a partner new to Kvarter."),
            str(OrganisationKind.MUNICIPALITY.label),
            choices=lambda _organisation: [str(label) for label in OrganisationKind.labels],
            aliases=("organisationstyp", "soort organisatie"),
        ),
        Column(
            "role",
            _("Role"),
            _("The party's role: municipality, idea-based partner, lead partner, funder or network partner."),
            str(PartyRole.MUNICIPALITY.label),
            True,
            choices=lambda _organisation: [str(label) for label in PartyRole.labels],
            aliases=("roll", "rol"),
        ),
        Column(
            "contact_name", _("Contact person"), _("May be empty."), "", aliases=("kontaktperson", "contactpersoon")
        ),
        Column("contact_email", _("Contact e-mail"), _("May be empty."), "", aliases=("e-post", "e-mail", "email")),
        Column(
            "year",
            _("Year"),
            _("The year the party funds; empty: no funding on this row."),
            2026,
            aliases=("år", "jaar"),
        ),
        Column(
            "amount",
            _("Amount"),
            _("What the party funds that year; a decimal comma or point."),
            "450 000,00",
            aliases=("belopp", "bedrag", "funding"),
        ),
        Column("currency", _("Currency"), _("SEK or EUR; empty: your country's."), "SEK", aliases=("valuta", "munt")),
    )
    natural_key = _(
        "An agreement is matched by its title (ignoring capitals) among your organisation's agreements, a party by "
        "agreement, organisation and role, funding by agreement, funder and year. Importing the file again changes "
        "nothing."
    )
    chunk_size = None  # an agreement's rows must meet
    agreement_fields = ("kind", "starts_on", "ends_on")

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(organisation)
        self.partners = _partners(organisation)
        self.writes: list[Any] = []

    def read(self, key: str, value: Any) -> Any:
        if key == "agreement_kind":
            return parse_choice(value, list(_labels_in_every_language(AgreementKind.choices).items()))
        if key == "partner_kind":
            return parse_choice(value, list(_labels_in_every_language(OrganisationKind.choices).items()))
        if key == "role":
            return parse_choice(value, list(_labels_in_every_language(PartyRole.choices).items()))
        if key in ("starts_on", "ends_on"):
            return parse_date(value, day_first=self.day_first)
        if key == "year":
            return parse_year(value)
        if key == "amount":
            amount = parse_decimal(value)
            if amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                raise ValueProblem(gettext_noop("'%(value)s' is not an amount"))
            return amount
        if key == "currency":
            return parse_choice(value, [(code, [code]) for code in Currency.values])
        if key == "contact_email":
            address = text(value).lower()
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueProblem(gettext_noop("'%(value)s' is not an e-mail address"))
            return address
        result = text(value)
        limit = 100 if key == "contact_name" else 200
        if len(result) > limit:
            raise ValueProblem(gettext_noop("'%(value)s' is longer than %(limit)s characters"), limit=limit)
        return result

    def plan(self, rows: list[tuple[int, dict[str, Any]]]) -> Plan:
        plan = Plan()
        agreements = {
            normalise_header(agreement.title): agreement
            for agreement in Agreement.objects.filter(organisation=self.organisation)
        }
        parties = {
            (party.agreement_id, party.organisation_id, party.role): party
            for party in AgreementParty.objects.filter(agreement__organisation=self.organisation)
        }
        funding = {
            (row.agreement_id, row.funder_id, row.year): row
            for row in Funding.objects.filter(agreement__organisation=self.organisation)
        }
        currency = Currency.EUR if self.organisation.country == Country.NETHERLANDS else Currency.SEK
        planned: dict[str, Agreement] = {}
        new_partners: dict[str, Organisation] = {}
        planned_parties: set[tuple[str, str, str]] = set()
        self.writes = []
        for number, values in rows:
            if ("year" in values) != ("amount" in values):
                missing = "amount" if "year" in values else "year"
                plan.errors.append(RowError(number, missing, "", gettext_noop("a value is required")))
                continue
            if values.get("ends_on") and values["ends_on"] < values["starts_on"]:
                plan.errors.append(
                    RowError(
                        number,
                        "ends_on",
                        str(values["ends_on"]),
                        "%(text)s",
                        {"text": str(_("An agreement cannot end before it starts."))},
                    )
                )
                continue
            name = normalise_header(values["partner"])
            partner = self.partners.get(name) or new_partners.get(name)
            if partner is None:
                if "partner_kind" not in values:
                    plan.errors.append(
                        RowError(
                            number,
                            "partner",
                            values["partner"],
                            gettext_noop("'%(value)s' is not a partner of your organisation: give its kind to add it"),
                            {"value": values["partner"]},
                        )
                    )
                    continue
                partner = Organisation(
                    name=values["partner"], kind=values["partner_kind"], country=self.organisation.country
                )
                new_partners[name] = partner
                plan.create.append(partner)
                self.writes.append(partner)
            key = normalise_header(values["agreement"])
            fields = {
                "kind": values["agreement_kind"],
                "starts_on": values["starts_on"],
                "ends_on": values.get("ends_on"),
            }
            if key not in planned:
                agreement = agreements.get(key)
                if agreement is None:
                    agreement = Agreement(organisation=self.organisation, title=values["agreement"], **fields)
                    plan.create.append(agreement)
                    self.writes.append(agreement)
                else:
                    old = {field_name: getattr(agreement, field_name) for field_name in fields}
                    changed = {field_name: v for field_name, v in fields.items() if old[field_name] != v}
                    if changed:
                        for field_name, v in changed.items():
                            setattr(agreement, field_name, v)
                        plan.update.append((agreement, {field_name: old[field_name] for field_name in changed}))
                        self.writes.append(agreement)
                    else:
                        plan.unchanged += 1
                planned[key] = agreement
            agreement = planned[key]
            row_key = (key, name, values["role"], values.get("year"))
            if row_key in self.seen:
                plan.errors.append(
                    RowError(number, "partner", values["partner"], gettext_noop("the same party is on an earlier row"))
                )
                continue
            self.seen.add(row_key)
            party_key = (key, name, values["role"])
            if party_key not in planned_parties:
                planned_parties.add(party_key)
                contact = {n: values.get(n, "") for n in ("contact_name", "contact_email")}
                party = parties.get((agreement.pk, partner.pk, values["role"])) if agreement.pk and partner.pk else None
                if party is None:
                    party = AgreementParty(agreement=agreement, organisation=partner, role=values["role"], **contact)
                    plan.create.append(party)
                    self.writes.append(party)
                else:
                    old = {n: getattr(party, n) for n in contact}
                    if old != contact:
                        for n, v in contact.items():
                            setattr(party, n, v)
                        plan.update.append((party, old))
                        self.writes.append(party)
                    else:
                        plan.unchanged += 1
            if "year" not in values:
                continue
            money = {"amount": values["amount"], "currency": values.get("currency", currency)}
            row = funding.get((agreement.pk, partner.pk, values["year"])) if agreement.pk and partner.pk else None
            if row is None:
                row = Funding(agreement=agreement, funder=partner, year=values["year"], **money)
                plan.create.append(row)
                self.writes.append(row)
                continue
            old = {n: getattr(row, n) for n in money}
            if old == money:
                plan.unchanged += 1
                continue
            for n, v in money.items():
                setattr(row, n, v)
            plan.update.append((row, {"amount": str(old["amount"]), "currency": old["currency"]}))
            self.writes.append(row)
        return plan

    def write(self, plan: Plan) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        created: list[Any] = []
        updated = {id(obj): old for obj, old in plan.update}
        previous: dict[str, dict[str, Any]] = {}
        for obj in self.writes:
            new = obj.pk is None
            if new and isinstance(obj, Organisation | Agreement):
                base = slugify(obj.name if isinstance(obj, Organisation) else obj.title)[:180] or "import"
                model = type(obj)
                obj.slug = base
                suffix = 2
                while model.objects.filter(slug=obj.slug).exists():
                    obj.slug = f"{base}-{suffix}"
                    suffix += 1
            obj.save()
            label = f"{obj._meta.model_name}:{obj.pk}"
            if new:
                created.append(label)
            elif label not in previous:
                previous[label] = {name: _json(value) for name, value in updated[id(obj)].items()}
        return created, previous

    @classmethod
    def _ids(cls, ids: Iterable[Any], model_name: str) -> list[int]:
        return [int(str(pk).split(":")[1]) for pk in ids if str(pk).startswith(f"{model_name}:")]

    @classmethod
    def undo_blockers(cls, created_ids: list[Any]) -> list[str]:
        agreements = cls._ids(created_ids, "agreement")
        organisations = cls._ids(created_ids, "organisation")
        parties = cls._ids(created_ids, "agreementparty")
        used = (
            Agreement.objects.filter(pk__in=agreements)
            .filter(Q(indicators__isnull=False) | Q(obligations__isnull=False) | Q(documents__isnull=False))
            .exists()
            or Organisation.objects.filter(pk__in=organisations)
            .filter(
                Q(memberships__isnull=False) | Q(led_programmes__isnull=False) | Q(partner_programmes__isnull=False)
            )
            .exists()
            or AgreementParty.objects.filter(organisation_id__in=organisations).exclude(pk__in=parties).exists()
        )
        if used:
            return [str(_("An imported agreement or partner has indicators, reports, documents or members since."))]
        return []

    @classmethod
    def undo(cls, *, organisation: Organisation, created_ids: list[Any], previous: dict[str, dict[str, Any]]) -> None:
        mine = {"agreement__organisation": organisation}
        Funding.objects.filter(pk__in=cls._ids(created_ids, "funding"), **mine).delete()
        AgreementParty.objects.filter(pk__in=cls._ids(created_ids, "agreementparty"), **mine).delete()
        Agreement.objects.filter(pk__in=cls._ids(created_ids, "agreement"), organisation=organisation).delete()
        Organisation.objects.filter(pk__in=cls._ids(created_ids, "organisation")).exclude(
            Q(agreement_parties__isnull=False) | Q(funding__isnull=False)
        ).delete()
        models: dict[str, Any] = {"agreement": Agreement, "agreementparty": AgreementParty, "funding": Funding}
        for key, old in previous.items():
            model_name, pk = key.split(":")
            model = models[model_name]
            scope = {"organisation": organisation} if model is Agreement else mine
            obj = model.objects.filter(pk=int(pk), **scope).first()
            if obj is None:
                continue
            for name, value in old.items():
                setattr(obj, name, _from_json(model, name, value))
            obj.save()


KINDS: dict[str, type[Kind]] = {
    kind.kind: kind for kind in (ParticipantKind, VolunteerKind, VenueKind, AttendanceKind, ActivityKind, PartnerKind)
}


def kind_for(kind: str) -> type[Kind]:
    return KINDS[kind]


def header_label(kind: type[Kind], key: str) -> str:
    return str(kind.column(key).label)


def describe(columns: Iterable[Column]) -> list[tuple[str, str]]:
    return [(str(column.label), str(column.help)) for column in columns]
