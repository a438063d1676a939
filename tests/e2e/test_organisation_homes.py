"""Each organisation of the seed texts, from its own coordinator's side: the admin's home and its programmes.

The screenshots are the README's demo section (`make screenshots`).
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# coordinator login, a programme of the seed text that must be on the list
HOMES = (
    ("vasteras-stad", "Culture together"),
    ("raster", "Verbinden in de buurt"),
    ("welsaam", "Infrastructuur meedoen"),
    ("welzin", "De Kunst van het Meedoen"),
)


def test_every_organisation_finds_its_programme(page, visit, screenshot, demo_world, sign_in):
    for slug, programme in HOMES:
        page.context.clear_cookies()
        sign_in(f"coordinator.{slug}@demo.kvarter.example")

        # Its home: the coordinator's week, for its own organisation.
        visit("/admin/")
        screenshot(f"home-{slug}")
        # The programmes it runs or takes part in.
        visit("/admin/activities/programme/")
        assert programme in page.locator("#result_list").inner_text()
