"""Tool modules, one per area; each exposes ``register(mcp, services)``."""

__all__: list[str] = []
