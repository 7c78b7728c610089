"""Signing in and out, changing your own password, and one-time password-reset links."""

from evidence_hub.auth.views import auth

__all__ = ["auth"]
