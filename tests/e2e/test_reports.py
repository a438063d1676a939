"""Karin (the demo strategist) asks for Connexion West 2018 in Swedish and downloads it.

In the browser tests Celery runs in-process, so the report is ready when the
page opens. The progress bar is exercised on its own: a request waiting in the
queue is produced while the page polls for it.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)

STRATEGIST = "strategist@demo.kvarter.example"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_strategist_asks_for_the_report_and_downloads_it(page, visit, screenshot, demo_world, sign_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(STRATEGIST)

    visit("/reports/")
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    screenshot("reports-dashboard", full_page=True)
    # The dashboard shows the whole municipality first, with its trend over the years.
    expect(page.get_by_role("heading", name=re.compile("Västerås stad"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Visits and first-time visitors by year"))).to_be_visible()
    form = page.locator("form.report-request-form")
    form.get_by_label("Scope").select_option(label="Connexion West")
    form.get_by_label("Year", exact=True).select_option("2018")
    form.get_by_label("Language of the report").select_option("sv")
    form.get_by_role("button", name="Produce the report").click()

    expect(page.get_by_role("status").filter(has_text="Done")).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename == "connexion-west-2018-sv-v1.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="All reports of this scope, with CSV and Excel").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    expect(page.get_by_role("cell", name="2018").first).to_be_visible()
    screenshot("reports-scope")


def test_the_progress_bar_follows_a_report_while_it_is_produced(page, visit, screenshot, demo_world, sign_in):
    from accounts.models import User
    from activities.models import Programme
    from reporting.models import ReportRequest
    from reporting.services import report_produce

    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text
            or (message.type == "error" and not message.text.startswith("Failed to load resource"))
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(STRATEGIST)
    request = ReportRequest.objects.create(
        scope_kind="programme",
        programme=Programme.objects.get(slug="connexion-west"),
        year=2018,
        language="en",
        requested_by=User.objects.get(email=STRATEGIST),
    )

    visit(f"/reports/requests/{request.pk}/")
    expect(page.locator("#report-status")).to_have_text("Queued")
    screenshot("reports-progress")
    page.evaluate("document.getElementById('report-status').kept = true")
    report_produce(request_id=request.pk)

    expect(page.locator("#report-status")).to_have_text("Done", timeout=15000)
    expect(page.get_by_role("link", name="Download the PDF")).to_have_attribute(
        "href", re.compile(r"/reports/\d+/pdf/")
    )
    check = page.locator("#report-progress-bar")
    assert check.get_attribute("value") == check.get_attribute("max")
    # The status line changed in place, not replaced: a screen reader reads out changes to a live region that stays.
    assert page.evaluate("document.getElementById('report-status').kept") is True
    check_accessibility(page)
    assert problems == []
