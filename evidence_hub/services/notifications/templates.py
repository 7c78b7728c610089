"""Every email the service sends, written as GOV.UK Notify recommends: a short subject saying what happened,
then what happened, what to do next and a link, in plain English.

Each template turns a dictionary of content (plain values, so it can be rendered again for the same
event) into a subject and a body. The body uses only what Notify formats in an email (paragraphs, lines
starting "* " for bullets, and bare links), so the same text reads well as plain text in the database
backend's record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evidence_hub.models import Role


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


@dataclass(frozen=True)
class EmailTemplate:
    name: str
    # What the person choosing their emails reads, e.g. "A return you lead is due".
    label: str
    # Account emails (an invitation, a reset link) are always sent; the others each person may turn off.
    optional: bool
    # Whether an optional email is sent to someone who has not chosen.
    wanted_by_default: bool
    render: Callable[[dict[str, Any]], RenderedEmail]
    # The account roles it can be sent to: only these see it among their choices.
    for_roles: frozenset[Role] = frozenset(Role)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"* {line}" for line in lines)


def _signature(content: dict[str, Any]) -> str:
    return f"Evidence Hub\n{content['service_url']}"


def _return_due(content: dict[str, Any]) -> RenderedEmail:
    days = content["days_left"]
    when = "tomorrow" if days == 1 else f"in {days} days"
    missing = content["missing"]
    still = (
        "Still missing:\n\n" + _bullets(missing)
        if missing
        else "Every section the framework requires has something in it. Check your answers and submit."
    )
    return RenderedEmail(
        subject=f"{content['site']}: your {content['period']} return is due {when}",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['site']}'s return for {content['period']} ({content['programme']}) is due by "
            f"{content['due_on']}.\n\n{still}\n\n"
            f"Complete and submit the return:\n{content['link']}\n\n{_signature(content)}"
        ),
    )


def _return_overdue(content: dict[str, Any]) -> RenderedEmail:
    missing = content["missing"]
    still = "Still missing:\n\n" + _bullets(missing) + "\n\n" if missing else ""
    return RenderedEmail(
        subject=f"{content['site']}: your {content['period']} return is overdue",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['site']}'s return for {content['period']} ({content['programme']}) was due by "
            f"{content['due_on']} and has not been submitted.\n\n{still}"
            f"Submit it as soon as you can, or tell your programme's evaluator when it will be ready:\n"
            f"{content['link']}\n\n{_signature(content)}"
        ),
    )


def _return_submitted(content: dict[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject=f"{content['site']} has submitted its {content['period']} return",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['submitted_by']} submitted {content['site']}'s return for {content['period']} "
            f"({content['programme']}) on {content['submitted_on']}. It is waiting for review.\n\n"
            f"Review the return, then approve it or return it with comments:\n{content['link']}\n\n"
            f"{_signature(content)}"
        ),
    )


def _return_returned(content: dict[str, Any]) -> RenderedEmail:
    items = content["commented_items"]
    listed = "Comments were left on:\n\n" + _bullets(items) + "\n\n" if items else ""
    return RenderedEmail(
        subject=f"{content['site']}: your {content['period']} return has been returned with comments",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['reviewer']} has returned {content['site']}'s return for {content['period']} "
            f"({content['programme']}) with comments.\n\n"
            f"What to change:\n\n^ {content['comment']}\n\n{listed}"
            f"Make the changes and submit the return again:\n{content['link']}\n\n{_signature(content)}"
        ),
    )


def _return_approved(content: dict[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject=f"{content['site']}: your {content['period']} return has been approved",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['reviewer']} has approved {content['site']}'s return for {content['period']} "
            f"({content['programme']}). Its figures now count in the programme's dashboards and releases.\n\n"
            f"You do not need to do anything. See the return:\n{content['link']}\n\n{_signature(content)}"
        ),
    )


def _period_closed(content: dict[str, Any]) -> RenderedEmail:
    state = content["state"]
    return RenderedEmail(
        subject=f"{content['period']} has closed: {content['site']}'s return is locked",
        body=(
            f"Dear {content['name']},\n\n"
            f"The reporting period {content['period']} ({content['programme']}) has closed. "
            f"{content['site']}'s return is now locked ({state}) and can no longer be changed.\n\n"
            f"If something in it is wrong, contact your programme's evaluator. See the return:\n"
            f"{content['link']}\n\n{_signature(content)}"
        ),
    )


def _release_published(content: dict[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject=f"New release: {content['title']}",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['programme']} has published a release, {content['reference']}: "
            f"{content['title']}, covering {content['periods']}.\n\n"
            f"Read its learning summary and download its data pack:\n{content['link']}\n\n"
            f"You get this email because you asked to be told about new releases. Change which emails "
            f"you get:\n{content['preferences_link']}\n\n{_signature(content)}"
        ),
    )


def _invitation(content: dict[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject="You have been invited to Evidence Hub",
        body=(
            f"Dear {content['name']},\n\n"
            f"{content['invited_by']} has made you an account on Evidence Hub, where pilot sites record "
            f"their evidence and evaluators review it. You are a {content['role']}.\n\n"
            f"Set your password to start using it. This link works once and expires on "
            f"{content['expires']}:\n{content['link']}\n\n"
            f'If the link has expired, ask for a new one on the sign-in page ("Forgot your password?").\n\n'
            f"{_signature(content)}"
        ),
    )


def _password_reset(content: dict[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject="Reset your Evidence Hub password",
        body=(
            f"Dear {content['name']},\n\n"
            f"Someone asked to reset the password of your Evidence Hub account. If it was you, set a new "
            f"password. This link works once and expires on {content['expires']}:\n{content['link']}\n\n"
            f"If you did not ask, you do not need to do anything: your password has not changed.\n\n"
            f"{_signature(content)}"
        ),
    )


LEADS = frozenset({Role.SITE_LEAD})
REVIEWERS = frozenset({Role.EVALUATOR})

TEMPLATES: dict[str, EmailTemplate] = {
    template.name: template
    for template in (
        EmailTemplate(
            "return_due", "A return you lead is due in 14 days, and in 3 days", True, True, _return_due, LEADS
        ),
        EmailTemplate("return_overdue", "A return you lead is overdue", True, True, _return_overdue, LEADS),
        EmailTemplate(
            "return_submitted",
            "A site has submitted a return for you to review",
            True,
            True,
            _return_submitted,
            REVIEWERS,
        ),
        EmailTemplate(
            "return_returned",
            "A return you lead has been returned with comments",
            True,
            True,
            _return_returned,
            LEADS,
        ),
        EmailTemplate(
            "return_approved", "A return you lead has been approved", True, True, _return_approved, LEADS
        ),
        EmailTemplate(
            "period_closed",
            "A reporting period has closed and your return is locked",
            True,
            True,
            _period_closed,
            LEADS,
        ),
        # National officials opt in: a release is news they go and read, not a task.
        EmailTemplate(
            "release_published",
            "A new release has been published",
            True,
            False,
            _release_published,
            frozenset({Role.NATIONAL_OFFICIAL}),
        ),
        EmailTemplate("invitation", "Invitation to a new account", False, True, _invitation),
        EmailTemplate("password_reset", "Password reset link", False, True, _password_reset),
    )
}


def render(template: str, content: dict[str, Any]) -> RenderedEmail:
    return TEMPLATES[template].render(content)


def optional_templates(role: Role) -> list[EmailTemplate]:
    """The emails a person of this role may turn on or off."""
    return [template for template in TEMPLATES.values() if template.optional and role in template.for_roles]
