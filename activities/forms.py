from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import WEEKDAY_CHOICES, WEEKDAY_CODES
from .models import Schedule


class WeekdaysField(forms.MultipleChoiceField):
    """Checkboxes for the RFC 5545 BYDAY codes, stored as "TU,TH"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: object) -> None:
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=WEEKDAY_CHOICES, **kwargs)  # type: ignore[arg-type]

    def prepare_value(self, value: object) -> object:
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value

    def clean(self, value: object) -> str:  # type: ignore[override]
        codes = super().clean(value)
        return ",".join(code for code in WEEKDAY_CODES if code in codes)


class ScheduleForm(forms.ModelForm):
    weekdays = WeekdaysField(label=_("weekdays"), required=False)

    class Meta:
        model = Schedule
        fields = [
            "activity",
            "starts_on",
            "until",
            "start_time",
            "end_time",
            "frequency",
            "interval",
            "weekdays",
            "holiday_rule",
            "holiday_calendar",
            "space",
            "timezone",
        ]
