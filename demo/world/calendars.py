"""Public holidays, on which weekly activities do not meet: Sweden's and the Netherlands'."""

import datetime as dt

from dateutil.easter import easter

from accounts.models import Organisation


def swedish_public_holidays(year: int) -> dict[dt.date, str]:
    day = easter(year)
    midsummer_eve = next(dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4)
    return {
        dt.date(year, 1, 1): "Nyårsdagen",
        dt.date(year, 1, 6): "Trettondedag jul",
        day - dt.timedelta(days=2): "Långfredagen",
        day + dt.timedelta(days=1): "Annandag påsk",
        dt.date(year, 5, 1): "Första maj",
        day + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "Midsommarafton",
        dt.date(year, 12, 24): "Julafton",
        dt.date(year, 12, 25): "Juldagen",
        dt.date(year, 12, 26): "Annandag jul",
        dt.date(year, 12, 31): "Nyårsafton",
    }


def dutch_public_holidays(year: int) -> dict[dt.date, str]:
    day = easter(year)
    kings_day = dt.date(year, 4, 27) if dt.date(year, 4, 27).weekday() != 6 else dt.date(year, 4, 26)
    holidays = {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        day + dt.timedelta(days=1): "Tweede paasdag",
        kings_day: "Koningsdag",
        day + dt.timedelta(days=39): "Hemelvaartsdag",
        day + dt.timedelta(days=50): "Tweede pinksterdag",
        dt.date(year, 12, 25): "Eerste kerstdag",
        dt.date(year, 12, 26): "Tweede kerstdag",
    }
    if year % 5 == 0:
        holidays[dt.date(year, 5, 5)] = "Bevrijdingsdag"
    return holidays


Orgs = dict[str, Organisation]
