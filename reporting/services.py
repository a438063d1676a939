"""Producing yearly reports: requests, versions, the stored PDF, the yearly run.

A request is answered by exactly one version per dataset. The worker
computes the document; if a version with the same fingerprint exists it is
the answer, otherwise the PDF is rendered and stored as the next version.
The database enforces "one version per fingerprint", so two workers (or a
redelivered task after a killed worker) racing on the same report end with
one file and one row: the loser deletes its file and takes the winner's.
"""

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from accounts.enums import Country
from accounts.models import User
from activities.enums import SessionStatus
from activities.models import Programme, Session
from core.models import AuditAction
from core.replica import reads_from_replica
from core.services import log_action
from partnerships.models import Agreement
from venues.models import District, Venue

from .document import document_for_language, fingerprint, report_document, scope_organisation
from .enums import ReportLanguage, ReportStatus, ScopeKind
from .figures import Period, Scope, year_bounds
from .models import SCOPE_FIELDS, Report, ReportRequest, ReportSubscription
from .pdf import render_report_pdf
from .tasks import task_produce_report, task_send_report_ready

logger = logging.getLogger(__name__)

IN_PROGRESS = (ReportStatus.QUEUED, ReportStatus.COMPUTING, ReportStatus.RENDERING)
COUNTRY_LANGUAGE = {Country.SWEDEN: ReportLanguage.SWEDISH, Country.NETHERLANDS: ReportLanguage.DUTCH}


def _key(*, scope_kind: str, scope: Scope, period: Period, language: str) -> dict[str, Any]:
    return {
        "scope_kind": scope_kind,
        SCOPE_FIELDS[ScopeKind(scope_kind)]: scope,
        "year": period.year,
        "period_start": period.first,
        "period_end": period.last,
        "language": language,
    }


def report_period_of(request: ReportRequest | Report) -> Period:
    return Period(request.period_start, request.period_end)


def _enqueue(request: ReportRequest) -> None:
    transaction.on_commit(lambda: task_produce_report.delay(request_id=request.pk))


def report_lease() -> dt.timedelta:
    """How long a run may hold a request: the report task's hard time limit and a minute.

    No live worker runs a report longer (Celery kills it at the hard limit
    and the request fails with a reason), so a lease past this is a dead run.
    """
    return dt.timedelta(
        seconds=settings.KVARTER_REPORT_TIME_LIMIT_SECONDS + settings.KVARTER_REPORT_LEASE_GRACE_SECONDS
    )


def report_request_create(
    *,
    user: User | None,
    scope_kind: str,
    scope: Scope,
    language: str,
    year: int | None = None,
    period: Period | None = None,
) -> tuple[ReportRequest, bool]:
    """Ask for a report of a calendar year or any period of whole months; the worker starts on commit.

    A second click while the first request is still being worked on returns
    that request instead of queueing another (the bool says whether it is new).
    """
    if period is None:
        if year is None:
            raise TypeError("a report needs a year or a period")
        period = Period.of_year(year)
    key = _key(scope_kind=scope_kind, scope=scope, period=period, language=language)
    with transaction.atomic():
        waiting = ReportRequest.objects.filter(**key, requested_by=user, status__in=IN_PROGRESS).first()
        if waiting is not None:
            return waiting, False
        request = ReportRequest.objects.create(**key, requested_by=user)
        log_action(
            actor=user,
            action=AuditAction.REPORT_REQUESTED,
            obj=request,
            organisation=scope_organisation(scope_kind=scope_kind, scope=scope),
        )
        _enqueue(request)
    return request, True


def _set_status(request: ReportRequest, status: str) -> None:
    request.status = status
    ReportRequest.objects.filter(pk=request.pk).update(status=status, updated_at=timezone.now())


def report_produce(*, request_id: int, task_id: str = "") -> Report | None:
    """Answer one request (the worker's whole job). Safe to run again at any point.

    One run at a time holds a request (`task_id`, `lease_until`). The same
    task delivered again (its worker died) takes over at once: its earlier
    run cannot be alive. Another task finds the lease and leaves the request
    to its holder; once the lease has run out the sweep queues a fresh task.
    """
    now = timezone.now()
    with transaction.atomic():
        request = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            return None
        if request.status == ReportStatus.DONE:
            return request.report
        if request.status == ReportStatus.FAILED:
            # Given up on (the sweep, or a time limit): the strategist asks again.
            return None
        held = request.status in (ReportStatus.COMPUTING, ReportStatus.RENDERING)
        if held and request.task_id != task_id and request.lease_until and request.lease_until > now:
            logger.info("Report request %s is being produced by task %s", request_id, request.task_id)
            return None
        request.status = ReportStatus.COMPUTING
        request.attempts += 1
        request.error = ""
        request.task_id = task_id
        request.lease_until = now + report_lease()
        request.save(update_fields=["status", "attempts", "error", "task_id", "lease_until", "updated_at"])
    try:
        return _produce(request)
    except BaseException:
        # A retry or a failure is decided by the task; the lease is given back
        # so its retry is not kept waiting (a SIGKILL never gets here: the sweep).
        ReportRequest.objects.filter(pk=request.pk, task_id=task_id).exclude(status=ReportStatus.DONE).update(
            lease_until=None, status=ReportStatus.QUEUED, updated_at=timezone.now()
        )
        raise


