"""Personas and strict test behaviour shared by the whole suite.

Alice coordinates at here 4U, Bob leads its café, Stina is the municipality's
strategist, Vera volunteers, and Olga coordinates at another organisation
(the outsider whose data must never show up for Alice, and vice versa).
"""

import logging
import os

import pytest

from accounts.enums import OrganisationKind, Role

from .factories import MembershipFactory, OrganisationFactory, UserFactory


def sign_in(client, user, *, backend: str = "allauth.account.auth_backends.AuthenticationBackend"):
    """force_login, plus the record allauth keeps of a password typed just now.

    Changes of roles, accounts and personal data ask for a recent password
    (allauth's re-authentication); a test that signs in this way has just typed it.
    """
    import time

    client.force_login(user, backend=backend)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would refuse to run there without this. Set before Django touches the DB.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog: pytest.LogCaptureFixture):
    """A logged ERROR anywhere (a 500 in a view, a failed task) fails the test."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [record for record in caplog.get_records("call") if record.levelno >= logging.ERROR]
    assert not errors, "ERROR logged: " + "; ".join(record.getMessage() for record in errors)


@pytest.fixture(autouse=True)
def _english():
    """Assertions read English messages; the product's default language is Swedish.

    Tests about other languages activate theirs explicitly (override or the
    language cookie/Accept-Language on a request).
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's, then English again for the test that asked for the database first.

    Creating the test database runs `migrate` inside that test's setup, after
    `_english` began; a management command ends by activating the language it
    saw when it started, and one nested in another (run while the outer had
    deactivated translations) sees the default, Swedish. That test then read
    Swedish messages, so whichever English assertion ran first in a worker failed.
    """
    from django.utils import translation

    translation.activate("en")
    return django_db_setup


@pytest.fixture
def warm_content_types(db):
    """Content types cached, as in a running server: the audit log asks for them on every read of a person.

    A transactional test (the browser tests) flushes the database, which
    empties Django's content-type cache; the next request would then pay one
    query more than the same request a moment later. Query-count tests that
    audit start warm, so they count what a server does.
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="here 4U", slug="here-4u")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Raster", slug="raster", country="NL")


@pytest.fixture
def municipality(db):
    return OrganisationFactory(name="Västerås stad", slug="vasteras-stad", kind=OrganisationKind.MUNICIPALITY)


def _member(organisation, role, email, first_name):
    user = UserFactory(email=email, first_name=first_name)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def coordinator(organisation):
    return _member(organisation, Role.COORDINATOR, "alice@example.org", "Alice")


@pytest.fixture
def leader(organisation):
    return _member(organisation, Role.LEADER, "bob@example.org", "Bob")


@pytest.fixture
def strategist(municipality):
    return _member(municipality, Role.STRATEGIST, "stina@example.org", "Stina")


@pytest.fixture
def volunteer_user(organisation):
    return _member(organisation, Role.VOLUNTEER, "vera@example.org", "Vera")


@pytest.fixture
def outsider(other_organisation):
    return _member(other_organisation, Role.COORDINATOR, "olga@example.org", "Olga")


@pytest.fixture
def administrator(db):
    return UserFactory(email="admin@example.org", first_name="Ada", is_superuser=True, is_staff=True)


@pytest.fixture
def time_machine_today():
    """Move the clock (time-machine) to noon of a given local day: "today" to every service."""
    import datetime as dt
    import zoneinfo

    import time_machine
    from django.conf import settings

    travels = []

    def set_today(day):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        travel = time_machine.travel(noon, tick=False)
        travel.start()
        travels.append(travel)

    yield set_today
    for travel in reversed(travels):
        travel.stop()
