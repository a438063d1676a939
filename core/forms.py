from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def form_errors_text(form: forms.BaseForm) -> str:
    """A form's errors as one sentence for a message after a redirect (the form itself is not shown again)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


class KeysField(forms.ModelMultipleChoiceField):
    """Model choices that refuse a key beyond the database's 64 bits as an invalid choice.

    Django looks such a key up anyway, and SQLite cannot even compare with it
    (OverflowError, a 500) where PostgreSQL just finds nothing.
    """

    def _check_values(self, value: Any) -> Any:
        for key in value or ():
            try:
                too_large = abs(int(str(key))) > 2**63 - 1
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django API the stubs leave out
