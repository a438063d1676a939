"""School holiday calendars shipped with Kvarter, loaded by `manage.py load_school_holidays`.

Swedish holidays differ per municipality (each sets its own lov weeks);
Dutch ones per region (noord, midden, zuid), set by the ministry. Each file
names its source. The loaded calendars are ordinary data: coordinators edit
them in the admin, and loading again adds what is new without duplicating
or overwriting what they changed.
"""

import datetime as dt
import json
from importlib import resources

from django.db import transaction

from accounts.models import Organisation

from ..enums import HolidayKind
from ..models import HolidayCalendar, SchoolHoliday


def available() -> list[str]:
    return sorted(
        entry.name.removesuffix(".json")
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(".json")
    )


def load(*, key: str, organisation: Organisation) -> tuple[HolidayCalendar, int]:
    """The calendar `key` (e.g. "nl-noord") for `organisation`, and how many holidays were added."""
    if key not in available():
        raise ValueError(f"No holiday calendar {key!r}; choose one of {', '.join(available())}.")
    data = json.loads(resources.files(__package__).joinpath(f"{key}.json").read_text(encoding="utf-8"))
    added = 0
    with transaction.atomic():
        calendar, _ = HolidayCalendar.objects.get_or_create(name=data["name"], organisation=organisation)
        for kind, first, last in data["holidays"]:
            _, created = SchoolHoliday.objects.get_or_create(
                calendar=calendar,
                starts_on=dt.date.fromisoformat(first),
                defaults={"kind": HolidayKind(kind), "ends_on": dt.date.fromisoformat(last)},
            )
            added += created
    return calendar, added
