"""The ZIP's layout and the file operations that keep it whole.

Names: `<year>年度部门整体支出绩效自评/汇总表.xlsx` and, per department,
`<year>年度部门整体支出绩效自评/<部门编码> <部门全称>/附件1 <附件1's download name>` (and 附件2), in
UTF-8 with the ZIP's language-encoding flag (general purpose bit 11, APPNOTE 6.3.x appendix D),
which Python's zipfile sets for every non-ASCII name (tests/bundles/test_members.py checks it).
Windows Explorer of current Windows, 7-Zip, WPS, macOS and Linux read such names as written.
Explorer's compressed folders of older Windows (Windows 7) may ignore the flag and read the names
in the system code page, garbled: the README says to use 7-Zip there. The alternative, names in
GBK without the flag, opens in a Chinese Windows Explorer of any age but garbles on every system
set to another code page, macOS and Linux included; a department's name may also hold characters
GBK lacks.

Members are stored (ZIP_STORED): a PDF is already compressed, and deflating gains under 1 % for
about 14 ms a department (bench/bundles.py measures both). Each member's date is its
evaluation's last change, so the same data always gives the same bytes.

Files appear only complete: written beside their final name, flushed to disk, then renamed
over it (atomic on one file system), so no reader ever sees half a file.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone

ROOT_FOLDER = "{year}年度部门整体支出绩效自评"
SUMMARY_NAME = "汇总表.xlsx"
APPENDIX_LABELS = {1: "附件1", 2: "附件2"}

# What Windows refuses in a file name, as the full-width forms that read the same in Chinese.
WINDOWS_FORBIDDEN = str.maketrans(
    {
        "\\": "＼",
        "/": "／",
        ":": "：",
        "*": "＊",
        "?": "？",
        '"': "＂",
        "<": "＜",
        ">": "＞",
        "|": "｜",
    }
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The earliest date a ZIP member can carry (MS-DOS time).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MEMBER_MODE = 0o644 << 16  # rw-r--r-- for unzip on Linux and macOS
TEMP_SUFFIX = ".tmp"


def safe_name(text: str) -> str:
    """A folder or file name Windows, macOS and Linux all accept, reading as the original."""
    name = CONTROL.sub("", text.translate(WINDOWS_FORBIDDEN))
    # Windows drops trailing dots and spaces, which would merge or lose names.
    return name.rstrip(". ") or "_"


def root_folder(year: int) -> str:
    return ROOT_FOLDER.format(year=year)


def department_folder(year: int, code: str, full_name: str) -> str:
    return f"{root_folder(year)}/{safe_name(f'{code} {full_name}')}"


def document_member(year: int, code: str, full_name: str, appendix: int, filename: str) -> str:
    """`filename` is the document's download name (review/documents.py)."""
    label = APPENDIX_LABELS[appendix]
    return f"{department_folder(year, code, full_name)}/{safe_name(f'{label} {filename}')}"


def summary_member(year: int) -> str:
    return f"{root_folder(year)}/{SUMMARY_NAME}"


def archive_filename(year: int, departments: int) -> str:
    """The download's name."""
    return f"{root_folder(year)}（{departments}个部门）.zip"


def member_info(name: str, when: datetime) -> zipfile.ZipInfo:
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    date_time = max(local.timetuple()[:6], ZIP_EPOCH)
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = MEMBER_MODE
    return info


def _sync_folder(folder: Path) -> None:
    """Makes a rename in `folder` durable (the entry, not only the file's data)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temp_path(final: Path, token: str) -> Path:
    return final.with_name(f"{final.name}.{token}{TEMP_SUFFIX}")


@contextmanager
def atomic_file(final: Path, token: str) -> Iterator[BinaryIO]:
    """A file written under a temporary name of this writer's own (`token`), fsynced and
    renamed to `final` when the block ends; removed instead if the block raises. Two writers of
    the same file never share a temporary file; the last rename wins, whole."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(final, token)
    try:
        with temp.open("wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(final.parent)


def write_atomically(final: Path, token: str, content: bytes) -> None:
    with atomic_file(final, token) as stream:
        stream.write(content)


def discard_temp_files(final: Path) -> int:
    """Removes every temporary file of `final` (left by a writer that was killed); returns how
    many there were."""
    if not final.parent.exists():
        return 0
    removed = 0
    for temp in final.parent.glob(f"{final.name}.*{TEMP_SUFFIX}"):
        temp.unlink(missing_ok=True)
        removed += 1
    return removed
