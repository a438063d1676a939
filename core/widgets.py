"""Admin autocomplete widgets that survive a key that is not a key.

When an admin form comes back invalid, Django's AutocompleteSelect renders the
posted value again by looking it up: `filter(pk__in={"x"})`. A value that is
not a number raises ValueError, and on SQLite one beyond 64 bits raises
OverflowError: a 500 instead of the form's own "Select a valid choice"
message. These widgets render only values the key column can hold; the form
field still rejects the rest with its message. (Django's `in` lookup, unlike
`exact`, has no overflow guard.)
"""

from typing import Any

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connections


class _ValidKeysOnlyMixin:
    field: Any
    db: str | None

    def _holds(self, value: Any) -> bool:
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", opts.pk.attname))  # many-to-many: the key
        try:
            key = target.to_python(value)
        except ValidationError:
            return False
        if isinstance(key, int):  # SQLite raises OverflowError beyond 64 bits
            low, high = connections[self.db or "default"].ops.integer_field_range(target.get_internal_type())
            return (low is None or key >= low) and (high is None or key <= high)
        return True

    def optgroups(self, name: str, value: list[Any], attr: Any = None) -> Any:
        return super().optgroups(name, [v for v in value if self._holds(v)], attr)  # type: ignore[misc]


class SafeAutocompleteSelect(_ValidKeysOnlyMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidKeysOnlyMixin, AutocompleteSelectMultiple):
    pass


def safe_autocomplete_widget(model_admin: Any, db_field: Any, request: Any, kwargs: dict[str, Any]) -> None:
    """Put the safe widget in `kwargs` where Django would put its own autocomplete widget."""
    if "widget" in kwargs or db_field.name not in model_admin.get_autocomplete_fields(request):
        return
    widget = SafeAutocompleteSelectMultiple if db_field.many_to_many else SafeAutocompleteSelect
    kwargs["widget"] = widget(db_field, model_admin.admin_site, using=kwargs.get("using"))
