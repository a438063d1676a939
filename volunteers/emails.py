"""The volunteers' messages: their kinds (with samples for the admin's preview) and who gets them in which language.

Every message goes through `core.services.message_queue`, with a key that
names what it is about, so a job run twice or a retried task queues it once.
"""

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.selectors import manager_list_for_organisation
from activities.models import Session
from core.messages import Kind, Topic, register
from core.services import message_queue

from .enums import ScreeningKind
from .models import ScreeningCheck, Vacancy, Volunteer

COUNTRY_LANGUAGE = {"SE": "sv", "NL": "nl"}
COUNTRY_TIME_ZONE = {"SE": "Europe/Stockholm", "NL": "Europe/Amsterdam"}


def organisation_language(organisation: Organisation) -> str:
    return COUNTRY_LANGUAGE.get(organisation.country, settings.LANGUAGE_CODE)


def volunteer_language(volunteer: Volunteer) -> str:
    """Their own choice if they have an account, else the language of their organisation's country."""
    return (volunteer.user.language if volunteer.user else "") or organisation_language(volunteer.organisation)


def volunteer_address(volunteer: Volunteer) -> str:
    return volunteer.email or (volunteer.user.email if volunteer.user else "")


def _url(name: str, *args: Any) -> str:
    return settings.KVARTER_BASE_URL + reverse(name, args=args)


def _sample_organisation() -> Organisation:
    return Organisation(name="Here 4U", country="SE")


def _sample_volunteer() -> Volunteer:
    return Volunteer(first_name="Amina", last_name="Yusuf", organisation=_sample_organisation())


def _sample_session_time() -> dt.datetime:
    return dt.datetime(2018, 3, 6, 15, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))


register(
    Kind(
        name="vacancy_invitation",
        label=_("Invitation to a vacancy"),
        sample=lambda: {
            "name": "Amina",
            "vacancy": "Läxhjälp, tisdagar",
            "activity": "Läxhjälp",
            "organisation": "Here 4U",
            "url": _url("volunteering:me"),
        },
    )
)
register(
    Kind(
        name="application_decision",
        label=_("Decision on an application"),
        sample=lambda: {
            "name": "Amina",
            "vacancy": "Läxhjälp, tisdagar",
            "organisation": "Here 4U",
            "accepted": True,
            "url": _url("volunteering:me"),
        },
    )
)
register(
    Kind(
        name="shift_reminder",
        label=_("Shift reminder (the day before)"),
        topic=Topic.REMINDERS,
        sample=lambda: {
            "name": "Amina",
            "activity": "Café Connexion",
            "starts_at": _sample_session_time(),
            "ends_at": _sample_session_time() + dt.timedelta(hours=5),
            "place": "Bäckby centrum, öppna ytan",
            "role": "värd",
            "organisation": "Here 4U",
            "url": _url("volunteering:me"),
        },
    )
)
register(
    Kind(
        name="session_cancelled",
        label=_("Cancelled session"),
        sample=lambda: {
            "name": "Amina",
            "activity": "Café Connexion",
            "starts_at": _sample_session_time(),
            "reason": "Lokalen är stängd för reparation",
            "organisation": "Here 4U",
            "to_volunteer": True,
        },
    )
)
register(
    Kind(
        name="coordinator_message",
        label=_("Coordinator's message to volunteers"),
        topic=Topic.COORDINATOR,
        sample=lambda: {
            "name": "Amina",
            "subject": "Sommarfesten",
            "text": "Hej alla!\n\nVi ses på sommarfesten på lördag klockan 14.",
            "organisation": "Here 4U",
            "about": "Café Connexion",
        },
    )
)
register(
    Kind(
        name="screening_expiry",
        label=_("Screening check expiring"),
        sample=lambda: {
            "check": ScreeningCheck(kind=ScreeningKind.SE_CHILDREN, valid_until=dt.date(2018, 4, 1)),
            "volunteer": _sample_volunteer(),
            "days_left": 26,
            "to_volunteer": True,
        },
    )
)


