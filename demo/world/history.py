"""Connexion West's café before Kvarter: monthly totals from a shipped sample sheet, through the import.

The sheet (demo/data/connexion_west_history_2016_2017.csv) holds
illustrative figures, not the programme's real counts: monthly visits by
age band and gender from September 2016 to December 2017, as the old
spreadsheet kept them. It goes in through the same import a coordinator
uses (`imports.services.import_file`, good rows only): months in which the
café has sessions in the demo are refused there, so whatever range the
demo's sessions cover, every month is counted once, from its sessions where
there are any and from the sheet before them. Running it again changes
nothing (the import matches rows by activity, month, age band and gender).
"""

from pathlib import Path

from accounts.models import Organisation
from imports.enums import ImportKind
from imports.services import Outcome, import_file

SHEET = Path(__file__).resolve().parent.parent / "data" / "connexion_west_history_2016_2017.csv"


def seed_history() -> Outcome:
    organisation = Organisation.objects.get(slug="here-4u")
    with SHEET.open("rb") as stream:
        return import_file(stream=stream, organisation=organisation, kind=ImportKind.ATTENDANCE, only_valid=True)
