"""Sara (the demo coordinator) brings in a participant register from Excel: upload, preview, confirm."""

import pytest
from playwright.sync_api import expect

from activities.models import Participant

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = "\r\n".join(
    [
        "Förnamn eller alias;Födelseår;Kön;Samtycke lämnat den;Vårdnadshavares samtycke",
        "Importerad Amina;2001;flicka;5/3/2024;ja",
        "Importerad Bo;1999;pojke;6/3/2024;nej",
        "Importerad Ali;19x8;pojke;6/3/2024;nej",
    ]
).encode("cp1252")


def test_upload_preview_and_confirm_the_good_rows(page, visit, screenshot, demo_world, sign_in, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("coordinator@demo.kvarter.example")
    file = tmp_path / "deltagare.csv"
    file.write_bytes(REGISTER)

    visit("/admin/activities/participant/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    expect(page.get_by_text("at most 20 MB")).to_be_visible()
    organisation = page.get_by_label("Organisation")
    if organisation.count():
        organisation.select_option(label="here 4U")
    page.get_by_label("File").set_input_files(str(file))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")

    check_accessibility(page)
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.locator("#import-errors")).to_have_text("row 4, column 'Födelseår': '19x8' is not a year")
    screenshot("import-preview", full_page=True)
    assert not Participant.objects.filter(alias__startswith="Importerad").exists()

    page.get_by_label("Import only the good rows and leave the bad ones out").check()
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    expect(page.get_by_role("heading", name="What the import did")).to_be_visible()
    expect(page.get_by_role("button", name="Undo this import")).to_be_visible()
    assert sorted(Participant.objects.filter(alias__startswith="Importerad").values_list("alias", flat=True)) == [
        "Importerad Amina",
        "Importerad Bo",
    ]
