"""Markdown → storage conversion time for hostile inputs at growing sizes.

Prints seconds of CPU per size and the ratio to the previous size: a ratio near the size
ratio (2) is linear; near 4 would be quadratic.

    uv run python benchmarks/conversion_scaling.py
"""

from __future__ import annotations

import time

from confluence_client.content import markdown_to_storage

PATTERNS = ["[a](", "[a]b", "[a]{", "`a`b", "[a](b)x"]
SIZES = [25_000, 50_000, 100_000, 200_000]


def main() -> None:
    for pattern in PATTERNS:
        previous = None
        for repeats in SIZES:
            text = pattern * repeats
            started = time.process_time()
            markdown_to_storage(text)
            took = time.process_time() - started
            ratio = f"x{took / previous:.1f}" if previous else ""
            print(f"{pattern!r:10} {len(text):>9} chars  {took:7.2f} s  {ratio}", flush=True)
            previous = took


if __name__ == "__main__":
    main()
