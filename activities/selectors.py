import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from .models import CheckIn, Schedule, SchoolHoliday, Session, Tally


def holiday_dates(*, schedule: Schedule, start: dt.date, end: dt.date) -> set[dt.date]:
    """Every date between start and end (inclusive) in a school holiday of the schedule's calendar."""
    if not schedule.holiday_calendar_id:
        return set()
    days: set[dt.date] = set()
    holidays = SchoolHoliday.objects.filter(
        calendar_id=schedule.holiday_calendar_id, starts_on__lte=end, ends_on__gte=start
    ).values_list("starts_on", "ends_on")
    for first, last in holidays:
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def session_list_with_attendance_flag(*, schedule: Schedule) -> QuerySet[Session]:
    """The schedule's sessions, each annotated with whether any attendance was recorded."""
    return Session.objects.filter(schedule=schedule).annotate(
        has_attendance=Exists(Tally.objects.filter(session=OuterRef("pk")))
        | Exists(CheckIn.objects.filter(session=OuterRef("pk")))
    )
