"""Every add and change page a coordinator uses, checked by axe-core with nothing left out.

Alice (the demo coordinator) opens the add page and a change page of each of
her main models. The admin's autocomplete widgets (select2) used to have no
accessible name and their search field no label (8 nodes on the activity form
alone); axe used to skip them.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [
    "activities/activity",
    "activities/programme",
    "activities/schedule",
    "activities/session",
    "venues/venue",
    "venues/space",
    "volunteers/volunteer",
    "volunteers/vacancy",
    "partnerships/agreement",
    "activities/participant",
]


def test_every_admin_form_a_coordinator_uses_passes_axe(page, visit, demo_world, sign_in):
    sign_in("coordinator@demo.kvarter.example")

    for model in MODELS:
        visit(f"/admin/{model}/add/")
        assert page.locator("#content form").count() == 1, model
        visit(f"/admin/{model}/")
        first = page.locator("#result_list tbody tr th a").first
        change = first.get_attribute("href")
        assert change and change.endswith("/change/"), model
        visit(change)
        # The autocompletes have a name, and so has the search field they open.
        for combobox in page.locator(".select2-selection[role=combobox]").all():
            assert combobox.get_attribute("aria-label") or combobox.get_attribute("aria-labelledby"), model
