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


def _email(
    content: dict[str, Any], subject: str, said: list[str], action: str, after: tuple[str, ...] = ()
) -> RenderedEmail:
    """Every email's shape: the greeting, what happened (`said`, a paragraph each; empty ones left out),
    what to do next with its link, anything after that, and the signature."""
    paragraphs = [
        f"Dear {content['name']},",
        *said,
        f"{action}:\n{content['link']}",
        *after,
        _signature(content),
    ]
    return RenderedEmail(
        subject=subject, body="\n\n".join(paragraph for paragraph in paragraphs if paragraph)
    )


def _still_missing(content: dict[str, Any]) -> str:
    missing = content["missing"]
    return "Still missing:\n\n" + _bullets(missing) if missing else ""


def _return_due(content: dict[str, Any]) -> RenderedEmail:
    days = content["days_left"]
    when = "tomorrow" if days == 1 else f"in {days} days"
    return _email(
        content,
        f"{content['site']}: your {content['period']} return is due {when}",
        [
            f"{content['site']}'s return for {content['period']} ({content['programme']}) is due by "
            f"{content['due_on']}.",
            _still_missing(content)
            or "Every section the framework requires has something in it. Check your answers and submit.",
        ],
        "Complete and submit the return",
    )


def _return_overdue(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        f"{content['site']}: your {content['period']} return is overdue",
        [
            f"{content['site']}'s return for {content['period']} ({content['programme']}) was due by "
            f"{content['due_on']} and has not been submitted.",
            _still_missing(content),
        ],
        "Submit it as soon as you can, or tell your programme's evaluator when it will be ready",
    )


def _return_submitted(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        f"{content['site']} has submitted its {content['period']} return",
        [
            f"{content['submitted_by']} submitted {content['site']}'s return for {content['period']} "
            f"({content['programme']}) on {content['submitted_on']}. It is waiting for review."
        ],
        "Review the return, then approve it or return it with comments",
    )


def _return_returned(content: dict[str, Any]) -> RenderedEmail:
    items = content["commented_items"]
    return _email(
        content,
        f"{content['site']}: your {content['period']} return has been returned with comments",
        [
            f"{content['reviewer']} has returned {content['site']}'s return for {content['period']} "
            f"({content['programme']}) with comments.",
            f"What to change:\n\n^ {content['comment']}",
            "Comments were left on:\n\n" + _bullets(items) if items else "",
        ],
        "Make the changes and submit the return again",
    )


def _return_approved(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        f"{content['site']}: your {content['period']} return has been approved",
        [
            f"{content['reviewer']} has approved {content['site']}'s return for {content['period']} "
            f"({content['programme']}). Its figures now count in the programme's dashboards and releases."
        ],
        "You do not need to do anything. See the return",
    )


def _period_closed(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        f"{content['period']} has closed: {content['site']}'s return is locked",
        [
            f"The reporting period {content['period']} ({content['programme']}) has closed. "
            f"{content['site']}'s return is now locked ({content['state']}) and can no longer be changed."
        ],
        "If something in it is wrong, contact your programme's evaluator. See the return",
    )


def _release_published(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        f"New release: {content['title']}",
        [
            f"{content['programme']} has published a release, {content['reference']}: "
            f"{content['title']}, covering {content['periods']}."
        ],
        "Read its learning summary and download its data pack",
        after=(
            "You get this email because you asked to be told about new releases. Change which emails "
            f"you get:\n{content['preferences_link']}",
        ),
    )


def _invitation(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        "You have been invited to Evidence Hub",
        [
            f"{content['invited_by']} has made you an account on Evidence Hub, where pilot sites record "
            f"their evidence and evaluators review it. You are a {content['role']}."
        ],
        f"Set your password to start using it. This link works once and expires on {content['expires']}",
        after=('If the link has expired, ask for a new one on the sign-in page ("Forgot your password?").',),
    )


def _password_reset(content: dict[str, Any]) -> RenderedEmail:
    return _email(
        content,
        "Reset your Evidence Hub password",
        [],
        "Someone asked to reset the password of your Evidence Hub account. If it was you, set a new "
        f"password. This link works once and expires on {content['expires']}",
        after=("If you did not ask, you do not need to do anything: your password has not changed.",),
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
