"""A small OpenID Connect identity provider for tests, served on a local port: discovery, an authorisation
endpoint that signs in whoever the test names, a token endpoint that checks the client's secret and
issues an ID token signed with a real RSA key, and the key set to check it with.

A test can make it misbehave the ways a real answer can go wrong: signed with another key, for another
audience, from another issuer, expired, or carrying another nonce.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "evidence-hub"
CLIENT_SECRET = "a-client-secret-only-the-tests-know"


@dataclass
class IdentityProvider:
    issuer: str = ""
    # The claims of the person who signs in at the provider next (sub, email, email_verified, name).
    person: dict[str, Any] = field(default_factory=dict)
    misbehaviour: str | None = None
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "provider-key"}))
    other_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "provider-key"})
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer if self.misbehaviour != "wrong_issuer" else "https://impostor.example",
            "aud": CLIENT_ID if self.misbehaviour != "wrong_audience" else "another-service",
            "iat": now - (7200 if self.misbehaviour == "expired" else 0),
            "exp": now + (-3600 if self.misbehaviour == "expired" else 300),
            "nonce": grant["nonce"] if self.misbehaviour != "wrong_nonce" else "a-nonce-never-sent",
            **grant["person"],
        }
        key = self.other_key if self.misbehaviour == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "provider-key"}, claims, key)


def provider_app(provider: IdentityProvider) -> Flask:
    app = Flask("identity_provider")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify(
            {
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify({"keys": [provider.key.as_dict(private=False)]})

    @app.get("/authorize")
    def authorize() -> Any:
        if request.args.get("client_id") != CLIENT_ID or request.args.get("response_type") != "code":
            return "unknown client", 400
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {
            "nonce": request.args.get("nonce", ""),
            "redirect_uri": request.args["redirect_uri"],
            "person": dict(provider.person),
        }
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return redirect(f"{request.args['redirect_uri']}?{query}")

    @app.post("/token")
    def token() -> Any:
        auth = request.authorization
        client_id, client_secret = (
            (auth.username, auth.password)
            if auth is not None
            else (request.form.get("client_id"), request.form.get("client_secret"))
        )
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return jsonify({"error": "invalid_client"}), 401
        grant = provider.codes.pop(request.form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != request.form.get("redirect_uri"):
            return jsonify({"error": "invalid_grant"}), 400
        return jsonify(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(grant),
            }
        )

    return app


def serve_identity_provider() -> Iterator[IdentityProvider]:
    """Start the provider on a free local port; yields it, and stops it afterwards."""
    provider = IdentityProvider()
    server = make_server("127.0.0.1", 0, provider_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
