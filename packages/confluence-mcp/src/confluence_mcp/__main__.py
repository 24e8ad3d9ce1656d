"""``python -m confluence_mcp`` = the ``confluence-mcp`` command."""

import sys

from confluence_mcp.cli import main

sys.exit(main())
