"""Numbers as Chinese prose writes them: digits ("8727.19", "8,727.19", full-width "４"),
Chinese numerals ("五", "十二", "两", "一百零五", "八千七百二十七点一九") and percentages
("87.4%", "87.4％", "百分之八十七点四").

A number is read as a `Decimal` that keeps the precision it was written with: "87.4" has one
decimal place, "8700" none, "八千七百二十七点一九" two. The consistency check compares a written
number with the computed one rounded to that precision.
"""

import re
from decimal import Decimal

FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

_DIGIT = "[0-9０-９]"
# Digits, with ASCII thousands separators or without, and a decimal part. Not preceded by a
# digit or a decimal point, so "19" of "8727.19" is never a number of its own.
DIGITS = (
    rf"(?<![0-9０-９.．])(?:{_DIGIT}{{1,3}}(?:,{_DIGIT}{{3}})+|{_DIGIT}+)(?:[.．]{_DIGIT}+)?"
    rf"(?!{_DIGIT})"
)
CHINESE = "[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"
# A number written either way; no groups, so rules wrap it in their own `(?P<value>...)`.
NUMBER = rf"(?:{DIGITS}|{CHINESE})"
# A percentage: "87.4%", "87.4 ％", "百分之八十七点四".
PERCENT = rf"(?:{NUMBER}\s*[%％]|百分之{NUMBER})"

_DIGITS_WHOLE = re.compile(DIGITS)
_CHINESE_WHOLE = re.compile(CHINESE)

_DIGIT_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SECTIONS = {"万": 10**4, "亿": 10**8}


def _chinese_integer(text: str) -> int | None:
    """ "十二" → 12, "一百零五" → 105, "两千" → 2000, "一亿二千万" → 120000000; digit by digit
    without units ("二〇二三") → 2023; the spoken short form "一百五" → 150."""
    if not text:
        return None
    if all(char in _DIGIT_VALUES for char in text):
        if len(text) > 1 and "两" in text:
            return None
        return int("".join(str(_DIGIT_VALUES[char]) for char in text))
    if all(char in _SECTIONS for char in text):
        return None
    total = section = digit = 0
    pending = False  # a digit waits for its unit
    zero = False  # a 零 since the last unit: "一百零五" is 105, "一百五" is 150
    last_unit = 1
    for char in text:
        if char in _DIGIT_VALUES:
            if pending:
                return None  # two digits in a row among units: "一二百"
            digit = _DIGIT_VALUES[char]
            zero = zero or digit == 0
            pending = digit != 0
        elif char in _UNITS:
            unit = _UNITS[char]
            # A unit with no digit before it counts once: "十二", "百分之百".
            section += (digit if pending else 1) * unit
            digit, pending, zero, last_unit = 0, False, False, unit
        else:
            scale = _SECTIONS[char]
            if char == "亿":
                total = (total + section + (digit if pending else 0)) * scale
            else:
                total += (section + (digit if pending else 0)) * scale
            section, digit, pending, zero, last_unit = 0, 0, False, False, scale
    if pending:
        section += digit * (last_unit // 10 if last_unit > 1 and not zero else 1)
    return total + section


def parse_number(text: str) -> Decimal | None:
    """The number `text` is, whole, keeping the precision as written; None when it is not
    one. "8,727.19" → 8727.19, "４" → 4, "两" → 2, "八千七百二十七点一九" → 8727.19."""
    text = text.strip().translate(FULL_WIDTH)
    if _DIGITS_WHOLE.fullmatch(text):
        return Decimal(text.replace(",", ""))
    if not _CHINESE_WHOLE.fullmatch(text):
        return None
    whole, _, fraction = text.partition("点")
    integer = _chinese_integer(whole)
    if integer is None:
        return None
    if not fraction:
        return Decimal(integer)
    decimals = "".join(str(_DIGIT_VALUES[char]) for char in fraction)
    return Decimal(f"{integer}.{decimals}")


_TENTHS = re.compile(rf"(?P<tenths>{CHINESE}|{DIGITS})成")


def parse_percent(text: str) -> Decimal | None:
    """The percentage `text` writes, in percent: "87.4%", "87.4％", "百分之八十七点四" → 87.4;
    "三成" → 30 (a precision of ten points: Decimal("3E+1")). None when it is not one."""
    text = text.strip().translate(FULL_WIDTH)
    if text.startswith("百分之"):
        return parse_number(text.removeprefix("百分之"))
    if text.endswith("%"):
        return parse_number(text.removesuffix("%").rstrip())
    tenths = _TENTHS.fullmatch(text)
    if tenths:
        value = parse_number(tenths["tenths"])
        return None if value is None else value.scaleb(1)
    return None
