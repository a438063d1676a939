from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.single = organisations[0] if len(organisations) == 1 else None
        if self.single is not None:
            # Only one organisation to import into: no choice to make.
            self.fields["organisation"].required = False
            self.fields["organisation"].widget = forms.HiddenInput()
        limit = settings.KVARTER_IMPORT_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = _(
            "A CSV file or an Excel workbook (.xlsx), at most %(limit)s MB. Nothing is imported before you confirm."
        ) % {"limit": limit}
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.txt"

    def clean_organisation(self) -> Organisation | None:
        return self.cleaned_data.get("organisation") or self.single


class ConfirmForm(forms.Form):
    only_valid = forms.BooleanField(label=_("Import only the good rows and leave the bad ones out"), required=False)
