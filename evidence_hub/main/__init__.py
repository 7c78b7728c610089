"""Home pages for each role, the accessibility statement, the privacy notice and the health check."""

from evidence_hub.main.views import main

__all__ = ["main"]
