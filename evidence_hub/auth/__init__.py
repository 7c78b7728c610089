"""Signing in and out, changing your own password, and one-time password-reset links."""

from evidence_hub.auth import two_factor  # noqa: F401 (registers the second step's routes)
from evidence_hub.auth.views import auth

__all__ = ["auth"]
