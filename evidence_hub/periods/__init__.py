"""Reporting periods administration: each framework's periods with their returns, and closing a period."""

from evidence_hub.periods.views import periods

__all__ = ["periods"]
