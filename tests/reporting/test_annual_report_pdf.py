"""The demo's Connexion West 2018 report, read back from the PDF as a strategist would read it.

"Antalet besökare under 2018 uppgick till ca 3900 personer." The demo world
counts 3 928 visits that year (headcounts and homework check-ins); the report
must say so in each language, with months that add up, the programme's end,
small counts suppressed, tagged PDF and embedded fonts. Page images go to
build/screenshots (`make screenshots` refreshes the README's).
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from activities.models import Programme
from reporting.document import document_for_language, report_document
from reporting.exports import figure_rows
from tests.screenshots import SCREENSHOTS

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EXPECTED = {
    "sv": {
        "headline": "ca 3 900 besök",
        "exact": "3 928",
        "status": "Connexion West avslutades den 31 december 2018.",
        "months": [
            "Januari",
            "Februari",
            "Mars",
            "April",
            "Maj",
            "Juni",
            "Juli",
            "Augusti",
            "September",
            "Oktober",
            "November",
            "December",
        ],
    },
    "nl": {
        "headline": "ca. 3.900 bezoeken",
        "exact": "3.928",
        "status": "Connexion West is op 31 december 2018 beëindigd.",
        "months": [
            "Januari",
            "Februari",
            "Maart",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Augustus",
            "September",
            "Oktober",
            "November",
            "December",
        ],
    },
    "en": {
        "headline": "about 3,900 visits",
        "exact": "3,928",
        "status": "Connexion West ended on 31 December 2018.",
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    },
}


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _text(pdf: Path) -> str:
    # Swedish groups thousands with a no-break space; compare with plain spaces.
    return re.sub(r"[\u00a0\u202f]", " ", _run("pdftotext", "-layout", str(pdf), "-"))


def _month_table(text: str, months: list[str]) -> list[int]:
    """The first figure on each month's row of the table (this year's visits)."""
    values = []
    for month in months:
        row = re.search(rf"^\s*{month}\s+([\d .,]+?)\s{{2,}}", text, re.MULTILINE)
        assert row, f"no table row for {month}"
        values.append(int(re.sub(r"[ .,]", "", row.group(1))))
    return values


@pytest.mark.parametrize("language", ["sv", "nl", "en"])
def test_the_connexion_west_2018_report_reads_right(language, tmp_path):
    call_command("seed_demo", quiet=True)
    pdf = tmp_path / f"connexion-west-2018-{language}.pdf"

    call_command("annual_report", year=2018, programme="connexion-west", language=language, output=str(pdf))

    expected = EXPECTED[language]
    text = _text(pdf)
    assert expected["headline"] in text
    assert expected["status"] in " ".join(text.split())
    months = _month_table(text, expected["months"])
    assert sum(months) == 3928
    # The CSV and XLSX rows are made from the same document: the same months.
    programme = Programme.objects.get(slug="connexion-west")
    document = document_for_language(
        report_document(scope_kind="programme", scope=programme, year=2018),
        scope_kind="programme",
        scope=programme,
        year=2018,
        language=language,
    )
    with translation.override(language):
        by_month = gettext("Visits by month")
    exported = [value for section, _, year, value in figure_rows(document) if section == by_month and year == "2018"]
    assert exported == months
    assert expected["exact"] in text
    # Three visitors aged 26–64 of unstated gender: withheld with a rectangle of
    # three more cells, every total printed, nothing 1–4 anywhere in the table.
    ages = re.search(r"^\s*26–64\s+(.*)$", text, re.MULTILINE)
    assert ages and ages.group(1).split()[:1] == ["x"] and ages.group(1).count("x") == 2
    assert not re.search(r"\s[1-4]\s", ages.group(1))
    # The coordinator's story, in Swedish, whatever the report's language.
    assert "Antalet besökare under 2018 uppgick till ca 3900" in " ".join(text.split())
    # Nothing personal: the homework pupils' aliases never appear.
    for alias in ("Amal", "Yusuf", "Hodan"):
        assert alias not in text

    info = _run("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) >= 5
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first_pages = 3 if language == "sv" else 1
    _run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", str(first_pages), str(pdf), str(tmp_path / "page"))
    for page in sorted(tmp_path.glob("page-*.png")):
        number = int(page.stem.rsplit("-", 1)[1])
        page.replace(SCREENSHOTS / f"report-{language}-page-{number}.png")
