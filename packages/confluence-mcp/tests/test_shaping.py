from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from confluence_mcp.shaping import iso, window


def test_short_text_is_untouched() -> None:
    part = window("hello", 0, 1000)
    assert part.render() == "hello"
    assert part.next_offset is None
    assert part.total_chars == 5


def test_cut_prefers_a_line_break_near_the_end() -> None:
    text = ("x" * 95 + "\n") * 30
    part = window(text, 0, 1000)
    assert part.text.endswith("\n")
    assert 800 <= len(part.text) <= 1000
    assert part.next_offset == len(part.text)
    assert f"offset={part.next_offset}" in part.render()


def test_offset_past_the_end_is_empty() -> None:
    part = window("abc", 10, 1000)
    assert part.text == ""
    assert part.next_offset is None


@given(st.text(min_size=0, max_size=5000), st.integers(min_value=10, max_value=700))
def test_windows_reassemble_the_text(text: str, size: int) -> None:
    pieces: list[str] = []
    offset: int | None = 0
    while offset is not None:
        part = window(text, offset, size)
        assert len(part.text) <= size
        pieces.append(part.text)
        offset = part.next_offset
    assert "".join(pieces) == text


def test_iso() -> None:
    assert iso(None) is None
    assert iso(datetime(2024, 1, 2, tzinfo=UTC)) == "2024-01-02T00:00:00+00:00"
