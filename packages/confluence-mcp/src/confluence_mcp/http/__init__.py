"""The HTTP side of the server, in one place.

- :mod:`~confluence_mcp.http.app`: the ASGI app (Streamable HTTP + legacy SSE, JSON or SSE
  responses per ``Accept``);
- :mod:`~confluence_mcp.http.layer`: the remote-service layer around it (authentication,
  scopes, audit, rate limits, Host/Origin checks, security headers, body limits, health
  and readiness, access log, metrics);
- :mod:`~confluence_mcp.http.serving`: uvicorn, bound sockets and a test server.

Submodules are imported explicitly; importing this package loads nothing heavy.
"""