def _produce(request: ReportRequest) -> Report:
    scope: Scope = request.scope  # type: ignore[assignment]
    period = report_period_of(request)
    figures_as_of = timezone.now()
    # The figures from the replica when there is one (core.replica): the heaviest
    # reads Kvarter makes. The request, the narrative and the versions stay on the primary.
    document = document_for_language(
        reads_from_replica(report_document)(scope_kind=request.scope_kind, scope=scope, period=period),
        scope_kind=request.scope_kind,
        scope=scope,
        period=period,
        language=request.language,
    )
    digest = fingerprint(document)
    key = _key(scope_kind=request.scope_kind, scope=scope, period=period, language=request.language)
    report = Report.objects.filter(**key, data_fingerprint=digest).first()
    new = report is None
    if report is None:
        _set_status(request, ReportStatus.RENDERING)
        if settings.KVARTER_REPORT_RENDER_DELAY_SECONDS:
            # Fault injection for the killed-worker test (and for showing the progress bar); 0 in production.
            time.sleep(settings.KVARTER_REPORT_RENDER_DELAY_SECONDS)
        pdf, pages = render_report_pdf(document, figures_as_of=figures_as_of)
        report, new = _store(key=key, document=document, digest=digest, pdf=pdf, pages=pages)
    with transaction.atomic():
        finished = (
            ReportRequest.objects.filter(pk=request.pk)
            .exclude(status=ReportStatus.DONE)
            .update(
                status=ReportStatus.DONE,
                report=report,
                finished_at=timezone.now(),
                lease_until=None,
                updated_at=timezone.now(),
            )
        )
        # Once per request, with the one run that finished it: to whoever asked,
        # or (the yearly job) to the followers when there is something new to read.
        if finished and (request.requested_by_id or new):
            transaction.on_commit(lambda: task_send_report_ready.delay(request_id=request.pk))
    return report


