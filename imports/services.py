"""Spreadsheet imports: read a file against a kind, preview it, write it on confirmation, undo it.

One routine (`import_rows`) serves the preview, the confirmation, the
command line and the benchmark: it streams the file in chunks, and for each
chunk cleans the rows, plans them against the database (a few queries per
chunk, whatever its size) and, when asked, writes them. A confirmation runs
in one transaction: a file with a bad row is rolled back whole unless the
user chose to import only the good rows, so nothing is ever half imported.

Large files (over KVARTER_IMPORT_ASYNC_ROWS rows) are checked and imported
by a Celery task (`imports.tasks`); the page polls the batch's progress,
which the task keeps in the cache (the import's own transaction hides its
rows from the page until it commits).
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation, User
from accounts.selectors import organisation_ids_for_user
from core.models import AuditAction
from core.services import log_action
from core.spreadsheet_reading import FileError, count_rows, data_rows

from . import tasks
from .enums import ImportStatus
from .kinds import Kind, RowError, RowInvalid, kind_for
from .models import ImportBatch

UPLOAD_EXTENSIONS = (".csv", ".xlsx", ".txt")


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_ids: list[Any] = field(default_factory=list)
    # Found while writing, no row error (a room taken): listed with the rows once imported.
    notices: list[dict[str, Any]] = field(default_factory=list)
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    written: bool = False

    @property
    def error_rows(self) -> int:
        return len({error["row"] for error in self.errors})

    def summary(self) -> str:
        # The command line's last line, a contract (docs/operations.md): not translated.
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, errors {self.error_rows}"


def error_text(error: dict[str, Any]) -> str:
    """One bad row in the active language: row 14, column 'Födelseår': '19x8' is not a year."""
    message = _(error["message"]) % error.get("params", {}) if error.get("params") else _(error["message"])
    if error.get("column"):
        return _("row %(row)s, column '%(column)s': %(message)s") % {
            "row": error["row"],
            "column": error["column"],
            "message": message,
        }
    return _("row %(row)s: %(message)s") % {"row": error["row"], "message": message}


def _as_dict(kind: type[Kind], titles: dict[str, str], error: RowError) -> dict[str, Any]:
    labels = {column.key: str(column.label) for column in kind.columns}
    # A model's own check may name a field that is no column (then the row is what it is about).
    column = titles.get(error.column) or labels.get(error.column, "")
    return {
        "row": error.row,
        "column": column,
        "value": error.value,
        "message": error.message,
        "params": error.params,
    }


def import_rows(
    *,
    stream: IO[bytes],
    organisation: Organisation,
    kind: str,
    write: bool,
    only_valid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Read the file as `kind` for `organisation`; with `write`, write it (the caller holds the transaction).

    Without `only_valid`, writing stops at the first bad row (the caller rolls
    back) but reading goes on, so every bad row is reported. Raises FileError
    when the file as a whole cannot be read.
    """
    spec = kind_for(kind)
    handler = spec(organisation)
    header, rows = data_rows(stream, spec.header_names())
    missing = [column for column in spec.columns if column.required and column.key not in header.titles]
    if missing:
        raise FileError(
            gettext_noop("The file has no column '%(column)s' (or one of its names in another language)."),
            column=str(missing[0].label),
        )
    outcome = Outcome()
    chunk: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        plan = handler.plan(chunk)
        outcome.created += len(plan.create)
        outcome.updated += len(plan.update)
        outcome.unchanged += plan.unchanged
        outcome.errors.extend(_as_dict(spec, header.titles, error) for error in plan.errors)
        if write and (only_valid or not outcome.errors):
            created, previous = handler.write(plan)
            outcome.created_ids.extend(created)
            outcome.previous.update(previous)
        chunk.clear()
        if progress:
            progress(outcome.rows)

    for number, raw in rows:
        outcome.rows += 1
        try:
            chunk.append((number, handler.clean(number, raw)))
        except RowInvalid as invalid:
            outcome.errors.extend(_as_dict(spec, header.titles, error) for error in invalid.errors)
        if spec.chunk_size and len(chunk) >= spec.chunk_size:
            flush()
    flush()
    if write and (only_valid or not outcome.errors):
        handler.after_write()
        outcome.notices = [_as_dict(spec, header.titles, notice) for notice in handler.notices]
        outcome.written = True
    outcome.errors.sort(key=lambda error: error["row"])
    return outcome


