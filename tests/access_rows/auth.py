from tests.access_rows import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVALUATOR,
    EVERY_ROLE,
    NATIONAL_OFFICIAL,
    SITE_LEAD,
    Row,
    signed_in_only,
)

# The roles the world's users have set up two-factor sign-in for (as the service requires by default).
ENROLLED = {ADMINISTRATOR: 302, NATIONAL_OFFICIAL: 302}
NOT_ENROLLED = {EVALUATOR: 200, SITE_LEAD: 200}

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
    # Single sign-on is not set up in the tests' configuration (tests/web/test_single_sign_on.py sets it up).
    Row("auth.single_sign_on_start", "GET", "/sign-in/single-sign-on", dict.fromkeys(EVERY_ROLE, 404)),
    Row(
        "auth.single_sign_on_return", "GET", "/sign-in/single-sign-on/return", dict.fromkeys(EVERY_ROLE, 404)
    ),
    # The second step of signing in: with no sign-in waiting for it, back to the sign-in page; signed-in
    # users go home (or, to set up, to their account's set-up page).
    Row("auth.two_factor_code", "GET", "/sign-in/two-factor", dict.fromkeys(EVERY_ROLE, 302)),
    Row("auth.two_factor_code", "POST", "/sign-in/two-factor", dict.fromkeys(EVERY_ROLE, 302)),
    Row(
        "auth.two_factor_set_up_at_sign_in",
        "GET",
        "/sign-in/two-factor/set-up",
        dict.fromkeys(EVERY_ROLE, 302),
    ),
    Row(
        "auth.two_factor_set_up_at_sign_in",
        "POST",
        "/sign-in/two-factor/set-up",
        dict.fromkeys(EVERY_ROLE, 302),
    ),
    Row("auth.two_factor_account", "GET", "/account/two-factor", signed_in_only(200)),
    # An empty form: the page again, with what is missing (nothing is reset).
    Row("auth.two_factor_account", "POST", "/account/two-factor", signed_in_only(200)),
    # Users who have set it up already are sent to their two-factor page.
    Row(
        "auth.two_factor_set_up",
        "GET",
        "/account/two-factor/set-up",
        {ANONYMOUS: 302, **ENROLLED, **NOT_ENROLLED},
    ),
    Row(
        "auth.two_factor_set_up",
        "POST",
        "/account/two-factor/set-up",
        {ANONYMOUS: 302, **ENROLLED, **NOT_ENROLLED},
    ),
    # Shown once, straight after setting up; otherwise back to the two-factor page.
    Row("auth.recovery_codes", "GET", "/account/two-factor/recovery-codes", signed_in_only(302)),
]
