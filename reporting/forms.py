import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ReportLanguage, ScopeKind
from .figures import Period, Scope
from .models import Narrative

# A report over more than ten years would be a history book, and a slow query.
MAX_PERIOD_MONTHS = 120
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date | None:
    """ "2020-07" as 1 July 2020; None when it is not a month."""
    match = MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1990:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


class MonthInput(forms.TextInput):
    input_type = "month"


def period_between(first: dt.date, last: dt.date, *, years: list[int]) -> Period:
    """The period of whole months from `first` to `last`, or a ValidationError saying why not."""
    if last < first:
        raise forms.ValidationError(_("The period must end after it starts."), code="order")
    period = Period.of_months(first, last)
    if len(period.months) > MAX_PERIOD_MONTHS:
        raise forms.ValidationError(_("A period can be at most ten years."), code="length")
    if years and (first.year < min(years) or last.year > max(years)):
        raise forms.ValidationError(
            _("Choose months from %(first)s to %(last)s.") % {"first": min(years), "last": max(years)}, code="range"
        )
    return period


class ScopePeriodForm(forms.Form):
    """A scope and a calendar year, or a period of whole months; only scopes the user may see are offered."""

    scope = forms.ChoiceField(
        label=_("Scope"), error_messages={"invalid_choice": _("Choose one of the scopes in the list.")}
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the years in the list.")},
    )
    first_month = forms.CharField(
        label=_("From month"),
        required=False,
        max_length=7,
        widget=MonthInput(attrs={"placeholder": "2020-07", "pattern": r"\d{4}-\d{2}"}),
    )
    last_month = forms.CharField(
        label=_("To month"),
        required=False,
        max_length=7,
        widget=MonthInput(attrs={"placeholder": "2022-12", "pattern": r"\d{4}-\d{2}"}),
    )

    def __init__(self, *args: Any, scopes: dict[str, list[Scope]], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.scopes = {f"{kind}:{scope.pk}": (kind, scope) for kind, items in scopes.items() for scope in items}
        labels = dict(ScopeKind.choices)
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            (str(labels[kind]).capitalize(), [(f"{kind}:{scope.pk}", str(scope)) for scope in items])
            for kind, items in scopes.items()
            if items
        ]
        cast(forms.ChoiceField, self.fields["year"]).choices = [(year, str(year)) for year in years]
        if "year" not in self.initial and years:
            # The last full year is what people usually ask for.
            self.initial["year"] = timezone.localdate().year - 1 if len(years) > 1 else years[0]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name in ("first_month", "last_month") else "form-select"
            if name in ("first_month", "last_month"):
                field.widget.attrs["aria-describedby"] = f"{self.prefix}-period-help" if self.prefix else "period-help"

    def clean_scope(self) -> tuple[str, Scope]:
        return self.scopes[self.cleaned_data["scope"]]

    def clean(self) -> dict[str, Any]:
        """A period (both months given) instead of the calendar year, or the year."""
        data = super().clean() or {}
        first_text, last_text = data.get("first_month") or "", data.get("last_month") or ""
        if not first_text and not last_text:
            if not data.get("year"):
                if "year" not in self.errors:
                    raise forms.ValidationError(_("Choose a year, or the months of a period."), code="empty")
                return data
            data["period"] = Period.of_year(data["year"])
            return data
        first, last = parse_month(first_text), parse_month(last_text)
        if first is None or last is None:
            raise forms.ValidationError(
                _("Give both months of a period as year and month, for example 2020-07 and 2022-12."), code="month"
            )
        data["period"] = period_between(first, last, years=self.years)
        return data


class ReportRequestForm(ScopePeriodForm):
    """Scope, year (or period) and language of a report."""

    language = forms.ChoiceField(label=_("Language of the report"), choices=ReportLanguage.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.attrs["class"] = "form-select"


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Narrative
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 16, "class": "form-control"})}
        help_texts = {
            "text": _(
                "Printed in the report as written. Blank line: new paragraph; **bold**, *italic*, "
                "lines starting with - for a list, ### for a heading, [text](https://…) for a link."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["aria-describedby"] = "id_text-help"
