"""The text rules (evaluations/validators.py) on their own: what is refused, with which message,
and what stays allowed."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.validators import BIDI_CONTROLS, validate_printable


def message_of(value: str) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_printable(value)
    return refused.value.messages[0]


def test_a_right_to_left_override_is_refused_with_its_code_point():
    assert message_of("RTL\u202eevil") == (
        "不能包含不可见的文字方向控制字符（U+202E，共 1 个），请删去后再保存。"
    )


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS), ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_bidirectional_control_is_refused(control):
    assert f"（U+{ord(control):04X}，共 1 个）" in message_of(f"前{control}后")


def test_the_refused_set_is_unicodes_bidi_control_property():
    expected = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}

    assert {ord(ch) for ch in BIDI_CONTROLS} == expected


def test_several_controls_are_named_once_each_and_counted():
    assert message_of("\u2066甲\u2069乙\u2066丙\u2069") == (
        "不能包含不可见的文字方向控制字符（U+2066、U+2069，共 4 个），请删去后再保存。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "家庭 👨\u200d👩\u200d👧 与 👍🏽",  # ZWJ sequences
        "零宽\u200b空格与\u200c非连接符",
        "阿拉伯文 عربي 与希伯来文 עברית 照常显示",
        "制表\t换行\n回车\r",
        "生僻字 𠀀𠮷𡈽𪚥",
    ],
    ids=["zwj-emoji", "zwsp-zwnj", "rtl-script", "tab-newline", "extension-b"],
)
def test_text_without_bidi_controls_is_allowed(text):
    validate_printable(text)


def test_unprintable_characters_are_named_before_bidi_controls():
    assert message_of("\x07\u202e") == "含有不能打印的控制字符（U+0007，共 1 个），请删去后再保存。"
