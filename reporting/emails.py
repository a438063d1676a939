"""The e-mail telling whoever asked that their report is ready, in their language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import ReportRequest


def report_ready_send(*, request_id: int) -> bool:
    request = ReportRequest.objects.select_related("requested_by", "report").filter(pk=request_id).first()
    if request is None or request.report is None or request.requested_by is None:
        return False
    user = request.requested_by
    language = user.language or request.language
    with translation.override(language):
        context = {
            "request": request,
            "report": request.report,
            "scope": request.scope,
            "user": user,
            "url": settings.KVARTER_BASE_URL + reverse("reports:download", args=[request.report.pk]),
            "page_url": settings.KVARTER_BASE_URL + reverse("reports:request", args=[request.pk]),
        }
        subject = render_to_string("reporting/email/report_ready_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reporting/email/report_ready_body.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("reporting/email/report_ready_body.html", context), "text/html")
    message.send()
    return True
