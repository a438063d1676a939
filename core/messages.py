"""Messages to people: the kinds there are, how one is rendered, and how it travels.

Each app registers the kinds it sends (`register`) from its `emails.py`,
with a sample context that needs no database, so the admin can preview every
kind in every language (`core.admin_views.message_previews`). A kind's
templates are `templates/notifications/<kind>/subject.txt`, `body.txt` and
`body.html`. Queuing and sending are services (`core.services.message_queue`,
`message_send`); this module is pure: values in, text out.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import MessageChannel, OutgoingMessage


class Topic:
    """What a recipient can opt out of with one click. Transactional kinds (decisions) have none."""

    REMINDERS = "reminders"
    COORDINATOR = "coordinator"

    LABELS: dict[str, Promise] = {
        REMINDERS: _("reminders of your shifts"),
        COORDINATOR: _("messages from coordinators to volunteers"),
    }


@dataclass(frozen=True)
class Kind:
    name: str
    label: Promise
    sample: Callable[[], dict[str, Any]]
    topic: str | None = None
    # Where the templates live, if not templates/notifications/<name>/.
    templates: tuple[str, str, str] | None = field(default=None)

    def template_names(self) -> tuple[str, str, str]:
        if self.templates:
            return self.templates
        base = f"notifications/{self.name}"
        return f"{base}/subject.txt", f"{base}/body.txt", f"{base}/body.html"


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(*, kind: str, language: str, context: dict[str, Any], time_zone: str | None = None) -> Rendered:
    """The message in one language (and time zone, for the times it names)."""
    subject_template, text_template, html_template = KINDS[kind].template_names()
    context = {"unsubscribe_url": "", **context}
    with translation.override(language), timezone.override(time_zone or settings.TIME_ZONE):
        return Rendered(
            # One line, whatever the template's whitespace: a header cannot hold a newline.
            subject=" ".join(render_to_string(subject_template, context).split())[:300],
            text=render_to_string(text_template, context),
            html=render_to_string(html_template, context),
        )


# Signed unsubscribe links: the address and topic, under a salt of their own
# so no other signed value of the site can be replayed as one. No expiry: a
# link in an old message must still work (RFC 8058 expects it to).
UNSUBSCRIBE_SALT = "kvarter.unsubscribe"


def unsubscribe_token(*, address: str, topic: str) -> str:
    return signing.dumps({"a": address.strip().lower(), "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str]:
    """The address and topic of a token; raises signing.BadSignature for anything we did not sign."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("t") not in Topic.LABELS or not isinstance(data.get("a"), str):
        raise signing.BadSignature("not an unsubscribe token")
    return data["a"], data["t"]


def unsubscribe_url(*, address: str, topic: str) -> str:
    return settings.KVARTER_BASE_URL + reverse(
        "core:unsubscribe", args=[unsubscribe_token(address=address, topic=topic)]
    )


class Backend(Protocol):
    """Sends one message on one channel; raises on failure (the task retries)."""

    def send(self, message: OutgoingMessage) -> None: ...


class EmailBackend:
    """E-mail through Django's default mailer (MAILERS, from EMAIL_URL)."""

    def send(self, message: OutgoingMessage) -> None:
        headers = {
            # The same Message-ID on every attempt: should a send be repeated
            # after a crash between the mail server's "accepted" and our
            # record of it, the receiving side can tell it is one message.
            "Message-ID": f"<{hashlib.sha256(message.key.encode()).hexdigest()[:32]}@{_mail_domain()}>",
            "Auto-Submitted": "auto-generated",
        }
        if message.unsubscribe_url:
            # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to it.
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(subject=message.subject, body=message.text, to=[message.to], headers=headers)
        if message.html:
            email.attach_alternative(message.html, "text/html")
        email.send()


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return address.strip(">").strip() or "kvarter.example"


class NoBackend(Exception):
    pass


# Failures worth another try later: the mail server or the database away for
# a while (smtplib's errors are OSErrors). Anything else fails the message.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, OSError)


def backend_for(channel: str) -> Backend:
    path = settings.KVARTER_MESSAGE_BACKENDS.get(channel)
    if not path:
        raise NoBackend(f"No backend sends {MessageChannel(channel).label} (KVARTER_MESSAGE_BACKENDS).")
    backend: Backend = import_string(path)()
    return backend