def screening_reminder_send(check_id: int) -> int:
    """The reminder that a screening check expires soon: to the volunteer and their coordinators, each in their language."""
    check = (
        ScreeningCheck.objects.select_related("volunteer__organisation", "volunteer__user").filter(pk=check_id).first()
    )
    if check is None:
        return 0
    volunteer = check.volunteer
    recipients: list[tuple[str, str, bool]] = []
    address = volunteer_address(volunteer)
    if address:
        recipients.append((address, volunteer_language(volunteer), True))
    for user in manager_list_for_organisation(organisation_id=volunteer.organisation_id):
        recipients.append((user.email, user.language or settings.LANGUAGE_CODE, False))
    days_left = (check.valid_until - timezone.localdate()).days
    queued = 0
    for address, language, is_volunteer in recipients:
        queued += bool(
            message_queue(
                key=f"screening_expiry:check={check.pk}:to={address.lower()}",
                kind="screening_expiry",
                to=address,
                language=language,
                context={"check": check, "volunteer": volunteer, "days_left": days_left, "to_volunteer": is_volunteer},
                organisation_id=volunteer.organisation_id,
            )
        )
    return queued


def invitation_send(*, placement_id: int, vacancy: Vacancy, volunteer: Volunteer) -> bool:
    return bool(
        message_queue(
            key=f"vacancy_invitation:placement={placement_id}",
            kind="vacancy_invitation",
            to=volunteer_address(volunteer),
            language=volunteer_language(volunteer),
            context={
                "name": volunteer.first_name,
                "vacancy": vacancy.title,
                "activity": vacancy.activity.name if vacancy.activity else "",
                "organisation": vacancy.organisation.name,
                "url": _url("volunteering:me"),
            },
            organisation_id=vacancy.organisation_id,
        )
    )


def decision_send(*, placement_id: int, vacancy: Vacancy, volunteer: Volunteer, accepted: bool) -> bool:
    return bool(
        message_queue(
            key=f"application_decision:placement={placement_id}",
            kind="application_decision",
            to=volunteer_address(volunteer),
            language=volunteer_language(volunteer),
            context={
                "name": volunteer.first_name,
                "vacancy": vacancy.title,
                "organisation": vacancy.organisation.name,
                "accepted": accepted,
                "url": _url("volunteering:me"),
            },
            organisation_id=vacancy.organisation_id,
        )
    )


def session_place(session: Session) -> str:
    activity = session.activity
    if session.space is not None:
        return f"{session.space.venue.name}, {session.space.name}"
    if activity.venue is not None:
        return activity.venue.name
    return activity.outreach_organisation.name if activity.outreach_organisation else activity.location_note


def shift_reminder_send(*, shift_id: int, session: Session, volunteer: Volunteer, role: str) -> bool:
    organisation = session.activity.programme.lead_organisation
    return bool(
        message_queue(
            # Per shift and start: a session moved to another day is reminded again.
            key=f"shift_reminder:shift={shift_id}:at={session.starts_at.isoformat()}",
            kind="shift_reminder",
            to=volunteer_address(volunteer),
            language=volunteer_language(volunteer),
            context={
                "name": volunteer.first_name,
                "activity": session.activity.name,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "place": session_place(session),
                "role": role,
                "organisation": organisation.name,
                "url": _url("volunteering:me"),
            },
            organisation_id=organisation.pk,
            time_zone=COUNTRY_TIME_ZONE.get(organisation.country),
        )
    )


def cancellation_send(*, session: Session, key: str, to: str, language: str, name: str, to_volunteer: bool) -> bool:
    organisation = session.activity.programme.lead_organisation
    return bool(
        message_queue(
            key=f"session_cancelled:session={session.pk}:{key}",
            kind="session_cancelled",
            to=to,
            language=language,
            context={
                "name": name,
                "activity": session.activity.name,
                "starts_at": session.starts_at,
                "reason": session.cancellation_reason,
                "organisation": organisation.name,
                "to_volunteer": to_volunteer,
            },
            organisation_id=organisation.pk,
            time_zone=COUNTRY_TIME_ZONE.get(organisation.country),
        )
    )


def coordinator_message_send(
    *, batch: str, volunteer: Volunteer, subject: str, text: str, about: str, by: User
) -> bool:
    return bool(
        message_queue(
            key=f"coordinator_message:{batch}:volunteer={volunteer.pk}",
            kind="coordinator_message",
            to=volunteer_address(volunteer),
            language=volunteer_language(volunteer),
            context={
                "name": volunteer.first_name,
                "subject": subject,
                "text": text,
                "organisation": volunteer.organisation.name,
                "about": about,
            },
            organisation_id=volunteer.organisation_id,
        )
    )
