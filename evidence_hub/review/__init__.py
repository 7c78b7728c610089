"""Evaluators review returns: the queue, every return, commenting, returning, approving and reopening."""
