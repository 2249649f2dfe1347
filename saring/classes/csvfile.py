"""The one writer of a class's CSV downloads: the file the teacher's Excel opens as columns, in their language.

Excel reads a CSV by the computer's regional settings. Set to Indonesian, it expects `;` between cells and a
comma before decimals, so a comma-separated file opens as one column; so /id/ pages get `;` and decimal
commas, /en/ pages commas and points. Both are UTF-8 with a BOM, without which Excel misreads Indonesian
names. Yes and no are words of the page's language, and the file is named after the class.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from flask import Response
from flask_babel import gettext as _

from ..i18n import current_language
from .models import Classroom


@dataclass(frozen=True)
class Dialect:
    """How one language's spreadsheets read a CSV file."""

    delimiter: str
    decimal: str


DIALECTS = {"id": Dialect(";", ","), "en": Dialect(",", ".")}

# what starts a formula in Excel, LibreOffice or Google Sheets (after any spaces), and the
# full-width forms that some keyboards type and some spreadsheets read as the plain ones
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value):
    """Numbers stay numbers; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value, dialect: Dialect):
    """A value as the teacher's spreadsheet reads it: yes/no in words, decimals with its separator."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal)
    if value is None:
        return ""
    return spreadsheet_safe(value)


def csv_response(name: str, header: list[str], rows: list[list]) -> Response:
    """A CSV download for the page's language, saved as `name` (in safe characters only)."""
    dialect = DIALECTS[current_language()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    writer.writerow([spreadsheet_safe(title) for title in header])  # module titles come from content files
    writer.writerows([[cell(value, dialect) for value in row] for row in rows])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe(name.removesuffix(".csv"))}.csv"'})


UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def safe(text: str) -> str:
    """Text for a file name: letters without their accents, digits, and a dash for anything else."""
    return UNSAFE.sub("-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()).strip("-")


def class_file_name(classroom: Classroom) -> str:
    """The class's name as a file name carries it (its number when nothing of the name is safe)."""
    return safe(classroom.name) or str(classroom.id)
