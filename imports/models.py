from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import TimeStampedModel

from .enums import ImportKind, ImportStatus


class ImportBatch(TimeStampedModel):
    """One uploaded spreadsheet: what it would do (the preview), what it did, and how to take it back.

    The file is kept so that the confirmation reads it again (nothing of it
    is held between the two requests), and the batch remembers the rows it
    created and the values it overwrote, so the whole import can be undone
    while nothing depends on it.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.ANALYSING)
    only_valid = models.BooleanField(
        _("only the good rows"), default=False, help_text=_("Import the good rows and leave the bad ones out.")
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # How far a running task has come (the progress bar), in rows.
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row": 14, "column": "Födelseår", "value": "19x8", "message": msgid, "params": {...}}]: translated when shown.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    # What undo needs: the primary keys created and the old values of the rows updated.
    created_ids = models.JSONField(_("created objects"), default=list, blank=True)
    previous_values = models.JSONField(_("values before the import"), default=dict, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [
            # The changelist: an organisation's imports, newest first.
            models.Index(fields=["organisation", "-created_at"], name="import_batch_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.ANALYSING, ImportStatus.IMPORTING)
