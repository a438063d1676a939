"""The admin in Dutch on a laptop (1440 px wide): long words break at syllables, inline tables fit.

Dutch compounds such as "vrijwilligersovereenkomsten" are longer than a
column; the schedule and activity tables edited inline on their parent were
cut off on the right.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Every inline group, and the widest thing in it (a table, or a stacked form's row).
MEASURE = """() => [...document.querySelectorAll('.inline-group')].map((group) => {
    const parts = [...group.querySelectorAll('table, .form-row, .wrapper')];
    return {
        id: group.id,
        right: Math.round(Math.max(...parts.map((part) => part.getBoundingClientRect().right))),
        width: document.documentElement.clientWidth,
        scroll: Math.max(0, ...parts.map((part) => part.scrollWidth - part.clientWidth)),
    };
})"""


def test_inline_tables_and_long_dutch_words_fit_at_1440(page, visit, demo_world, sign_in):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in("coordinator@demo.kvarter.example")
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state("networkidle")

    for model in ("activities/activity", "activities/programme"):
        visit(f"/admin/{model}/")
        visit(page.locator("#result_list tbody tr th a").first.get_attribute("href"))
        tables = page.evaluate(MEASURE)
        assert tables, model
        for table in tables:
            assert table["right"] <= table["width"], f"{model}: an inline is cut off: {table}"
            assert table["scroll"] <= 0, f"{model}: an inline needs scrolling sideways: {table}"

    assert page.evaluate("document.documentElement.lang") == "nl"
    hyphens = page.evaluate("getComputedStyle(document.querySelector('#content h1')).hyphens")
    assert hyphens == "auto"
