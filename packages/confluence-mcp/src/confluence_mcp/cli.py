"""Command line entry point (filled in by the server issue)."""

import sys

from confluence_mcp import __version__


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--version"]:
        print(f"confluence-mcp {__version__}")
        return 0
    print("confluence-mcp: the server is not built yet", file=sys.stderr)
    return 2
