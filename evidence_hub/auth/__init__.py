"""Signing in and out (with a password or single sign-on, then a second factor where needed), changing
your own password, one-time password-reset links and your two-factor sign-in."""

from evidence_hub.auth import two_factor  # noqa: F401 (registers the second step's routes)
from evidence_hub.auth.views import auth

__all__ = ["auth"]
