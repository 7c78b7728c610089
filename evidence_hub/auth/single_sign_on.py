"""The OpenID Connect client (Authlib), one per app: the identity provider's settings come from its
discovery document, <issuer>/.well-known/openid-configuration.

Authlib keeps the state and nonce of each sign-in in the signed session and, on the way back, refuses an
answer whose state is not one it issued, then checks the ID token: its signature against the provider's
published keys, its issuer, audience (this service's client id), expiry, and the nonce.
"""

from __future__ import annotations

from typing import Any, cast

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError as JoseRfcError
from werkzeug.wrappers import Response

CLIENT_KEY = "evidence_hub.oidc_client"
PROVIDER_NAME = "identity_provider"
# Seconds the service waits for the identity provider's token and key addresses.
PROVIDER_TIMEOUT = 10


class IdentityProviderAnswerRefused(Exception):
    """The identity provider's answer failed a check (state, signature, issuer, audience, expiry, nonce),
    or the provider could not be reached."""


def init_single_sign_on(app: Flask) -> None:
    """Register the identity provider when single sign-on is set up; otherwise there is no client."""
    if not app.config["OIDC_ISSUER"]:
        return
    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    app.extensions[CLIENT_KEY] = oauth.register(
        PROVIDER_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "timeout": PROVIDER_TIMEOUT},
    )


def is_configured() -> bool:
    return CLIENT_KEY in current_app.extensions


def _client() -> Any:
    return current_app.extensions[CLIENT_KEY]


def redirect_to_provider(callback_address: str) -> Response:
    """Send the browser to the identity provider, with a new state and nonce kept in the session; or
    IdentityProviderAnswerRefused when its discovery document cannot be read."""
    try:
        return cast(Response, _client().authorize_redirect(callback_address))
    except (AuthlibBaseError, ValueError, OSError) as error:
        raise IdentityProviderAnswerRefused(str(error) or type(error).__name__) from error


def verified_claims() -> dict[str, Any]:
    """The claims of the ID token in the provider's answer to this request, once every check passed."""
    try:
        token = _client().authorize_access_token()
    except (AuthlibBaseError, JoseRfcError, ValueError, OSError) as error:
        raise IdentityProviderAnswerRefused(str(error) or type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims:
        raise IdentityProviderAnswerRefused("The answer held no ID token")
    return dict(claims)
