"""HTML to PDF. The only module of the project that imports WeasyPrint.

The HTML comes from templates/reports/evaluation_report.html with user text in
it, so the document may not fetch anything a user could point it at: its URL
fetcher serves the project's own static files and raises for everything else.

One exception, kept out of the document's reach: the Latin face of the report
(Times metrics, limited to Latin, U+0000–024F, so Chinese quotation marks stay in the
CJK faces) is declared here with @font-face local(), which WeasyPrint loads by
reading the installed font file; that stylesheet gets its own fetcher, limited
to font files under the system font directories.
"""

from __future__ import annotations

import array
import datetime as dt
import gc
import io
import mimetypes
import signal
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer, for the XMP stream
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .carried import NOTHING, XMP_NAMESPACE, XMP_PREFIX, Carried
from .typesetting import DEFAULT_FONTS, checked_family

STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
STATIC_PREFIX = "/static/"
# Resolves the template's "/static/..." links; the fetcher maps the result onto
# STATIC_DIR, it never opens the file system root.
BASE_URL = "file:///"
FONT_DIRS = tuple(
    p.resolve() for p in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")) if p.exists()
)
FONT_SUFFIXES = frozenset({".ttf", ".ttc", ".otf", ".otc", ".woff", ".woff2"})


class RenderError(RuntimeError):
    """A PDF could not be rendered (a font missing, a refused URL, a WeasyPrint error). Nothing
    in this process is left changed by it: the next render starts afresh."""


class ForbiddenResource(ValueError):
    """The document asked for something outside the project's static files."""


def _file_url_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ForbiddenResource(f"refusing to fetch {url!r}")
    return unquote(parts.path)


def _static_path(url: str) -> Path:
    path = _file_url_path(url)
    if not path.startswith(STATIC_PREFIX):
        raise ForbiddenResource(f"refusing to fetch {url!r}: not a static file")
    target = (STATIC_DIR / path[len(STATIC_PREFIX) :]).resolve()
    if not target.is_relative_to(STATIC_DIR) or not target.is_file():
        raise ForbiddenResource(f"refusing to fetch {url!r}: no such static file")
    return target


def _font_path(url: str) -> Path:
    target = Path(_file_url_path(url)).resolve()
    if (
        target.suffix.lower() not in FONT_SUFFIXES
        or not any(target.is_relative_to(d) for d in FONT_DIRS)
        or not target.is_file()
    ):
        raise ForbiddenResource(f"refusing to fetch {url!r}: not an installed font")
    return target


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


class _LocalFetcher(URLFetcher):
    """Serves files that resolve() accepts and raises for any other URL."""

    def __init__(self) -> None:
        # fail_on_errors: a refused URL means a template bug, so stop the render
        # instead of quietly printing a PDF without its stylesheet.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)

    def resolve(self, url: str) -> Path:
        raise NotImplementedError

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        target = self.resolve(url)
        mime, _ = mimetypes.guess_type(target.name)
        content_type = mime or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        body = _read(target, target.stat().st_mtime_ns)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def open(self, url, data=None, timeout=None):  # never fall back to urllib
        return self.fetch(url if isinstance(url, str) else url.full_url)


class StaticURLFetcher(_LocalFetcher):
    """The document's fetcher: only the project's static files."""

    def resolve(self, url: str) -> Path:
        return _static_path(url)


class InstalledFontFetcher(_LocalFetcher):
    """For the Latin @font-face only: installed font files, nothing else."""

    def resolve(self, url: str) -> Path:
        return _font_path(url)


