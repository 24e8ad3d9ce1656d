"""The SDK's input rules, for code that checks arguments before calling the client.

Every client method runs these checks before any request; a server validating its tool
arguments, or a dry run that stops short of the write, calls them to refuse exactly what the
real call would. Each check returns the normalised value or raises
:class:`~confluence_client.InvalidInputError` naming the field. The patterns read alike in
Python, JSON Schema (ECMA-262) and pydantic.
"""

from confluence_client._encoding import check_encodable
from confluence_client._validation import (
    FILE_NAME_PATTERN,
    LABEL_NAME_PATTERN,
    MAX_TITLE_LENGTH,
    check_body,
    check_file_name,
    check_label_name,
    check_space_key,
    check_text,
    check_title,
)

__all__ = [
    "FILE_NAME_PATTERN",
    "LABEL_NAME_PATTERN",
    "MAX_TITLE_LENGTH",
    "check_body",
    "check_encodable",
    "check_file_name",
    "check_label_name",
    "check_space_key",
    "check_text",
    "check_title",
]
