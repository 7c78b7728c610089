"""Forms for signing in and setting passwords."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from evidence_hub.services.accounts.passwords import MAXIMUM_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password"),
            Length(max=MAXIMUM_LENGTH, message=f"Password must be {MAXIMUM_LENGTH} characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _new_password_field() -> PasswordField:
    return PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Three or more random words make a strong password.",
        validators=[InputRequired(message="Enter a new password")],
    )


def _confirm_password_field() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Confirm your new password"),
            EqualTo("new_password", message="The passwords you entered do not match"),
        ],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password")],
    )
    new_password = _new_password_field()
    confirm_password = _confirm_password_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    new_password = _new_password_field()
    confirm_password = _confirm_password_field()
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with. We will email a link to set a new password to it.",
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class EmailChoicesForm(FlaskForm):
    wanted = SelectMultipleField(
        "Emails you get",
        widget=GovCheckboxesInput(),
        description="Select every email you want. Emails about your account are always sent.",
        validate_choice=True,
    )
    submit = SubmitField("Save your choices", widget=GovSubmitInput())


def _code_field(label: str, description: str, message: str) -> StringField:
    """A short code typed in: from an authenticator app, or a recovery code."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        validators=[InputRequired(message=message), Length(max=40, message=message)],
    )


class TwoFactorCodeForm(FlaskForm):
    code = _code_field(
        "Code",
        "The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        "Enter the 6-digit code from your authenticator app",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpTwoFactorForm(FlaskForm):
    code = _code_field(
        "Code from your app",
        "After adding Evidence Hub to your app, enter the 6-digit code it shows.",
        "Enter the 6-digit code from your authenticator app",
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class ResetTwoFactorForm(FlaskForm):
    recovery_code = _code_field(
        "Recovery code",
        "One of the recovery codes you were given when you set up two-factor sign-in.",
        "Enter one of your recovery codes, like abcde-fghjk",
    )
    submit = SubmitField("Reset two-factor sign-in", widget=GovSubmitInput())