def import_file(
    *,
    stream: IO[bytes],
    organisation: Organisation,
    kind: str,
    dry_run: bool = False,
    only_valid: bool = False,
    actor: User | None = None,
) -> Outcome:
    """Import a whole file in one transaction (the command line): all or nothing unless `only_valid`."""
    with transaction.atomic():
        outcome = import_rows(
            stream=stream, organisation=organisation, kind=kind, write=not dry_run, only_valid=only_valid
        )
        if not outcome.written:
            transaction.set_rollback(True)
            outcome.written = False
        else:
            log_action(
                actor=actor,
                action=AuditAction.IMPORT_CONFIRMED,
                obj=organisation,
                changes={"kind": kind, "created": outcome.created, "updated": outcome.updated},
            )
    return outcome


# --- Batches: the admin's upload, preview, confirm and undo --------------------------------------


def check_upload(upload: UploadedFile) -> None:
    if PurePath(upload.name or "").suffix.lower() not in UPLOAD_EXTENSIONS:
        raise ValidationError(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    if upload.size and upload.size > settings.KVARTER_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": settings.KVARTER_IMPORT_MAX_BYTES // (1024 * 1024)}
        )


def _may_import(user: User, organisation: Organisation) -> None:
    if not user.is_superuser and organisation.pk not in organisation_ids_for_user(user=user):
        raise PermissionDenied


