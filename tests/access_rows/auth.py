from tests.access_rows import ANONYMOUS, EVERY_ROLE, Row, signed_in_only

ROWS = [
    # Signed-in users asking for the sign-in page go home.
    Row("auth.sign_in", "GET", "/sign-in", {**dict.fromkeys(EVERY_ROLE, 302), ANONYMOUS: 200}),
    Row("auth.sign_in", "POST", "/sign-in", {**dict.fromkeys(EVERY_ROLE, 302), ANONYMOUS: 200}),
    Row("auth.sign_out", "POST", "/sign-out", signed_in_only(302)),
    Row("auth.account", "GET", "/account", signed_in_only(200)),
    Row("auth.account", "POST", "/account", signed_in_only(200)),
    # An unknown token is refused for everyone, signed in or not.
    Row("auth.reset_password", "GET", "/reset-password/not-a-real-token", dict.fromkeys(EVERY_ROLE, 400)),
    Row("auth.reset_password", "POST", "/reset-password/not-a-real-token", dict.fromkeys(EVERY_ROLE, 400)),
]
