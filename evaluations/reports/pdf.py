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

import datetime as dt
import mimetypes
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


# Whole CJK font files are 5–27 MB (Fandol 5.6–7.8 MB, Noto CJK 19–27 MB); a report's subset of
# one is a few hundred KB.
WHOLE_FONT_MIN_BYTES = 2 * 1024 * 1024


def _install_font_data_cache() -> None:
    """Keep each embedded font file's bytes between renders.

    WeasyPrint copies the whole font file out of HarfBuzz for every font of
    every render (about 100 MB for the CJK collections, a third of a warm
    render) and then subsets from the HarfBuzz face anyway. The files stay
    memory-mapped by the cached FontConfiguration, so the address and length
    of a face's blob identify the file; a hit is checked against the file's
    first bytes. Costs the size of the fonts in resident memory (WeasyPrint
    70.0 is pinned in pyproject.toml; the patch is skipped if the hook moved).
    """
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.text.ffi import ffi, harfbuzz

    original = getattr(pdf_fonts, "get_hb_object_data", None)
    if original is None or getattr(original, "_report_cached", False):
        return
    cache: dict[tuple[int, int], tuple[bytes, bytes]] = {}

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is not None:
            return original(hb_object, ot_color, glyph)
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        try:
            length = ffi.new("unsigned int *")
            data = harfbuzz.hb_blob_get_data(blob, length)
            size = length[0]
            key = (int(ffi.cast("uintptr_t", data)), size)
            head = bytes(ffi.buffer(data, min(size, 64)))
        finally:
            harfbuzz.hb_blob_destroy(blob)
        if size < WHOLE_FONT_MIN_BYTES:
            # Subset fonts come through here too, in freshly allocated blobs whose address
            # may be reused by the next subset: never cache those.
            return original(hb_object)
        hit = cache.get(key)
        if hit is None or hit[0] != head:
            if len(cache) >= 8:
                cache.clear()
            hit = cache[key] = (head, original(hb_object))
        return hit[1]

    # The marker read above; mypy knows no attributes of functions.
    get_hb_object_data._report_cached = True  # type: ignore[attr-defined]
    pdf_fonts.get_hb_object_data = get_hb_object_data


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    # Building the fontconfig state is the slowest part of a cold render; one
    # per process serves every report.
    _install_font_data_cache()
    return FontConfiguration()


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
) -> bytes:
    """Render the report HTML to PDF bytes with embedded, subset fonts.

    latin_fonts must match the "latin" role of the fonts given to the template.
    Raises RenderError, with WeasyPrint's error as its cause, when the render fails.
    """
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticURLFetcher()).render(
            stylesheets=[_latin_face(tuple(latin_fonts))],
            font_config=_font_config(),
            full_fonts=False,  # subset every embedded font
        )
        when = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
        meta = document.metadata
        meta.title = title
        meta.authors = [author]
        meta.lang = lang
        meta.created = when
        meta.modified = when
        return document.write_pdf()
    except Exception as error:
        raise RenderError(f"{title}: {type(error).__name__}: {error}") from error
