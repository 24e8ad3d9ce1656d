"""Form bodies for the fake's routes, parsed whole in memory: no upload is spooled to a file.

Starlette's form parser spools each file part to a ``SpooledTemporaryFile`` and leaves it to
the caller to close them all, on every path (a body cut off inside a part kept its file out
of the form, so nothing closed it; a handler stopped between parse and close leaves them
too). An unclosed one reached the garbage collector in whichever test was running. The fake
already holds the whole body (uploads are capped), so multipart bodies are split here into
bytes instead: nothing is opened, so nothing can be left open. A body that does not end with
its closing boundary, or a part with no name, is refused (400), as Confluence does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ._errors import FakeBadRequestError

__all__ = ["FilePart", "Form", "read_form"]


@dataclass(frozen=True)
class FilePart:
    """One uploaded file: its field name, file name, bytes and declared media type."""

    name: str
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Form:
    """A request's text fields and files, in the order they came."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[FilePart] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """The text field called ``name`` (its last value when repeated, as Starlette's)."""
        return dict(self.fields).get(name)

    def files_named(self, name: str) -> list[FilePart]:
        """Every file sent under the field ``name``."""
        return [f for f in self.files if f.name == name]


async def read_form(request: Request) -> Form:
    """The request's form: multipart or URL-encoded; any other body is an empty form."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type == b"multipart/form-data":
        charset = options.get(b"charset", b"utf-8").decode("latin-1")
        return _split(await request.body(), options.get(b"boundary", b""), charset)
    if content_type == b"application/x-www-form-urlencoded":
        # No file parts in this encoding; the form is closed all the same.
        async with request.form() as parsed:
            return Form([(k, v) for k, v in parsed.multi_items() if isinstance(v, str)])
    return Form()


def _text(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("latin-1")


class _Parts:
    """The parser's callbacks: each part's headers and bytes, gathered into a :class:`Form`."""

    def __init__(self, charset: str) -> None:
        self.charset = charset
        self.form = Form()
        self.ended = False
        self.headers: dict[bytes, bytes] = {}
        self.header_name = b""
        self.header_value = b""
        self.data = bytearray()

    def begin(self) -> None:
        self.headers, self.data = {}, bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name = self.header_value = b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.data += data[start:end]

    def part_end(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise FakeBadRequestError("Malformed multipart body: a part has no name")
        name = _text(options[b"name"], self.charset)
        if b"filename" in options:
            media = self.headers.get(b"content-type")
            self.form.files.append(
                FilePart(
                    name,
                    _text(options[b"filename"], self.charset),
                    bytes(self.data),
                    media.decode("latin-1") if media is not None else None,
                )
            )
        else:
            self.form.fields.append((name, _text(bytes(self.data), self.charset)))

    def end(self) -> None:
        self.ended = True


def _split(body: bytes, boundary: bytes, charset: str) -> Form:
    if not boundary:
        raise FakeBadRequestError("Malformed multipart body: no boundary")
    parts = _Parts(charset)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": parts.begin,
            "on_header_field": parts.header_field,
            "on_header_value": parts.header_data,
            "on_header_end": parts.header_end,
            "on_part_data": parts.part_data,
            "on_part_end": parts.part_end,
            "on_end": parts.end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:
        raise FakeBadRequestError("Malformed multipart body") from exc
    if not parts.ended:
        raise FakeBadRequestError("Malformed multipart body: it ends before its closing boundary")
    return parts.form