def _checksum(data: bytes) -> int:
    """The OpenType checksum: the sum of big-endian uint32 words, zero-padded."""
    words = array.array("I", data + bytes(-len(data) % 4))
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def normalized_sfnt(data: bytes) -> bytes:
    """A TrueType/OpenType font made the same whatever run produced it: the padding after each
    table zeroed, the head table's `modified` date set to its `created` date, and the checksums
    that depend on them recomputed. fontTools, which re-saves colour (emoji) fonts, stamps
    `modified` with the time, and padding is not guaranteed to be zero: the same subset came out
    with different bytes, and the PDF with it, though the tables were identical."""
    if len(data) < 12 or data[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        return data
    font = bytearray(data)
    (count,) = struct.unpack_from(">H", font, 4)
    head_record = None
    for k in range(count):
        record = 12 + 16 * k
        tag, _, offset, length = struct.unpack_from(">4sIII", font, record)
        end = offset + length
        padding = max(0, min(-end % 4, len(font) - end))
        font[end : end + padding] = bytes(padding)
        if tag == b"head" and length >= 36:
            head_record = record
    if head_record is None:
        return bytes(font)
    _, _, head, length = struct.unpack_from(">4sIII", font, head_record)
    font[head + 28 : head + 36] = font[head + 20 : head + 28]  # modified := created
    struct.pack_into(">I", font, head + 8, 0)  # checkSumAdjustment, left out of the sums
    struct.pack_into(">I", font, head_record + 4, _checksum(bytes(font[head : head + length])))
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    struct.pack_into(">I", font, head + 8, adjustment)
    return bytes(font)


def _install_deterministic_subsets() -> None:
    """Pass every font WeasyPrint embeds through normalized_sfnt once it has been cleaned
    (subset by HarfBuzz; for colour fonts re-saved by fontTools, which stamps the time). A
    guarded wrap of a WeasyPrint 70.0 method, which pyproject.toml pins; skipped if it moved."""
    import weasyprint.pdf.fonts as pdf_fonts

    font_class = getattr(pdf_fonts, "Font", None)
    original = getattr(font_class, "clean", None)
    if font_class is None or original is None or getattr(original, "normalized", False):
        return

    def clean(self: Any, to_unicode: Any, hinting: Any) -> None:
        original(self, to_unicode, hinting)
        self.file_content = normalized_sfnt(self.file_content)

    clean.normalized = True  # type: ignore[attr-defined]  # the marker read above
    font_class.clean = clean


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    # Building the fontconfig state is the slowest part of a cold render; one per process
    # serves every report (renders take turns through _RENDER_LOCK, so it is never shared by
    # two renders at once).
    _install_deterministic_subsets()
    # A render allocates hundreds of thousands of objects, and each garbage collection would
    # walk everything the process has loaded (Django, the app, the fonts' metrics) again:
    # moving those long-lived objects out of the collector's sight saves about a tenth of a
    # render (bench/report_render.py).
    gc.freeze()
    return FontConfiguration()


# Pango, fontconfig and HarfBuzz state is not safe to share between threads: two renders at
# once in one process (runserver's threads, two approvals) crashed it or gave a wrong PDF.
# Renders take turns; process workers (gunicorn) render in parallel.
_RENDER_LOCK = threading.Lock()


class RenderTimeout(RenderError):
    """A render ran past its `render_deadline`."""


@contextmanager
def render_deadline(seconds: float | None) -> Iterator[None]:
    """Raise RenderTimeout inside a render that runs longer than `seconds` from here, so a web
    worker answers with the Chinese error page before the server's own timeout kills it. A timer signal only reaches
    the main thread: elsewhere (runserver's threads) the render runs without a deadline."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if not seconds or not in_main_thread or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderTimeout(f"the render took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _xmp(*, title: str, author: str, lang: str, when: str, carried: Carried) -> bytes:
    """The XMP packet (ISO 16684-1): title, author, dates, and the properties `carried` names
    (department, year, state, version, verification code) in the selfeval namespace, which any
    PDF reader's document properties and pypdf read. WeasyPrint writes XMP only for PDF/A and
    the like, so it is written here."""
    own = "".join(
        f"<{XMP_PREFIX}:{name}>{escape(value)}</{XMP_PREFIX}:{name}>"
        for name, value in carried.properties
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        f' xmlns:{XMP_PREFIX}="{XMP_NAMESPACE}">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        "</dc:title>"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>"
        f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>"
        "<dc:format>application/pdf</dc:format>"
        f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>"
        f"{own}</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


@lru_cache(maxsize=8)
def _latin_face(families: tuple[str, ...]) -> CSS:
    src = ", ".join(f"local({checked_family(f)})" for f in families)
    rule = f"@font-face {{ font-family: report-latin; src: {src}; unicode-range: U+0000-024F; }}"
    return CSS(string=rule, font_config=_font_config(), url_fetcher=InstalledFontFetcher())


def render_pdf(
    html: str,
    *,
    title: str,
    author: str,
    lang: str = "zh-CN",
    created: dt.datetime | None = None,
    latin_fonts: Sequence[str] = DEFAULT_FONTS["latin"],
    carried: Carried = NOTHING,
) -> bytes:
    """Render the report HTML to PDF bytes with embedded, subset fonts, the files `carried`
    embeds as attachments and its properties in the XMP metadata.

    latin_fonts must match the "latin" role of the fonts given to the template. The same HTML
    and carried files give the same bytes, every time. Raises RenderError, with WeasyPrint's
    error as its cause, when the render fails (RenderTimeout past a `render_deadline`).
    """
    with _RENDER_LOCK:
        return _render(
            html,
            title=title,
            author=author,
            lang=lang,
            created=created,
            latin_fonts=latin_fonts,
            carried=carried,
        )


def _render(
    html: str,
    *,
    title: str,
    author: str,
    lang: str,
    created: dt.datetime | None,
    latin_fonts: Sequence[str],
    carried: Carried,
) -> bytes:
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticURLFetcher()).render(
            stylesheets=[_latin_face(tuple(latin_fonts))],
            font_config=_font_config(),
            full_fonts=False,  # subset every embedded font
        )
        moment = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        when = moment.isoformat()
        meta = document.metadata
        meta.title = title
        meta.authors = [author]
        meta.lang = lang
        meta.created = when
        meta.modified = when
        attachments = [
            Attachment(
                file_obj=io.BytesIO(item.content),
                name=item.name,
                description=item.description,
                # Stamped as UTC ("Z") by WeasyPrint: the moment in UTC, so the bytes repeat.
                created=moment.astimezone(dt.UTC),
                modified=moment.astimezone(dt.UTC),
                relationship="Data",
            )
            for item in carried.files
        ]
        xmp = _xmp(title=title, author=author, lang=lang, when=when, carried=carried)

        def add_xmp(document: Any, pdf: pydyf.PDF) -> None:
            stream = pydyf.Stream([xmp], {"Type": "/Metadata", "Subtype": "/XML"})
            pdf.add_object(stream)
            pdf.catalog["Metadata"] = stream.reference

        return document.write_pdf(attachments=attachments, finisher=add_xmp)
    except RenderTimeout:
        raise
    # A refused URL raises FatalURLFetchingError, a BaseException.
    except (Exception, FatalURLFetchingError) as error:
        raise RenderError(f"{title}: {type(error).__name__}: {error}") from error
