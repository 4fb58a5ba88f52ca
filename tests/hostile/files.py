"""Hostile spreadsheets, built in memory (the tests) or streamed to a file (bench/hostile_imports.py,
at full size), so that none is kept in the repository.

Every XLSX here is a valid package that Excel's own structure allows: what makes it hostile is
what it declares or how far it expands.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from indicators.resources import IndicatorRowResource

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
SHEET_END = "</worksheet>"
HEADERS = IndicatorRowResource.REQUIRED_COLUMNS
HEADER_CSV = ",".join(HEADERS) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_row(number: int, values: list[object]) -> str:
    cells = []
    for column, value in enumerate(values):
        reference = f"{chr(ord('A') + column)}{number}"
        if isinstance(value, str):
            cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{_escape(value)}</t></is></c>')
        else:
            cells.append(f'<c r="{reference}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def header_row() -> str:
    return inline_row(1, list(HEADERS))


def write_xlsx(
    target: BinaryIO,
    *,
    sheet: Iterator[bytes],
    shared_strings: Iterator[bytes] | None = None,
    level: int = 9,
) -> None:
    """A workbook whose first sheet's XML (and shared strings) come in chunks, compressed as
    they come: a part of gigabytes needs a few kilobytes of memory to write."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for chunk in shared_strings or iter([f'<sst xmlns="{MAIN}"/>'.encode()]):
                part.write(chunk)


def xlsx_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, **kwargs)
    return buffer.getvalue()


def _repeat(piece: bytes, total: int) -> Iterator[bytes]:
    block = piece * max(1, (1024 * 1024) // len(piece))
    written = 0
    while written < total:
        chunk = block[: total - written]
        written += len(chunk)
        yield chunk


# --- the hostile files -----------------------------------------------------------------------


def huge_dimension_xlsx() -> bytes:
    """1.7 KB: declares the whole sheet, A1:XFD1048576, and holds one row at the very bottom.
    openpyxl's read-only mode pads every row to 16,384 cells and yields a million rows."""
    bottom = inline_row(1048576, ["test-dept", 2023])
    sheet = (
        f'{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData>{header_row()}{bottom}'
        f"</sheetData>{SHEET_END}"
    )
    return xlsx_bytes(sheet=iter([sheet.encode()]))


def giant_shared_string_xlsx(target: BinaryIO, megabytes: int = 600) -> None:
    """One shared string of `megabytes` MB, used by one cell: 600 MB compresses to about
    600 KB."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        yield from _repeat(b"A", megabytes * 1024 * 1024)
        yield b"</t></si></sst>"

    sheet = (
        f'{SHEET_START}<sheetData>{header_row()}<row r="2"><c r="E2" t="s"><v>0</v></c></row>'
        f"</sheetData>{SHEET_END}"
    )
    write_xlsx(target, sheet=iter([sheet.encode()]), shared_strings=strings())


def bomb_xlsx(target: BinaryIO, megabytes: int = 1024) -> None:
    """A worksheet of `megabytes` MB of blank rows, which deflate shrinks a thousand times."""

    def sheet() -> Iterator[bytes]:
        yield f"{SHEET_START}<sheetData>{header_row()}".encode()
        yield from _repeat(b"<row/>", megabytes * 1024 * 1024)
        yield f"</sheetData>{SHEET_END}".encode()

    write_xlsx(target, sheet=sheet())


def many_elements_xlsx(target: BinaryIO, megabytes: int = 45) -> None:
    """A worksheet within the size limit made of millions of empty rows: cheap to compress,
    costly to parse."""

    def sheet() -> Iterator[bytes]:
        yield f"{SHEET_START}<sheetData>{header_row()}".encode()
        yield from _repeat(b"<row/>\n", megabytes * 1024 * 1024)
        yield f"</sheetData>{SHEET_END}".encode()

    write_xlsx(target, sheet=sheet(), level=1)


def many_shared_strings_xlsx(count: int = 1_000_000) -> bytes:
    """`count` distinct two-character strings: a workbook of 2.5 MB, a list of 100 MB."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}">'.encode()
        for number in range(count):
            first, second = divmod(number, 20_000)
            yield f"<si><t>{chr(0x4E00 + second)}{chr(0x4E00 + first)}</t></si>".encode()
        yield b"</sst>"

    sheet = f"{SHEET_START}<sheetData>{header_row()}</sheetData>{SHEET_END}"
    return xlsx_bytes(sheet=iter([sheet.encode()]), shared_strings=strings())


def wide_xlsx(columns: int = 16384) -> bytes:
    """A header and a row of `columns` filled cells, the last at XFD."""
    cells = "".join(f"<c><v>{number}</v></c>" for number in range(columns))
    sheet = f'{SHEET_START}<sheetData>{header_row()}<row r="2">{cells}</row></sheetData>{SHEET_END}'
    return xlsx_bytes(sheet=iter([sheet.encode()]))


def long_cell_xlsx(characters: int) -> bytes:
    row = inline_row(2, ["test-dept", 2023, "产出指标", "数量指标", "指" * characters])
    sheet = f"{SHEET_START}<sheetData>{header_row()}{row}</sheetData>{SHEET_END}"
    return xlsx_bytes(sheet=iter([sheet.encode()]))


def many_rows_xlsx(rows: int) -> bytes:
    def sheet() -> Iterator[bytes]:
        yield f"{SHEET_START}<sheetData>{header_row()}".encode()
        for number in range(2, rows + 2):
            values: list[object] = ["test-dept", 2023, "产出指标", "数量指标", f"指标{number}"]
            yield inline_row(number, values).encode()
        yield f"</sheetData>{SHEET_END}".encode()

    return xlsx_bytes(sheet=sheet())


def many_rows_csv(rows: int = 80_000) -> bytes:
    """`rows` short data rows: 80,000 fit in under 5 MB."""
    line = "d,2023,产出,数量,{},家,≥,1,1,1,\n"
    return (HEADER_CSV + "".join(line.format(number) for number in range(rows))).encode()


def wide_csv(columns: int = 100_000) -> bytes:
    return (HEADER_CSV + ",".join("12" for _ in range(columns)) + "\n").encode()


def long_cell_csv(characters: int) -> bytes:
    return (HEADER_CSV + "test-dept,2023,产出指标,数量指标," + "指" * characters + "\n").encode()


def to_file(path: Path, write) -> Path:
    with path.open("wb") as target:
        write(target)
    return path
