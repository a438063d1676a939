"""The reminder that a screening check expires soon: to the volunteer and their coordinators, each in their language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.selectors import manager_list_for_organisation

from .models import ScreeningCheck

COUNTRY_LANGUAGE = {"SE": "sv", "NL": "nl"}


def screening_reminder_send(check_id: int) -> int:
    check = (
        ScreeningCheck.objects.select_related("volunteer__organisation", "volunteer__user").filter(pk=check_id).first()
    )
    if check is None:
        return 0
    volunteer = check.volunteer
    recipients: list[tuple[str, str, bool]] = []
    volunteer_email = volunteer.email or (volunteer.user.email if volunteer.user else "")
    if volunteer_email:
        # Their own choice if they have an account, else the language of their organisation's country.
        language = (volunteer.user.language if volunteer.user else "") or COUNTRY_LANGUAGE.get(
            volunteer.organisation.country, settings.LANGUAGE_CODE
        )
        recipients.append((volunteer_email, language, True))
    for user in manager_list_for_organisation(organisation_id=volunteer.organisation_id):
        recipients.append((user.email, user.language or settings.LANGUAGE_CODE, False))
    days_left = (check.valid_until - timezone.localdate()).days
    for address, language, is_volunteer in recipients:
        with translation.override(language):
            context = {"check": check, "volunteer": volunteer, "days_left": days_left, "to_volunteer": is_volunteer}
            message = EmailMultiAlternatives(
                subject=render_to_string("volunteers/email/screening_subject.txt", context).strip(),
                body=render_to_string("volunteers/email/screening_body.txt", context),
                to=[address],
            )
            message.attach_alternative(render_to_string("volunteers/email/screening_body.html", context), "text/html")
        message.send()
    return len(recipients)
