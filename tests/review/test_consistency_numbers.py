"""Reading numbers as Chinese prose writes them (review.consistency.numbers), and when a written
number agrees with a computed one (review.consistency.check.agrees)."""

import re
import subprocess
import sys
from decimal import Decimal

import pytest

from review.consistency.check import agrees
from review.consistency.numbers import NUMBER, PERCENT, parse_number, parse_percent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8727.19", Decimal("8727.19")),
        ("8,727.19", Decimal("8727.19")),
        ("87.4", Decimal("87.4")),
        ("４", Decimal("4")),
        ("８７２７．１９", Decimal("8727.19")),
        ("0.00", Decimal("0.00")),
        ("五", Decimal("5")),
        ("两", Decimal("2")),
        ("十", Decimal("10")),
        ("十二", Decimal("12")),
        ("二十", Decimal("20")),
        ("二十五", Decimal("25")),
        ("一百零五", Decimal("105")),
        ("一百五", Decimal("150")),
        ("两千零二十三", Decimal("2023")),
        ("二〇二三", Decimal("2023")),
        ("三万五千", Decimal("35000")),
        ("十万", Decimal("100000")),
        ("一亿二千万", Decimal("120000000")),
        ("八千七百二十七点一九", Decimal("8727.19")),
        ("零点五", Decimal("0.5")),
    ],
)
def test_parse_number_reads_digits_and_chinese_numerals(text, value):
    parsed = parse_number(text)

    assert parsed == value
    assert parsed is not None and parsed.as_tuple().exponent == value.as_tuple().exponent


@pytest.mark.parametrize("text", ["", "abc", "一二百", "十四五", "万", "8.7.2", "87.4%"])
def test_parse_number_refuses_what_is_not_one_number(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("87.4%", Decimal("87.4")),
        ("87.4％", Decimal("87.4")),
        ("８７．４％", Decimal("87.4")),
        ("87 %", Decimal("87")),
        ("百分之八十七点四", Decimal("87.4")),
        ("百分之九十", Decimal("90")),
        ("百分之百", Decimal("100")),
        ("百分之87.4", Decimal("87.4")),
        ("三成", Decimal("30")),
    ],
)
def test_parse_percent_reads_signs_and_words(text, percent):
    assert parse_percent(text) == percent


@pytest.mark.parametrize("text", ["87.4", "八十七点四", "百分之", "87.4个百分点"])
def test_parse_percent_refuses_a_number_without_a_percent(text):
    assert parse_percent(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("执行数 8,727.19 万元", "8,727.19"),
        ("完成五项重点工作", "五"),
        ("年度预算八千七百二十七点一九万元", "八千七百二十七点一九"),
    ],
)
def test_the_number_fragment_finds_numbers_in_running_text(text, found):
    assert re.search(NUMBER, text).group() == found


def test_the_percent_fragment_finds_both_ways_of_writing_a_rate():
    text = "执行率为87.4%，即百分之八十七点四"

    assert [m.group() for m in re.finditer(PERCENT, text)] == ["87.4%", "百分之八十七点四"]


@pytest.mark.parametrize(
    ("written", "computed", "agree"),
    [
        ("8727.19", "8727.19", True),
        ("8727.2", "8727.19", True),
        ("8727", "8727.19", True),
        ("8700", "8727.19", False),
        ("87", "87.4", True),
        ("88", "87.4", False),
        ("87.40", "87.4", True),
        ("87.43", "87.4", True),
        ("87.46", "87.4", False),
        ("0", "0.00", True),
        ("100", "0.00", False),
        ("3E+1", "87.4", False),
    ],
)
def test_a_written_number_agrees_at_the_precision_it_was_written_with(written, computed, agree):
    assert agrees(Decimal(written), Decimal(computed)) is agree


def test_the_pure_modules_do_not_import_django():
    code = (
        "import sys\n"
        "import review.consistency.check, review.consistency.numbers, review.consistency.rules\n"
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))\n"
    )

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
