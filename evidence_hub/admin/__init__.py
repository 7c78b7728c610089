"""Administration: users (add, change, deactivate, reset links) and pilot sites with their partners."""

from evidence_hub.admin.views import admin

__all__ = ["admin"]
