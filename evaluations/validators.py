"""Rules for text people type or import: printable, and of a length a report can hold.

Stored text is printed in the official PDF and exported to Excel, so characters that cannot be
printed (control characters, surrogates, Unicode noncharacters) are refused with a message
rather than stored; emoji and rare CJK characters (Extension B and beyond) are fine.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

ALLOWED_CONTROLS = frozenset("\t\n\r")
PARAGRAPHS_MAX_LENGTH = 20_000
ITEM_MAX_LENGTH = 5_000


def _is_unprintable(ch: str) -> bool:
    if ch in ALLOWED_CONTROLS:
        return False
    code = ord(ch)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:  # noncharacters
        return True
    return unicodedata.category(ch) in ("Cc", "Cs")


def validate_printable(value: str) -> None:
    bad = [ch for ch in value if _is_unprintable(ch)]
    if bad:
        shown = "、".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(bad[:5]))
        raise ValidationError(
            f"含有不能打印的控制字符（{shown}，共 {len(bad)} 个），请删去后再保存。",
            code="unprintable",
        )


@deconstructible
class MaxCharactersValidator(MaxLengthValidator):
    message = "内容过长：最多 %(limit_value)d 个字，现在有 %(show_value)d 个字。"


def text_validators(max_length: int) -> list:
    return [validate_printable, MaxCharactersValidator(max_length)]
