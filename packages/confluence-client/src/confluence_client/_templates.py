"""Filling a page template's variables (``<at:var at:name="x"/>``) to make a page body.

Templates declare their variables in ``<at:declarations>`` and place them with ``at:var``;
Confluence's editor asks for the values. Here they come from the caller: each is XML-escaped
text, and the declarations block is dropped from the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from confluence_client._errors import InvalidInputError

__all__ = ["fill_template", "template_variables"]

_VAR = re.compile(r"""<at:var\s+at:name=["']([^"']+)["'][^>]*?(?:/>|>\s*</at:var>)""")
_DECLARATIONS = re.compile(r"<at:declarations>.*?</at:declarations>", re.DOTALL)
_DECLARED = re.compile(r"""<at:\w+\s+at:name=["']([^"']+)["']""")


def template_variables(storage: str) -> list[str]:
    """The variable names a template uses or declares, in first-seen order."""
    declared = [
        m.group(1) for d in _DECLARATIONS.finditer(storage) for m in _DECLARED.finditer(d.group(0))
    ]
    return list(dict.fromkeys([*declared, *(m.group(1) for m in _VAR.finditer(storage))]))


def fill_template(storage: str, values: Mapping[str, str]) -> str:
    """The page body: every variable replaced by its (escaped) value. Raises
    :class:`InvalidInputError` naming the variables without a value, or unknown ones."""
    names = template_variables(storage)
    missing = [n for n in names if n not in values]
    unknown = [n for n in values if n not in names]
    if missing or unknown:
        parts = ([f"missing {missing}"] if missing else []) + (
            [f"unknown {unknown}"] if unknown else []
        )
        raise InvalidInputError(
            f"template variables: {'; '.join(parts)} (the template has {names})",
            field="variables",
        )
    for name, value in values.items():
        if not isinstance(value, str):
            raise InvalidInputError(f"variable {name!r} must be text", field="variables")
    body = _DECLARATIONS.sub("", storage)
    return _VAR.sub(lambda m: escape(values[m.group(1)], quote=False), body)
