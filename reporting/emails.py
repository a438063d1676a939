"""The e-mail saying a report is ready: to whoever asked, or for the yearly job to the scope's followers.

Each person gets it in their own language (their setting, else the report's),
once per request however often the task runs (`ReportDelivery`).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.messages import Kind, register

from .models import Report, ReportDelivery, ReportRequest
from .selectors import report_recipients

# Sent directly, once per request and person (ReportDelivery); registered so
# that the admin previews it with the others.
register(
    Kind(
        name="report_ready",
        label=_("Report ready"),
        templates=(
            "reporting/email/report_ready_subject.txt",
            "reporting/email/report_ready_body.txt",
            "reporting/email/report_ready_body.html",
        ),
        sample=lambda: {
            "report": Report(version=2, pages=14),
            "scope": "Connexion West",
            "user": User(first_name="Stina", email="stina@example.org"),
            "period": "2018",
            "yearly": True,
            "url": settings.KVARTER_BASE_URL + "/reports/",
            "page_url": settings.KVARTER_BASE_URL + "/reports/",
        },
    )
)


def report_ready_send(*, request_id: int) -> int:
    """Send the e-mails of a finished request; returns how many went out now."""
    request = ReportRequest.objects.select_related("requested_by", "report").filter(pk=request_id).first()
    if request is None or request.report is None:
        return 0
    sent = 0
    for user in report_recipients(request=request):
        try:
            with transaction.atomic():
                delivery, _ = ReportDelivery.objects.get_or_create(request=request, user=user)
        except IntegrityError:
            delivery = ReportDelivery.objects.get(request=request, user=user)
        if delivery.sent_at is not None:
            continue
        _message(request, user).send()
        ReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def _message(request: ReportRequest, user: User) -> EmailMultiAlternatives:
    report = request.report
    language = user.language or request.language
    with translation.override(language):
        context = {
            "request": request,
            "report": report,
            "scope": request.scope,
            "user": user,
            "period": request.period_label,
            "yearly": request.requested_by_id is None,
            "url": settings.KVARTER_BASE_URL + reverse("reports:download", args=[report.pk]),  # type: ignore[union-attr]
            # Whoever asked follows the request; a follower goes to the scope's page.
            "page_url": settings.KVARTER_BASE_URL
            + (
                reverse("reports:request", args=[request.pk])
                if request.requested_by_id
                else reverse("reports:scope", args=[request.scope_kind, request.scope.pk])
            ),
        }
        subject = render_to_string("reporting/email/report_ready_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reporting/email/report_ready_body.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("reporting/email/report_ready_body.html", context), "text/html")
    return message
