from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ReportLanguage, ScopeKind
from .figures import Scope
from .models import Narrative


class ReportRequestForm(forms.Form):
    """Scope, year and language of a report; only scopes the user may see are offered."""

    scope = forms.ChoiceField(
        label=_("Scope"), error_messages={"invalid_choice": _("Choose one of the scopes in the list.")}
    )
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, error_messages={"invalid_choice": _("Choose one of the years in the list.")}
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=ReportLanguage.choices)

    def __init__(self, *args: Any, scopes: dict[str, list[Scope]], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = {f"{kind}:{scope.pk}": (kind, scope) for kind, items in scopes.items() for scope in items}
        labels = dict(ScopeKind.choices)
        self.fields["scope"].choices = [
            (str(labels[kind]).capitalize(), [(f"{kind}:{scope.pk}", str(scope)) for scope in items])
            for kind, items in scopes.items()
            if items
        ]
        self.fields["year"].choices = [(year, str(year)) for year in years]
        if "year" not in self.initial and years:
            # The last full year is what people usually ask for.
            self.initial["year"] = timezone.localdate().year - 1 if len(years) > 1 else years[0]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean_scope(self) -> tuple[str, Scope]:
        return self.scopes[self.cleaned_data["scope"]]


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
