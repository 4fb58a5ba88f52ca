"""Office files (DOCX, XLSX) whose bytes depend only on their content.

python-docx and openpyxl stamp every ZIP member with the time of saving, and openpyxl also the
workbook's created and modified dates: the same data saved twice gives different bytes. A file
embedded in a PDF (review/document_data.py) would then change the PDF's bytes too, and a
restored backup would no longer reproduce the stored documents. No Django.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CORE = "docProps/core.xml"
_DATES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def repeatable(package: bytes, *, when: dt.datetime | None) -> bytes:
    """The package with every member stamped `when` (or 1980-01-01) and its core properties'
    created and modified dates set to it."""
    moment = (when or dt.datetime(*ZIP_EPOCH, tzinfo=dt.UTC)).astimezone(dt.UTC)
    stamp = max(moment.timetuple()[:6], ZIP_EPOCH)
    w3c = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == CORE:
                content = _DATES.sub(rb"\g<1>" + w3c + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()
