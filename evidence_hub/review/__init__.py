"""Evaluators review returns: the queue, every return, commenting, returning, approving and reopening."""

from evidence_hub.review.views import review

__all__ = ["review"]
