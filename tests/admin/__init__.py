"""Tests of the coordinators' admin, and one helper its form tests share."""

from typing import Any

from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms import BaseForm
from django.test.client import Client
from django.utils import translation


def _widget_data(widget: dict[str, Any]) -> dict[str, Any]:
    """What a browser would post for one rendered widget context."""
    if "subwidgets" in widget:  # MultiWidget, e.g. the admin's split date and time
        data: dict[str, Any] = {}
        for subwidget in widget["subwidgets"]:
            data.update(_widget_data(subwidget))
        return data
    if "optgroups" in widget:  # selects, autocompletes and checkbox lists: the chosen values
        chosen = [option["value"] for _, options, _ in widget["optgroups"] for option in options if option["selected"]]
        chosen = [str(value) for value in chosen if value not in ("", None)]
        if widget.get("attrs", {}).get("multiple") or widget.get("type") == "checkbox":
            return {widget["name"]: chosen}
        return {widget["name"]: chosen[0] if chosen else ""}
    if widget.get("type") == "checkbox":  # a single checkbox is posted only when ticked
        return {widget["name"]: "on"} if widget["attrs"].get("checked") else {}
    if widget.get("type") == "file":
        return {}
    return {widget["name"]: "" if widget["value"] is None else widget["value"]}


def _form_data(form: BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound_field in form:
        widget = bound_field.field.widget
        while isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        attrs = bound_field.build_widget_attrs({})
        context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
        data.update(_widget_data(context["widget"]))
    return data


def admin_form_data(client: Client, url: str, **overrides: Any) -> dict[str, Any]:
    """POST data for an admin add or change page: what the page shows, plus overrides.

    GETs the page and reads back the main form and every inline form (with the
    management forms), as a browser would submit them unchanged, so a test
    states only the values it is about.
    """
    response = client.get(url)
    assert response.status_code == 200, response
    # Values are formatted the way the English admin parses them back.
    with translation.override("en"):
        data = _form_data(response.context["adminform"].form)
        for inline in response.context["inline_admin_formsets"]:
            formset = inline.formset
            data.update(_form_data(formset.management_form))
            for form in formset.forms:
                data.update(_form_data(form))
    data.update(overrides)
    return data
