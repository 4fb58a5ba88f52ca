"""Reading an uploaded table, XLSX or CSV, within hard limits.

Any file up to the upload limit is read or refused within about two seconds and 100 MB
(bench/hostile_imports.py measures the worst files). The limits below are checked while the file is read, and an XLSX's parts are checked
before anything is decompressed: their sizes and compression ratios (from the zip directory) and
the area the worksheet declares (its `<dimension>`, in the first bytes of the sheet). An XLSX is
read with expat, streaming, rather than with openpyxl, whose loader reads the whole shared-string
table and pads every row to the declared width of the sheet. Rows are never padded beyond the
last cell that holds something.

A refusal is an `ImportFileError` whose message names the limit and what the file has.
`read_dataset` (evaluations/tabular.py) makes the rows a dataset.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from xml.parsers import expat

from evaluations.validators import ITEM_MAX_LENGTH

MAX_IMPORT_MEGABYTES = 5
MAX_IMPORT_BYTES = MAX_IMPORT_MEGABYTES * 1024 * 1024

# What a table may hold. A department has at most 60 indicator rows a year (an evaluation's
# limit, indicators.models.MAX_INDICATOR_ROWS), and a district's departments rarely write more
# than 30 each: 5,000 rows hold a finance bureau's whole district, and a preview or an import of
# that many takes about 16 s, inside a web worker's 30 s (bench/import_indicators.py; the
# services validate each row). Larger files are split. The indicator rows
# have 13 columns and the budget figures 11: 30 leaves room for a user's own note columns. The
# longest text a cell holds is 偏差原因分析及改进措施, up to ITEM_MAX_LENGTH (5,000) characters;
# a cell of up to twice that is still read, so that a slightly long one is reported with its row
# and column like any other invalid value. A CSV at the upload limit holds at most 5 million
# characters; an XLSX compresses, so it may hold twice that. 5,000 rows of 30 cells of short text
# are a few tens of MB in memory at most, and the dry run of a preview reads every row.
MAX_ROWS = 5_000
MAX_COLUMNS = 30
MAX_CELL_CHARS = 2 * ITEM_MAX_LENGTH
MAX_TEXT_CHARS = 10_000_000

# The parts of an XLSX that are read (the workbook, its relationships, the shared strings and
# the first worksheet), decompressed. 10,000 rows × 30 cells of a worksheet are about 12 MB of
# XML, and 10 million characters of Chinese text about 30 MB. Real parts compress 4 to 15 times;
# a zip bomb about 1,000 times. Every element costs a little time, so their number is bounded
# too, for the whole workbook: a sheet of 10,000 rows × 30 cells and its shared strings have
# about 1.2 million; reading 2 million takes about 2 s.
MAX_PART_MEGABYTES = 50
MAX_PART_BYTES = MAX_PART_MEGABYTES * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_XML_ELEMENTS = 2_000_000
# A worksheet within the limits uses at most this many distinct strings; the table serves every
# sheet of the workbook, but an import's other sheets hold a few notes at most. A million short
# strings would take some 100 MB.
MAX_SHARED_STRINGS = (MAX_ROWS + 1) * MAX_COLUMNS
# The <dimension> element comes before the rows, in the first few hundred bytes of a worksheet.
DIMENSION_SEARCHED_BYTES = 64 * 1024

# The longest line of a CSV within the limits: every cell at the limit, all of it quotes
# (doubled) and the quotes around it.
MAX_LINE_CHARS = MAX_COLUMNS * (2 * MAX_CELL_CHARS + 3)
# Chinese Excel saves CSV in GBK; GB18030 decodes every GBK file and a little more.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

UNREADABLE_XLSX = "无法读取 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.xlsx）。"


class ImportFileError(ValueError):
    """The uploaded file cannot be read as a table; the message is for the user."""


def check_size(size: int) -> None:
    """Refuses a file over the limit, before it is read (the upload form, the command) and
    when it is (`read_rows`)."""
    if size > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_IMPORT_MEGABYTES} MB："
            "请分成几个文件导入。"
        )


def read_rows(data: bytes, *, kind: str) -> list[list[object]]:
    """The non-blank rows of a file's first table, each from column A to its last non-blank
    cell; the first is the header. kind is "csv" (UTF-8 with or without BOM, or GBK) or "xlsx"
    (the first worksheet)."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("文件是空的。")
    table = _Table()
    if kind == "csv":
        _read_csv(data, table)
    else:
        _read_xlsx(data, table)
    return table.finish()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(number: int) -> str:
    """1 → A, 27 → AA, as spreadsheets name columns."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _Table:
    """The rows of a file as it is read, within the limits. Rows past the limit are counted,
    not kept, so that the refusal can say how many the file has."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.count = 0
        self.text = 0

    @property
    def keeping(self) -> bool:
        """Whether the row being read will be kept: the header and MAX_ROWS data rows are."""
        return self.count <= MAX_ROWS

    def check_cell(self, line: int, column: int, value: object, length: int | None = None) -> None:
        """Every non-blank cell, before it is kept; `length` if `value` was cut short."""
        if column > MAX_COLUMNS:
            raise ImportFileError(
                f"第 {line} 行的 {column_letter(column)} 列（第 {column:,} 列）有内容，"
                f"超过上限 {MAX_COLUMNS} 列：请删除多余的列后再导入。"
            )
        if length is None:
            length = len(value) if isinstance(value, str) else 0
        if length > MAX_CELL_CHARS:
            raise ImportFileError(
                f"第 {line} 行 {column_letter(column)} 列的单元格有 {length:,} 个字符，"
                f"超过上限 {MAX_CELL_CHARS:,} 个字符。"
            )
        if self.keeping:
            self.text += length
            if self.text > MAX_TEXT_CHARS:
                raise ImportFileError(
                    f"文件的文字超过 {MAX_TEXT_CHARS:,} 个字符的上限（读到第 {line} 行时）："
                    "请分成几个文件导入。"
                )

    def add(self, cells: list[object]) -> None:
        """A row whose non-blank cells were checked."""
        while cells and is_blank(cells[-1]):
            cells.pop()
        if not cells:
            return
        if self.keeping:
            self.rows.append(cells)
        self.count += 1

    def finish(self) -> list[list[object]]:
        if self.count - 1 > MAX_ROWS:
            raise ImportFileError(
                f"文件有 {self.count - 1:,} 行数据，超过上限 {MAX_ROWS:,} 行：请分成几个文件导入。"
            )
        return self.rows


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def _bounded_lines(text: str) -> Iterator[str]:
    """The lines of a CSV, refused before the csv module splits one that no table within the
    limits has (a row of a million cells costs some 150 MB as a list)."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            cells = line.count(",") + 1
            if cells > MAX_COLUMNS:
                raise ImportFileError(
                    f"第 {number} 行有 {cells:,} 列，超过上限 {MAX_COLUMNS} 列："
                    "请删除多余的列后再导入。"
                )
            raise ImportFileError(
                f"第 {number} 行有 {len(line):,} 个字符，单元格超过上限 {MAX_CELL_CHARS:,} 个字符。"
            )
        yield line


def _read_csv(data: bytes, table: _Table) -> None:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("这不是一个 CSV 文本文件（含有二进制内容）。")
    if len(text) > MAX_TEXT_CHARS:  # never, while MAX_IMPORT_BYTES is the smaller
        raise ImportFileError(
            f"文件有 {len(text):,} 个字符，超过上限 {MAX_TEXT_CHARS:,} 个字符：请分成几个文件导入。"
        )
    reader = csv.reader(_bounded_lines(text))
    line = 0
    try:
        for line, row in enumerate(reader, start=1):
            cells: list[object] = list(row)
            while cells and is_blank(cells[-1]):
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(
                    f"第 {line} 行有 {len(cells):,} 列，超过上限 {MAX_COLUMNS} 列："
                    "请删除多余的列后再导入。"
                )
            for column, value in enumerate(cells, start=1):
                if not is_blank(value):
                    table.check_cell(line, column, value)
            table.add(cells)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"第 {line + 1} 行有单元格超过 {csv.field_size_limit():,} 个字符，"
                f"超过上限 {MAX_CELL_CHARS:,} 个字符。"
            ) from None
        raise ImportFileError(f"CSV 文件格式有误：{error}。") from None


# --- XLSX ----------------------------------------------------------------------------------


def _read_xlsx(data: bytes, table: _Table) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _Workbook(archive).read_first_sheet(table)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, expat.ExpatError, KeyError, ValueError, IndexError):
        raise ImportFileError(UNREADABLE_XLSX) from None
    except (EOFError, OSError, zlib.error, NotImplementedError, RuntimeError):
        # A truncated member, an unsupported compression method or an encrypted member.
        raise ImportFileError(UNREADABLE_XLSX) from None


class _ElementBudget:
    """The elements a workbook's parts may have between them (MAX_XML_ELEMENTS)."""

    def __init__(self) -> None:
        self.left = MAX_XML_ELEMENTS


