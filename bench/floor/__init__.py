"""Bench-only Django settings, floor views and a plain WSGI app: never part of the real URLconf."""
