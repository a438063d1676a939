from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from core.uploads import checked_upload

from .enums import AgreementStatus
from .models import AgreementDocument
from .services import TRANSITIONS


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


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("New status"))
    decided_on = forms.DateField(
        label=gettext_lazy("Decided on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_by = forms.CharField(label=gettext_lazy("Decided by"), required=False, max_length=100)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = [
            (status, AgreementStatus(status).label.capitalize()) for status in TRANSITIONS[AgreementStatus(current)]
        ]
        self.fields["to_status"].error_messages["invalid_choice"] = _("That is not a next step for this agreement.")
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("PDF, Word, Excel or OpenDocument, at most 10 MB.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".pdf,.docx,.xlsx,.odt,.ods"})
