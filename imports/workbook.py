"""The blank template of each kind: an XLSX in the user's language that the import reads back.

Three sheets: the data sheet (header row, one example row, drop-down lists
where a column has choices), an explanation of every column with the
natural key and the kind's rules, and the lists the drop-downs read. All
written through `core.spreadsheets`, so no cell is ever a formula, whatever
an organisation named its districts or age bands.
"""

from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.spreadsheets import Sheet, xlsx_bytes

from .enums import ImportKind
from .kinds import kind_for

# Columns whose choices do not depend on the organisation.
FIXED_LISTS = ("gender", "guardian_consent")
# How many rows the drop-downs cover.
TEMPLATE_ROWS = 5000


def template_xlsx(*, kind: str, organisation: Organisation | None) -> bytes:
    """The template of `kind` in the active language; choices from `organisation` (none: only fixed lists)."""
    spec = kind_for(kind)
    lists_title = _("Lists")
    lists: list[list[str]] = []
    validations = []
    for position, column in enumerate(spec.columns):
        if column.choices is None:
            continue
        # Without an organisation (the command line's blank template) only the fixed lists.
        values = column.choices(organisation) if organisation is not None or column.key in FIXED_LISTS else []
        if not values:
            continue
        list_column = len(lists)
        lists.append(values)
        letter = _letter(list_column)
        target = _letter(position)
        validations.append(
            (f"{target}2:{target}{TEMPLATE_ROWS}", f"'{lists_title}'!${letter}$2:${letter}${len(values) + 1}")
        )
    list_header = [str(column.label) for column in spec.columns if column.choices is not None][: len(lists)]
    list_rows = [
        [values[index] if index < len(values) else None for values in lists]
        for index in range(max((len(values) for values in lists), default=0))
    ]
    example = [column.example if column.example != "" else None for column in spec.columns]
    help_rows: list[list[str | None]] = [
        [str(column.label), _("yes") if column.required else _("no"), str(column.help)] for column in spec.columns
    ]
    help_rows += [[None, None, None], [_("Matching rows"), None, str(spec.natural_key)]]
    help_rows += [[_("Rule"), None, str(rule)] for rule in spec.rules]
    help_rows += [
        [
            _("Dates"),
            None,
            _("As 2018-03-05, 5/3/2018 or 5-3-2018 (day first). Numbers with a decimal comma or point."),
        ],
        [_("Languages"), None, _("The column names may be in Swedish, Dutch or English.")],
    ]
    sheets = [
        Sheet(
            title=str(ImportKind(spec.kind).label).capitalize(),
            header=[str(column.label) for column in spec.columns],
            rows=[example],
            widths=[max(14, len(str(column.label)) + 4) for column in spec.columns],
            validations=validations,
        ),
        Sheet(
            title=_("Explanation"),
            header=[_("Column"), _("Required"), _("What to write")],
            rows=help_rows,
            widths=[24, 10, 90],
        ),
    ]
    if lists:
        sheets.append(Sheet(title=lists_title, header=list_header, rows=list_rows))
    return xlsx_bytes(sheets)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
