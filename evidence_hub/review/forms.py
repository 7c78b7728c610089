"""Forms for reviewing a return: a comment on one item, returning, approving, reopening, and the filters."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from markupsafe import Markup, escape
from wtforms import Field, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from evidence_hub.models.returns import ReturnStatus

MAX_COMMENT_LENGTH = 5000
WHOLE_RETURN = "return"


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _comment_field(label: str, hint: str, required_message: str | None) -> TextAreaField:
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        filters=[_stripped],
        validators=[
            *validators,
            Length(
                max=MAX_COMMENT_LENGTH,
                message=f"The comment must be {MAX_COMMENT_LENGTH:,} characters or fewer",
            ),
        ],
    )


class ItemCommentForm(FlaskForm):
    item = SelectField(
        "What is your comment about?",
        widget=GovSelect(),
        description="The site lead sees your comment beside the item you choose.",
        validators=[DataRequired(message="Select what your comment is about")],
        invalid_choice_message="Select an item from this return",
    )
    body = _comment_field(
        "Comment",
        "Say what is wrong or missing and what the site should change, for example 'The amount includes "
        "the whole team's salaries: record only the share spent on the pilot'.",
        "Enter your comment",
    )
    submit = SubmitField("Add comment", widget=GovSubmitInput())

    def set_item_choices(self, choices: list[tuple[str, str]]) -> None:
        self.item.choices = [
            SelectChoice(WHOLE_RETURN, "The return as a whole"),
            *(SelectChoice(value, label) for value, label in choices),
        ]

    def chosen_item(self) -> tuple[str, int | None]:
        value = self.item.data or WHOLE_RETURN
        if value == WHOLE_RETURN:
            return WHOLE_RETURN, None
        kind, _, item_id = value.partition(":")
        return kind, int(item_id)


class ReturnToSiteForm(FlaskForm):
    comment = _comment_field(
        "What does the site need to change?",
        "The site lead sees this at the top of their return. Comments you have added about single "
        "items are shown beside those items.",
        "Enter a comment saying what the site needs to change",
    )
    submit = SubmitField("Return to the site", widget=GovSubmitInput())


class ApproveForm(FlaskForm):
    comment = _comment_field(
        "Comment (optional)",
        "For example, anything the site should do differently in its next return.",
        None,
    )
    submit = SubmitField("Approve return", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reason = _comment_field(
        "Why are you reopening this return?",
        "The site lead sees this reason, and it is kept in the audit log.",
        "Enter the reason for reopening the return",
    )
    submit = SubmitField("Reopen return", widget=GovSubmitInput())


class WithdrawApprovalForm(FlaskForm):
    reason = _comment_field(
        "Why are you withdrawing the approval?",
        "The site lead sees this reason, and it is kept in the audit log.",
        "Enter the reason for withdrawing the approval",
    )
    submit = SubmitField("Withdraw the approval", widget=GovSubmitInput())


ANY = ""


class ListSelect(GovSelect):
    """A GOV.UK select written in Python: the filter of every return offers every site (350 options), which
    through the design system's template macro took longer than the rest of the page. The markup is the
    macro's; a field with an error, or given parameters from a template, still goes through the macro."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        if field.errors or kwargs:
            rendered: Markup = super().__call__(field, **kwargs)
            return rendered
        field_id = escape(field.id)
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'
            for value, label, selected, _render_kw in field.iter_choices()  # type: ignore[attr-defined]
        )
        hint_id = f"{field_id}-hint"
        hint = (
            f'<div id="{hint_id}" class="govuk-hint">{escape(field.description)}</div>'
            if field.description
            else ""
        )
        described = f' aria-describedby="{hint_id}"' if field.description else ""
        # Every piece of text above went through escape(); the rest is fixed markup.
        return Markup(  # noqa: S704
            f'<div class="govuk-form-group"><label class="govuk-label" for="{field_id}">'
            f"{escape(field.label.text)}</label>{hint}"
            f'<select class="govuk-select" id="{field_id}" name="{escape(field.name)}"{described}>'
            f"{options}</select></div>"
        )


class ReturnFilterForm(FlaskForm):
    # Filters change nothing and are read from the address, so they carry no CSRF token.
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=ListSelect(),
        choices=[
            SelectChoice(ANY, "Any status"),
            *(SelectChoice(status.value, status.label) for status in ReturnStatus),
        ],
        default=ANY,
        invalid_choice_message="Select a status from the list",
    )
    site = SelectField(
        "Site", widget=ListSelect(), default=ANY, invalid_choice_message="Select a site from the list"
    )
    period = SelectField(
        "Reporting period",
        widget=ListSelect(),
        default=ANY,
        invalid_choice_message="Select a reporting period from the list",
    )

    def set_choices(self, sites: list[tuple[int, str]], periods: list[tuple[int, str]]) -> None:
        self.site.choices = [
            SelectChoice(ANY, "Any site"),
            *(SelectChoice(str(key), name) for key, name in sites),
        ]
        self.period.choices = [
            SelectChoice(ANY, "Any period"),
            *(SelectChoice(str(key), name) for key, name in periods),
        ]

    def chosen_status(self) -> ReturnStatus | None:
        return ReturnStatus(self.status.data) if self.status.data else None

    def chosen_id(self, field: SelectField) -> int | None:
        return int(field.data) if field.data else None