def _parse(
    stream: Iterator[bytes],
    budget: _ElementBudget,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Streams XML through expat, calling back with local element names (whatever prefix the
    writer used) and the attributes as written. A document type declaration (never in a
    workbook; the door to entity tricks) and elements beyond the budget are refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024
    local_names: dict[str, str] = {}

    def local(name: str) -> str:
        found = local_names.get(name)
        if found is None:
            found = local_names[name] = name.rpartition("}")[2]
        return found

    def on_start(name: str, attributes: dict[str, str]) -> None:
        budget.left -= 1
        if budget.left < 0:
            raise ImportFileError(
                f"工作簿结构异常：有超过 {MAX_XML_ELEMENTS:,} 个 XML 元素，"
                "不像是正常的 Excel 工作簿。"
            )
        start(local(name), attributes)

    def on_doctype(*args: object) -> None:
        raise ImportFileError(UNREADABLE_XLSX)

    parser.StartElementHandler = on_start
    if end is not None:
        parser.EndElementHandler = lambda name: end(local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_doctype
    for chunk in stream:
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


class _Workbook:
    """The parts of an XLSX that hold the first worksheet's values, found through the
    package's relationships as Excel finds them."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.budget = _ElementBudget()

    def member(self, path: str) -> zipfile.ZipInfo:
        """A part, refused if it would decompress to too much."""
        info = self.archive.getinfo(path)  # KeyError: not a workbook
        if info.file_size > MAX_PART_BYTES:
            raise ImportFileError(
                f"XLSX 文件中的 {path} 解压后有 {info.file_size / 1024 / 1024:,.1f} MB，"
                f"超过上限 {MAX_PART_MEGABYTES} MB：文件可能已损坏或被构造过。"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ImportFileError(
                f"XLSX 文件中的 {path} 压缩比为 {ratio:,.0f}:1，超过上限 "
                f"{MAX_COMPRESSION_RATIO}:1：文件可能已损坏或被构造过（压缩炸弹）。"
            )
        return info

    def chunks(self, info: zipfile.ZipInfo, size: int = 64 * 1024) -> Iterator[bytes]:
        # zipfile never returns more than the directory's file_size, and checks the CRC.
        with self.archive.open(info) as source:
            while chunk := source.read(size):
                yield chunk

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, resolved target) of a part's relationships."""
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels_path not in self.archive.namelist():
            return []
        found: list[tuple[str, str, str]] = []

        def start(name: str, attributes: dict[str, str]) -> None:
            if name == "Relationship" and attributes.get("TargetMode") != "External":
                target = attributes.get("Target", "")
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = posixpath.normpath(posixpath.join(folder, target))
                found.append((attributes.get("Id", ""), attributes.get("Type", ""), resolved))

        _parse(self.chunks(self.member(rels_path)), self.budget, start)
        return found

    def first_sheet(self) -> tuple[str, str | None]:
        """The paths of the first worksheet and of the shared strings (None if none)."""
        document = next(
            (t for _, kind, t in self.relationships("") if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        sheet_ids: list[str] = []

        def start(name: str, attributes: dict[str, str]) -> None:
            if name == "sheet":  # its r:id, namespaced
                ids = [value for key, value in attributes.items() if key.endswith("}id")]
                sheet_ids.append(ids[0] if ids else "")

        _parse(self.chunks(self.member(document)), self.budget, start)
        relations = self.relationships(document)
        worksheets = {rid: t for rid, kind, t in relations if kind.endswith("/worksheet")}
        sheet = next((worksheets[rid] for rid in sheet_ids if rid in worksheets), None)
        if sheet is None:
            raise ImportFileError(UNREADABLE_XLSX)
        strings = next((t for _, kind, t in relations if kind.endswith("/sharedStrings")), None)
        return sheet, strings

    def read_first_sheet(self, table: _Table) -> None:
        sheet_path, strings_path = self.first_sheet()
        # Every part's size before any is decompressed, then the declared area.
        sheet = self.member(sheet_path)
        strings = None if strings_path is None else self.member(strings_path)
        self.check_dimension(sheet)
        shared = [] if strings is None else self.shared_strings(strings)
        _SheetReader(table, shared).read(self.chunks(sheet), self.budget)

    def check_dimension(self, sheet: zipfile.ZipInfo) -> None:
        """Refuses a sheet that declares more rows or columns than the limits, from the first
        bytes of its XML."""
        with self.archive.open(sheet) as source:
            head = source.read(DIMENSION_SEARCHED_BYTES).decode("utf-8", "replace")
        found = re.search(r"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']", head)
        if not found:
            return
        ref = found.group(1).replace("$", "").upper()
        corners = re.fullmatch(r"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?", ref)
        if not corners:
            return
        first_column, first_row, last_column, last_row = corners.groups()
        last_column, last_row = last_column or first_column, last_row or first_row
        data_rows = int(last_row) - int(first_row)
        if data_rows > MAX_ROWS:
            raise ImportFileError(
                f"工作表的区域 {ref} 有 {data_rows:,} 行数据，超过上限 {MAX_ROWS:,} 行："
                "请删除多余的行（包括只设了格式的空行）后另存，或分成几个文件导入。"
            )
        if column_number(last_column) > MAX_COLUMNS:
            raise ImportFileError(
                f"工作表的区域 {ref} 有 {column_number(last_column):,} 列，"
                f"超过上限 {MAX_COLUMNS} 列：请删除多余的列（包括只设了格式的空列）后另存再导入。"
            )

    def shared_strings(self, info: zipfile.ZipInfo) -> list[str]:
        reader = _SharedStrings()
        _parse(self.chunks(info), self.budget, reader.start, reader.end, reader.text)
        return reader.strings


class _SharedStrings:
    """The shared-string table: each <si>'s text runs, without phonetic guides (<rPh>). Its
    text counts against MAX_TEXT_CHARS as a whole, as it serves the whole workbook."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.in_item = False
        self.collecting = False
        self.phonetic = 0
        self.length = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "si":
            self.in_item = True
            self.parts = []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.in_item and not self.phonetic:
            self.collecting = True

    def end(self, name: str) -> None:
        if name == "si":
            if len(self.strings) == MAX_SHARED_STRINGS:
                raise ImportFileError(
                    f"XLSX 文件的共享字符串超过 {MAX_SHARED_STRINGS:,} 条的上限："
                    "请只保留要导入的工作表，另存后再导入。"
                )
            self.strings.append("".join(self.parts).replace("x005F_", ""))
            self.in_item = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "t":
            self.collecting = False

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > MAX_TEXT_CHARS:
                raise ImportFileError(
                    f"XLSX 文件的共享字符串超过 {MAX_TEXT_CHARS:,} 个字符的上限："
                    "请分成几个文件导入。"
                )
            self.parts.append(data)


class _SheetReader:
    """A worksheet's rows, streamed: each cell's value as openpyxl reads it with data_only
    (numbers as int or float, shared and inline strings, booleans, cached formula results)."""

    def __init__(self, table: _Table, shared: list[str]) -> None:
        self.table = table
        self.shared = shared
        self.line = 0
        self.cells: dict[int, object] = {}
        self.column = 0
        self.kind = "n"
        self.in_cell = False
        self.in_inline = False
        self.phonetic = 0
        self.collecting = False
        self.parts: list[str] = []
        self.length = 0

    def read(self, chunks: Iterator[bytes], budget: _ElementBudget) -> None:
        _parse(chunks, budget, self.start, self.end, self.text)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "row":
            self.line = int(attributes["r"]) if "r" in attributes else self.line + 1
            self.cells = {}
            self.column = 0
        elif name == "c":
            reference = attributes.get("r")
            if reference:
                letters = re.match(r"[A-Za-z]{1,3}", reference)
                if letters is None:
                    raise ValueError(reference)
                self.column = column_number(letters.group())
            else:
                self.column += 1
            self.kind = attributes.get("t", "n")
            self.in_cell = True
            self.parts = []
            self.length = 0
        elif not self.in_cell:
            return
        elif name == "v" and not self.in_inline:
            self.collecting = True
        elif name == "is":
            self.in_inline = True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.in_inline and not self.phonetic:
            self.collecting = True

    def end(self, name: str) -> None:
        if name in ("v", "t"):
            self.collecting = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "is":
            self.in_inline = False
        elif name == "c":
            self.in_cell = False
            self.finish_cell()
        elif name == "row":
            if self.cells:
                row: list[object] = [None] * max(self.cells)
                for column, value in self.cells.items():
                    row[column - 1] = value
                self.table.add(row)
            self.cells = {}

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length <= MAX_CELL_CHARS:
                self.parts.append(data)

    def finish_cell(self) -> None:
        if self.length > MAX_CELL_CHARS:  # its text was not kept
            self.table.check_cell(self.line, self.column, None, self.length)
        raw = "".join(self.parts)
        value: object
        if self.kind == "inlineStr":
            value = raw if self.parts else None
        elif not raw:
            value = None
        elif self.kind == "s":
            index = int(raw)
            if index < 0:
                raise IndexError(index)
            value = self.shared[index]
        elif self.kind == "b":
            value = bool(int(raw))
        elif self.kind == "n":
            value = float(raw) if any(mark in raw for mark in ".Ee") else int(raw)
        else:  # str (a formula's text result), e (an error such as #N/A), d (ISO 8601 date)
            value = raw
        if is_blank(value):
            return
        length = len(value) if isinstance(value, str) else 0
        self.table.check_cell(self.line, self.column, value, max(length, self.length))
        self.cells[self.column] = value
