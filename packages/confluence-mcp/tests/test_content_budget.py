"""The conversion budget: a body that takes too long fails the call with a clear error."""

from __future__ import annotations

import pytest

from confluence_mcp.content import ContentConverter, ConversionBudgetError

HEAVY = "[a](" * 200_000  # 800 kB of unclosed links: seconds of work, far over the budget


async def test_a_conversion_over_budget_fails_clearly() -> None:
    converter = ContentConverter(budget_s=0.05)
    with pytest.raises(ConversionBudgetError, match=r"longer than 0.05 s to convert"):
        await converter.ato_storage(HEAVY, "markdown")
    # Small bodies still convert.
    assert await ContentConverter(budget_s=5).ato_storage("**hi**", "markdown")
