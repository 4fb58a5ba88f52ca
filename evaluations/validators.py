"""Rules for text people type or import: printable, and of a length a report can hold.

Stored text is printed in the official PDF and exported to Excel, so characters that cannot be
printed (control characters, surrogates, Unicode noncharacters) are refused with a message
rather than stored; emoji and rare CJK characters (Extension B and beyond) are fine. The
invisible bidirectional controls are refused too: they reorder what is shown around them
(U+202E before "evil" shows it as "live"), so a text could read one way on screen and another
in the database, an export or the report.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

ALLOWED_CONTROLS = frozenset("\t\n\r")
# Unicode's Bidi_Control characters (PropList.txt): ALM, LRM and RLM, the embeddings and
# overrides LRE RLE PDF LRO RLO, the isolates LRI RLI FSI PDI. The other invisible format
# characters stay allowed: ZWJ (U+200D) joins emoji sequences such as 👨‍👩‍👧; ZWSP and ZWNJ
# (U+200B, U+200C) change no order.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
PARAGRAPHS_MAX_LENGTH = 20_000
ITEM_MAX_LENGTH = 5_000


def _is_unprintable(ch: str) -> bool:
    if ch in ALLOWED_CONTROLS:
        return False
    code = ord(ch)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:  # noncharacters
        return True
    return unicodedata.category(ch) in ("Cc", "Cs")


def _code_points(chars: list[str]) -> str:
    """The first five distinct characters as U+XXXX, for a message."""
    return "、".join(f"U+{ord(ch):04X}" for ch in list(dict.fromkeys(chars))[:5])


def validate_printable(value: str) -> None:
    """Refuses control characters, surrogates, noncharacters and bidirectional controls,
    naming them (every text field of the models, so the admin and the imports alike)."""
    bad = [ch for ch in value if _is_unprintable(ch)]
    if bad:
        raise ValidationError(
            f"含有不能打印的控制字符（{_code_points(bad)}，共 {len(bad)} 个），请删去后再保存。",
            code="unprintable",
        )
    bidi = [ch for ch in value if ch in BIDI_CONTROLS]
    if bidi:
        raise ValidationError(
            f"不能包含不可见的文字方向控制字符（{_code_points(bidi)}，共 {len(bidi)} 个），"
            "请删去后再保存。",
            code="bidi_control",
        )


@deconstructible
class MaxCharactersValidator(MaxLengthValidator):
    message = "内容过长：最多 %(limit_value)d 个字，现在有 %(show_value)d 个字。"


def text_validators(max_length: int) -> list:
    return [validate_printable, MaxCharactersValidator(max_length)]
