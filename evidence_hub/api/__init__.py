"""The read-only JSON API under /api/v1, for personal API tokens (see api/openapi.py for what it offers)."""

from evidence_hub.api.views import api

__all__ = ["api"]
