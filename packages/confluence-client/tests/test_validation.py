from typing import Any

import pytest

from confluence_client import InvalidInputError
from confluence_client._validation import (
    check_attachment_id,
    check_body,
    check_content_id,
    check_label_name,
    check_limit,
    check_space_key,
    check_text,
    check_title,
    check_version_number,
)


@pytest.mark.parametrize(("value", "expected"), [("123", "123"), (42, "42"), (" 7 ", "7")])
def test_content_ids(value: Any, expected: str) -> None:
    assert check_content_id(value) == expected


@pytest.mark.parametrize(
    "value", ["", "abc", "12a", "-1", "0", "1/../2", "1 OR 1=1", True, None, 1.5, "1" * 21]
)
def test_bad_content_ids(value: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_content_id(value, "parent_id")
    assert info.value.field == "parent_id"


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(InvalidInputError) as info:
        check_content_id("x" * 500)
    assert len(info.value.message) < 120


@pytest.mark.parametrize("value", ["att123", "123", 456])
def test_attachment_ids(value: Any) -> None:
    assert check_attachment_id(value) == str(value)


@pytest.mark.parametrize("value", ["att", "attx1", "../1", False, None])
def test_bad_attachment_ids(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        check_attachment_id(value)


@pytest.mark.parametrize(
    "value", ["DEMO", "ds", "ENG_2", "~jdoe", "~5b10a2844c20165700ede21g", "~a.b@c"]
)
def test_space_keys(value: str) -> None:
    assert check_space_key(value) == value


@pytest.mark.parametrize("value", ["", "DE MO", 'DEMO"', "a/b", "~", "K" * 256, None, 5])
def test_bad_space_keys(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        check_space_key(value)


@pytest.mark.parametrize("value", [1, 25, 250])
def test_limits(value: int) -> None:
    assert check_limit(value) == value


@pytest.mark.parametrize("value", [0, -1, 251, True, "10", 2.0])
def test_bad_limits(value: Any) -> None:
    with pytest.raises(InvalidInputError, match="limit"):
        check_limit(value)


def test_version_numbers() -> None:
    assert check_version_number(3) == 3
    for bad in (0, -2, True, "3"):
        with pytest.raises(InvalidInputError):
            check_version_number(bad)  # type: ignore[arg-type]


def test_titles() -> None:
    assert check_title("  Hello  ") == "Hello"
    for bad in ("", "   ", "a" * 256, "line\nbreak", None):
        with pytest.raises(InvalidInputError):
            check_title(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("control", ["\x00", "\x1f", "\x7f", "\x80", "\x85", "\x9f"])
def test_titles_and_labels_refuse_every_control_character(control: str) -> None:
    # C0, DEL and C1 (Unicode "Cc"): a check for ord < 32 alone let DEL and C1 through.
    with pytest.raises(InvalidInputError, match="control characters") as info:
        check_title(f"Tit{control}le")
    assert f"U+{ord(control):04X} at position 3" in str(info.value)
    with pytest.raises(InvalidInputError):
        check_label_name(f"lab{control}el")
    assert check_title("Caf\u00e9 \u00a0ok") == "Caf\u00e9 \u00a0ok"  # just past C1: kept


def test_bodies() -> None:
    assert check_body("") == ""
    with pytest.raises(InvalidInputError):
        check_body(b"<p/>")  # type: ignore[arg-type]


def test_labels() -> None:
    assert check_label_name(" Release-Notes ") == "release-notes"
    for bad in ("two words", "a:b", "", "x" * 256, None):
        with pytest.raises(InvalidInputError):
            check_label_name(bad)  # type: ignore[arg-type]


def test_text() -> None:
    assert check_text(" hi ", "q") == "hi"
    with pytest.raises(InvalidInputError):
        check_text(" ", "q")
    with pytest.raises(InvalidInputError):
        check_text("x" * 11, "q", max_length=10)


@pytest.mark.parametrize("control", ["\x00", "\t", "\x7f", "\x9f"])
def test_text_refuses_control_characters_unless_told_to_blank_them(control: str) -> None:
    with pytest.raises(InvalidInputError, match=f"U\\+{ord(control):04X} at position 1"):
        check_text(f"a{control}b", "key")
    assert check_text(f"{control}a{control}b{control}", "q", controls="blank") == "a b"
    with pytest.raises(InvalidInputError, match="non-empty"):
        check_text(control * 3, "q", controls="blank")