def batch_create(*, organisation: Organisation, kind: str, upload: UploadedFile, user: User) -> ImportBatch:
    """Store the upload as a batch and check it: at once, or by a task for a large file. Writes no data."""
    _may_import(user, organisation)
    kind_for(kind)
    check_upload(upload)
    rows = count_rows(upload.file)  # type: ignore[arg-type]
    batch = ImportBatch(
        organisation=organisation,
        kind=kind,
        file_name=PurePath(upload.name or "upload").name[:200],
        created_by=user,
        rows_total=rows,
    )
    batch.file.save(f"{kind}{PurePath(upload.name or '').suffix.lower()}", upload, save=False)
    batch.full_clean()
    batch.save()
    if rows > settings.KVARTER_IMPORT_ASYNC_ROWS:
        transaction.on_commit(lambda: tasks.task_check_import.delay(batch_id=batch.pk))
    else:
        batch_check(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def _progress(batch_id: int) -> Callable[[int], None]:
    def report(rows: int) -> None:
        cache.set(progress_key(batch_id), rows, timeout=3600)

    return report


def _store(batch: ImportBatch, outcome: Outcome) -> None:
    batch.rows_total = outcome.rows
    batch.rows_done = outcome.rows
    batch.created_count = outcome.created
    batch.updated_count = outcome.updated
    batch.unchanged_count = outcome.unchanged
    batch.error_count = outcome.error_rows
    batch.errors = outcome.errors + outcome.notices


def _read(batch: ImportBatch) -> IO[bytes]:
    """A local copy of the stored file that the readers may seek in (object storage streams; memory stays flat)."""
    copy = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller reads it
    try:
        with batch.file.open("rb") as stored:
            while chunk := stored.read(1024 * 1024):
                copy.write(chunk)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy  # type: ignore[return-value]


def _fail(batch: ImportBatch, error: FileError) -> None:
    batch.status = ImportStatus.FAILED
    batch.failure = error.message
    batch.errors = [{"row": 0, "column": "", "value": "", "message": error.message, "params": error.params}]


def batch_check(*, batch_id: int) -> None:
    """The preview: read the batch's file, count what it would create, update and leave, list bad rows."""
    batch = ImportBatch.objects.select_related("organisation").get(pk=batch_id)
    if batch.status != ImportStatus.ANALYSING:
        return  # a replayed task
    try:
        with _read(batch) as stream:
            outcome = import_rows(
                stream=stream,
                organisation=batch.organisation,
                kind=batch.kind,
                write=False,
                progress=_progress(batch.pk),
            )
    except FileError as error:
        _fail(batch, error)
    else:
        _store(batch, outcome)
        batch.status = ImportStatus.PREVIEWED
    batch.save()


def batch_confirm(*, batch: ImportBatch, user: User, only_valid: bool) -> ImportBatch:
    """Import a previewed batch: at once, or by a task for a large file."""
    _may_import(user, batch.organisation)
    if batch.status != ImportStatus.PREVIEWED:
        raise ValidationError(_("This import is not waiting for confirmation."))
    if batch.error_count and not only_valid:
        raise ValidationError(_("The file has rows with errors: correct them, or import only the good rows."))
    batch.status = ImportStatus.IMPORTING
    batch.only_valid = only_valid
    batch.confirmed_by = user
    batch.rows_done = 0
    batch.save(update_fields=["status", "only_valid", "confirmed_by", "rows_done", "updated_at"])
    if batch.rows_total > settings.KVARTER_IMPORT_ASYNC_ROWS:
        transaction.on_commit(lambda: tasks.task_run_import.delay(batch_id=batch.pk))
    else:
        batch_run(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def batch_run(*, batch_id: int) -> None:
    """Write a confirmed batch in one transaction; a new bad row (the data changed since) rolls it back."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=batch_id)
        if batch.status != ImportStatus.IMPORTING:
            return  # a replayed task
        try:
            with _read(batch) as stream, transaction.atomic():
                outcome = import_rows(
                    stream=stream,
                    organisation=batch.organisation,
                    kind=batch.kind,
                    write=True,
                    only_valid=batch.only_valid,
                    progress=_progress(batch.pk),
                )
                if not outcome.written:
                    transaction.set_rollback(True)
        except FileError as error:
            _fail(batch, error)
            batch.save()
            return
        _store(batch, outcome)
        if not outcome.written:
            # Rows went bad since the preview: back to the preview, with them listed.
            batch.status = ImportStatus.PREVIEWED
            batch.save()
            return
        batch.status = ImportStatus.IMPORTED
        batch.confirmed_at = timezone.now()
        batch.created_ids = outcome.created_ids
        batch.previous_values = outcome.previous
        batch.save()
        log_action(
            actor=batch.confirmed_by,
            action=AuditAction.IMPORT_CONFIRMED,
            obj=batch,
            changes={
                "kind": batch.kind,
                "file": batch.file_name,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "skipped_rows": outcome.error_rows,
            },
        )


def batch_set_failed(*, batch_id: int, reason: str) -> None:
    """A batch whose task failed: shown with its reason, as a file that cannot be read is (`_fail`)."""
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED,
        failure=reason[:300],
        errors=[{"row": 0, "column": "", "value": "", "message": reason, "params": {}}],
    )


def batch_cancel(*, batch: ImportBatch, user: User) -> None:
    """Drop a previewed batch: nothing was written; the stored file goes."""
    _may_import(user, batch.organisation)
    if batch.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise ValidationError(_("Only an import waiting for confirmation can be cancelled."))
    with transaction.atomic():
        batch.status = ImportStatus.CANCELLED
        batch.file.delete(save=False)
        batch.save()
        log_action(actor=user, action=AuditAction.IMPORT_CANCELLED, obj=batch, changes={"file": batch.file_name})


def batch_undo_blockers(*, batch: ImportBatch) -> list[str]:
    if batch.status != ImportStatus.IMPORTED:
        return [_("Only a finished import can be undone.")]
    return kind_for(batch.kind).undo_blockers(batch.created_ids)


def batch_undo(*, batch: ImportBatch, user: User) -> None:
    """Take a whole import back: delete what it created, restore what it changed; refused while used."""
    _may_import(user, batch.organisation)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=batch.pk)
        blockers = batch_undo_blockers(batch=batch)
        if blockers:
            raise ValidationError(blockers)
        kind_for(batch.kind).undo(
            organisation=batch.organisation, created_ids=batch.created_ids, previous=batch.previous_values
        )
        batch.status = ImportStatus.UNDONE
        batch.undone_at = timezone.now()
        batch.save()
        log_action(
            actor=user,
            action=AuditAction.IMPORT_UNDONE,
            obj=batch,
            changes={"kind": batch.kind, "deleted": len(batch.created_ids), "restored": len(batch.previous_values)},
        )
