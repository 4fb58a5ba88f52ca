"""Reading rendered PDFs back with poppler-utils, as a reader (and the fidelity tool) would."""

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

PAGE_NUMBER = re.compile(r"^[\s—–\-－]*\d+[\s—–\-－]*$")


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            [tool, *args, handle.name, "-"] if tool == "pdftotext" else [tool, *args, handle.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pages(pdf: bytes) -> list[list[str]]:
    """Printed lines per page, page numbers left out."""
    text = _run("pdftotext", pdf, "-enc", "UTF-8")
    result = [
        [line.strip() for line in page.splitlines() if line.strip() and not PAGE_NUMBER.match(line)]
        for page in text.split("\f")
    ]
    while result and not result[-1]:
        result.pop()
    return result


def squashed_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join("".join(page) for page in pages(pdf)))


def info(pdf: bytes) -> dict[str, str]:
    lines = _run("pdfinfo", pdf).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """Rows of `pdffonts`: name, type, emb, sub, uni."""
    rows = _run("pdffonts", pdf).splitlines()[2:]
    return [
        {"name": row.split()[0], "emb": row.split()[-5], "sub": row.split()[-4]} for row in rows
    ]


@dataclass(frozen=True)
class LineBox:
    page: int
    x_min: float
    x_max: float
    text: str


def line_boxes(pdf: bytes) -> list[LineBox]:
    """Every printed line with its horizontal extent in points (pdftotext -bbox-layout)."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "in.pdf"
        source.write_bytes(pdf)
        target = Path(directory) / "out.html"
        subprocess.run(
            ["pdftotext", "-bbox-layout", str(source), str(target)], check=True, capture_output=True
        )
        markup = target.read_text(encoding="utf-8")
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", markup))
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    boxes = []
    for number, page in enumerate(root.iterfind(".//x:page", namespace), start=1):
        for line in page.iterfind(".//x:line", namespace):
            words = line.findall("x:word", namespace)
            boxes.append(
                LineBox(
                    page=number,
                    x_min=float(line.get("xMin")),
                    x_max=float(line.get("xMax")),
                    text="".join(word.text or "" for word in words),
                )
            )
    return boxes


def decompressed(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (the catalog sits in an object stream)."""
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    return b"\n".join(parts)


SHARED_TOOLS = Path(__file__).resolve().parents[3] / "shared" / "tools"


def shared_tool(pdf: bytes, tool: str, *args: str) -> dict:
    """Run one of ../shared/tools on the PDF and return its --json answer."""
    import json
    import sys

    script = SHARED_TOOLS / tool
    if not script.is_file():
        raise FileNotFoundError(f"{script} is missing: ../shared must sit beside the checkout")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(
            [sys.executable, str(script), handle.name, *args, "--json"],
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout)
