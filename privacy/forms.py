from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(label=_("Code or alias"), max_length=60, required=False)


class ErasureForm(forms.Form):
    """Erasing cannot be undone: the coordinator types the participant's code to confirm."""

    confirm = forms.CharField(
        label=_("Type the participant's code to confirm"), max_length=12, help_text=_("Erasing cannot be undone.")
    )

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().upper()
        if value != self.code:
            raise forms.ValidationError(_("That is not this participant's code."))
        return value
