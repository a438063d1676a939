"""The JSON API: schema at /api/openapi.json, generated from the code by django-ninja.

Each app adds its router in its own api.py; this module only assembles them.
"""

from ninja import NinjaAPI

from core.api import router as core_router

api = NinjaAPI(
    title="Kvarter API",
    version="1",
    description="Tablet attendance sync and open data for Kvarter.",
    urls_namespace="api",
)
api.add_router("/", core_router)
