from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import checked_upload

from .models import AgreementDocument


class AgreementDocumentAdminForm(forms.ModelForm):
    """A document added in the admin passes the same checks as on the agreement's page.

    The file is checked here for the form's message, and stored by
    `partnerships.services.agreement_document_add` (AgreementDocumentAdmin.save_model).
    A stored document's file is not replaced: add a new document instead.
    """

    upload = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel or OpenDocument, at most 10 MB."), required=False
    )

    class Meta:
        model = AgreementDocument
        fields = ["agreement", "title"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if self.instance.pk is None:
            if upload is None:
                raise ValidationError(_("Choose the file to store."))
            checked_upload(upload)
        return upload
