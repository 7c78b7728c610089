"""Your personal API tokens: create, list and revoke the tokens that read the API for you."""

from evidence_hub.tokens.views import tokens

__all__ = ["tokens"]
