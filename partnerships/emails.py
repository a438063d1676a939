"""Reminders that a report to a funder or the municipality is due, in each recipient's language."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.selectors import manager_list_for_organisation
from core.messages import Kind, register

from .models import Agreement, ReportingObligation

# Sent to coordinators directly (the message log covers volunteers' and
# participants' messages); registered so that the admin previews it too.
register(
    Kind(
        name="obligation_reminder",
        label=_("Report to a funder due"),
        templates=(
            "partnerships/email/obligation_subject.txt",
            "partnerships/email/obligation_body.txt",
            "partnerships/email/obligation_body.html",
        ),
        sample=lambda: {
            "obligation": ReportingObligation(
                title="Lägesrapport IOP Bäckby",
                due_on=dt.date(2018, 6, 30),
                recipient=Organisation(name="Västerås stad"),
                agreement=Agreement(title="IOP Bäckby"),
            ),
            "days_left": 7,
            "user": User(first_name="Alice", email="alice@example.org"),
            "url": settings.KVARTER_BASE_URL + "/partnerships/",
        },
    )
)


def obligation_reminder_send(obligation_id: int, days_left: int) -> int:
    obligation = (
        ReportingObligation.objects.select_related("agreement__organisation", "recipient")
        .filter(pk=obligation_id)
        .first()
    )
    if obligation is None:
        return 0
    recipients = manager_list_for_organisation(organisation_id=obligation.agreement.organisation_id)
    url = settings.KVARTER_BASE_URL + reverse("partnerships:agreement", args=[obligation.agreement.slug])
    sent = 0
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {"obligation": obligation, "days_left": days_left, "user": user, "url": url}
            message = EmailMultiAlternatives(
                subject=render_to_string("partnerships/email/obligation_subject.txt", context).strip(),
                body=render_to_string("partnerships/email/obligation_body.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("partnerships/email/obligation_body.html", context), "text/html"
            )
        message.send()
        sent += 1
    return sent
