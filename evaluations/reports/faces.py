"""The installed faces of the report and their advance widths.

The typesetter puts every character on the grid itself, so it must know how wide each glyph
will be drawn. Which face draws a character is decided by the CSS font-family list of its role
(report-latin first, then the role's families, then FALLBACK): the first family whose face has
the character. This module finds those faces through fontconfig (`fc-list`, exact family names,
so a missing family is reported missing instead of silently substituted) and reads their advance
widths with fontTools. No Django, no WeasyPrint.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from fontTools.ttLib import TTFont

# After a role's own families, for characters they lack (rare 汉字 of Extension A/B and beyond,
# symbols, emoji). Noto CJK covers Extension A, HanaMin the later extensions.
FALLBACK: tuple[str, ...] = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "HanaMinA",
    "HanaMinB",
)
# Left to fontconfig's own fallback, not named in the CSS: named there, it would draw the
# digits (they are in its character map for keycaps) instead of the Latin face. Measured last.
EMOJI: tuple[str, ...] = ("Noto Color Emoji",)


@dataclass(frozen=True)
class FaceFile:
    path: str
    index: int


@cache
def locate(family: str, style: str = "") -> FaceFile | None:
    """The file of an installed family (and style, e.g. "Bold"), or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    pattern = f"{family}:style={style}" if style else family
    out = subprocess.run(
        [fc_list, "-f", "%{file}|%{index}|%{style}\n", pattern],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    rows = sorted(line.split("|", 2) for line in out.splitlines() if line.count("|") == 2)
    if not rows:
        return None
    # Prefer the regular style when none is asked for.
    rows.sort(key=lambda row: (style == "" and "Regular" not in row[2], row[0], row[1]))
    path, index, _ = rows[0]
    return FaceFile(path, int(index or 0))


class Face:
    """One face's character map and advance widths (in em), read once."""

    def __init__(self, file: FaceFile) -> None:
        font = TTFont(file.path, fontNumber=file.index, lazy=True)
        units = font["head"].unitsPerEm
        hmtx = font["hmtx"]
        self.file = file
        self.advance: dict[int, float] = {
            code: hmtx[glyph][0] / units for code, glyph in font.getBestCmap().items()
        }
        font.close()


@lru_cache(maxsize=32)
def face(file: FaceFile) -> Face:
    return Face(file)


class FaceChain:
    """The faces a role's text falls through, in CSS order; faces are read when first needed."""

    def __init__(self, families: Sequence[str], style: str = "") -> None:
        self.families = tuple(families)
        self.style = style
        self._files: list[FaceFile] | None = None

    def _faces(self) -> Iterator[Face]:
        if self._files is None:
            files: list[FaceFile] = []
            for family in self.families:
                found = locate(family, self.style) or (locate(family) if self.style else None)
                if found is not None and found not in files:
                    files.append(found)
            self._files = files
        for file in self._files:
            yield face(file)

    @lru_cache(maxsize=4096)  # noqa: B019 - chains live as long as the process
    def advance(self, char: str) -> float:
        """Advance width in em of the face that draws char; 1.0 when no face has it."""
        code = ord(char)
        for f in self._faces():
            width = f.advance.get(code)
            if width is not None and width > 0:
                return width
        return 1.0
