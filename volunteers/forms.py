import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import KeysField
from venues.models import District

from .enums import ScreeningKind
from .models import Availability, Language, Skill, Volunteer


class EndForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class ScreeningForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ScreeningKind.choices)
    seen_on = forms.DateField(label=gettext_lazy("Original seen on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["seen_on"].widget.attrs["class"] = "form-control"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ["skills", "languages", "districts", "interests", "phone"]
        field_classes = {"skills": KeysField, "languages": KeysField, "districts": KeysField}
        widgets = {
            "skills": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "districts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["languages"].queryset = Language.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["districts"].queryset = District.objects.order_by("name")  # type: ignore[attr-defined]
        for name in ("interests", "phone"):
            self.fields[name].widget.attrs["class"] = "form-control"


class AvailabilityForm(forms.ModelForm):
    class Meta:
        model = Availability
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weekday"].widget.attrs["class"] = "form-select"
        for name in ("start_time", "end_time"):
            self.fields[name].widget.attrs["class"] = "form-control"


class HoursForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        min_value=Decimal("0.25"),
        max_value=Decimal(24),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "class": "form-control"}),
    )
    note = forms.CharField(
        label=gettext_lazy("What you did"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("Hours can only be logged for today or earlier."))
        return date


class VolunteersMessageForm(forms.Form):
    """A coordinator's message to the volunteers of a vacancy or an activity."""

    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=150)
    text = forms.CharField(label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers hear the error with the field (the template gives it this id).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data["subject"]
        # A header is one line: a pasted line break must not start another header.
        return " ".join(subject.split())