def _store(
    *, key: dict[str, Any], document: dict[str, Any], digest: str, pdf: bytes, pages: int
) -> tuple[Report, bool]:
    """Save the PDF and its row together: a row never points at a missing file. True when this run stored it."""
    scope = key[SCOPE_FIELDS[ScopeKind(key["scope_kind"])]]
    period = Period(key["period_start"], key["period_end"])
    span = period.year if period.is_calendar_year else f"{period.first:%Y%m}-{period.last:%Y%m}"
    name = f"{slugify(str(scope))[:60] or key['scope_kind']}-{span}-{key['language']}-{digest[:12]}.pdf"
    for _ in range(5):
        version = (Report.objects.filter(**key).aggregate(latest=Max("version"))["latest"] or 0) + 1
        report = Report(**key, version=version, data_fingerprint=digest, figures=document, pages=pages)
        report.file.save(name, ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # Another worker stored this report, or took this version number, first.
            report.file.delete(save=False)
            same = Report.objects.filter(**key, data_fingerprint=digest).first()
            if same is not None:
                return same, False
            continue
        logger.info("Stored %s (%s pages)", report, pages)
        return report, True
    raise RuntimeError(f"Could not store a new version of {scope} {key['year']}")


def report_set_failed(*, request_id: int, error: str) -> None:
    ReportRequest.objects.filter(pk=request_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED,
        error=error[:2000],
        finished_at=timezone.now(),
        lease_until=None,
        updated_at=timezone.now(),
    )


# A request whose runs died this often fails with a reason: something in it kills workers.
MAX_ATTEMPTS = 3


def report_requests_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute (Celery beat; `manage.py sweep_report_requests`): hand on requests whose worker died.

    - In progress with the lease run out: the run was killed (a SIGKILL, an
      out-of-memory kill, a lost machine); queue a fresh task, or fail the
      request with a reason after MAX_ATTEMPTS runs.
    - Queued for longer than the broker's visibility timeout and a lease: the
      message was lost with its worker and Redis did not give it back; queue
      it again. A duplicate is harmless: the lease lets one run work, the
      fingerprint keeps one version.
    """
    now = now or timezone.now()
    requeued = failed = 0
    dead = ReportRequest.objects.filter(
        status__in=[ReportStatus.COMPUTING, ReportStatus.RENDERING], lease_until__lt=now
    )
    forgotten = ReportRequest.objects.filter(
        status=ReportStatus.QUEUED,
        updated_at__lt=now - dt.timedelta(seconds=settings.KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS) - report_lease(),
    )
    for request_id in list(dead.values_list("pk", flat=True)) + list(forgotten.values_list("pk", flat=True)):
        with transaction.atomic():
            request = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
            if request is None or request.is_finished:
                continue
            if request.status != ReportStatus.QUEUED and (request.lease_until is None or request.lease_until >= now):
                continue  # picked up again since the look
            if request.attempts >= MAX_ATTEMPTS:
                report_set_failed(
                    request_id=request.pk,
                    error=gettext_noop("The report could not be finished: its worker stopped. Please ask again."),
                )
                logger.warning("Report request %s failed after %s attempts", request.pk, request.attempts)
                failed += 1
                continue
            request.status = ReportStatus.QUEUED
            request.lease_until = None
            request.save(update_fields=["status", "lease_until", "updated_at"])
            _enqueue(request)
            logger.warning("Report request %s queued again: its worker stopped", request.pk)
            requeued += 1
    return {"requeued": requeued, "failed": failed}


# --- The yearly run -------------------------------------------------------------


def annual_report_scopes(*, year: int) -> list[tuple[str, Scope, str]]:
    """Every scope that had activity in `year` (sessions not cancelled), with its organisation's language.

    Programmes with sessions; the venues they were at; the districts of those
    venues and, for outreach without a venue, the districts its programme
    works in; the agreements of those programmes; the organisations that led
    them; and every municipality whose districts saw activity (its
    whole-municipality report), whoever ran it. A fixed number of queries.
    """
    start, end = year_bounds(year)
    sessions = Session.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(status=SessionStatus.CANCELLED)
    programme_ids = set(sessions.values_list("activity__programme_id", flat=True).distinct())
    programmes = list(Programme.objects.filter(pk__in=programme_ids).select_related("lead_organisation"))
    venues = list(
        Venue.objects.filter(pk__in=sessions.values("activity__venue")).select_related(
            "organisation", "district__municipality"
        )
    )
    outreach = sessions.filter(activity__venue__isnull=True).values("activity__programme")
    districts = {venue.district for venue in venues if venue.district is not None} | set(
        District.objects.filter(programmes__in=outreach).select_related("municipality")
    )
    agreements = list(Agreement.objects.filter(programmes__in=programme_ids).distinct().select_related("organisation"))
    organisations = {programme.lead_organisation for programme in programmes} | {
        district.municipality for district in districts if district.municipality_id
    }
    scopes: list[tuple[str, Scope]] = [
        *((ScopeKind.PROGRAMME, p) for p in sorted(programmes, key=str)),
        *((ScopeKind.VENUE, v) for v in sorted(venues, key=str)),
        *((ScopeKind.DISTRICT, d) for d in sorted(districts, key=str)),
        *((ScopeKind.AGREEMENT, a) for a in sorted(agreements, key=str)),
        *((ScopeKind.ORGANISATION, o) for o in sorted(organisations, key=str)),
    ]
    result = []
    for kind, scope in scopes:
        owner = scope_organisation(scope_kind=kind, scope=scope)
        language = (
            COUNTRY_LANGUAGE.get(Country(owner.country), ReportLanguage.ENGLISH) if owner else ReportLanguage.ENGLISH
        )
        result.append((str(kind), scope, str(language)))
    return result


def annual_reports_request(*, year: int) -> list[ReportRequest]:
    """The yearly job: one request per active scope, each answered once per dataset.

    Running it twice queues the requests again, but each is answered by the
    existing version unless the figures changed since; a request still
    waiting from a previous run is not queued a second time.
    """
    requests = []
    for kind, scope, language in annual_report_scopes(year=year):
        request, _ = report_request_create(user=None, scope_kind=kind, scope=scope, year=year, language=language)
        requests.append(request)
    return requests


# --- Following a scope's yearly report ---------------------------------------------


def report_subscription_set(*, user: User, scope_kind: str, scope: Scope, active: bool) -> ReportSubscription:
    """Follow (or stop following) the yearly report of a scope: an e-mail with the link when it is made."""
    key = {"scope_kind": scope_kind, SCOPE_FIELDS[ScopeKind(scope_kind)]: scope, "user": user}
    with transaction.atomic():
        subscription, _ = ReportSubscription.objects.select_for_update().get_or_create(
            **key, defaults={"active": active}
        )
        if subscription.active != active:
            subscription.active = active
            subscription.save(update_fields=["active", "updated_at"])
        log_action(
            actor=user,
            action=AuditAction.REPORT_FOLLOWED if active else AuditAction.REPORT_UNFOLLOWED,
            obj=subscription,
            organisation=scope_organisation(scope_kind=scope_kind, scope=scope),
        )
    return subscription
