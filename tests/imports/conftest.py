import io

import pytest
from openpyxl import Workbook

from accounts.enums import OrganisationKind
from tests.factories import ActivityFactory, AgeBandFactory, DistrictFactory, OrganisationFactory, ProgrammeFactory


def csv_file(lines: list[str], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False) -> io.BytesIO:
    text = "\r\n".join(delimiter.join(cells) if isinstance(cells, list | tuple) else cells for cells in lines)
    data = text.encode(encoding)
    return io.BytesIO(("\ufeff".encode() if bom else b"") + data)


def xlsx_file(
    rows: list[list], *, title_row: str | None = None, merge: str | None = None, trailing: int = 0
) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    last = sheet.max_row
    for offset in range(1, trailing + 1):
        # Empty rows that still exist in the file (formatted, as Excel leaves them).
        sheet.cell(row=last + offset, column=1, value="")
        sheet.cell(row=last + offset, column=2, value=None).number_format = "0"
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


@pytest.fixture
def backby(db):
    municipality = OrganisationFactory(name="Västerås stad", slug="vasteras", kind=OrganisationKind.MUNICIPALITY)
    return DistrictFactory(name="Bäckby", municipality=municipality)


@pytest.fixture
def here_4u(organisation, backby):
    organisation.parent = backby.municipality
    organisation.save()
    return organisation


@pytest.fixture
def bands(organisation):
    return {
        low: AgeBandFactory(organisation=organisation, min_age=low, max_age=high)
        for low, high in [(0, 12), (13, 17), (18, 25)]
    } | {26: AgeBandFactory(organisation=organisation, min_age=26, max_age=None)}


@pytest.fixture
def cafe(organisation):
    programme = ProgrammeFactory(name="Connexion West", lead_organisation=organisation)
    return ActivityFactory(programme=programme, name="Café och mötesplats")
