"""Background jobs for administrators: what is queued, running, failed (and why) and done."""

from evidence_hub.background_jobs.views import background_jobs

__all__ = ["background_jobs"]
