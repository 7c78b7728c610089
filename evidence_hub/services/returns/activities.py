"""Activities of a return: what the pilot did in the period, with whom, for how many people, and why.

Forms and the spreadsheet upload pass plain data (`ActivityInput`). Every rule lives here, including
those a form cannot check (the type and themes belong to the return's framework version, the named
partners are the site's own, the dates lie within the reporting period): `InvalidActivity` maps each
field's name to a message saying what to do, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.formatting import date_uk
from evidence_hub.models import User
from evidence_hub.models.framework import ActivityType, Theme
from evidence_hub.models.returns import Activity, SiteReturn
from evidence_hub.models.sites import PartnerType, SitePartner
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.items import (
    check_version,
    record_created,
    record_deleted,
    record_updated,
    snapshot,
    visible_item,
)
from evidence_hub.services.returns.workflow import InvalidEvidence, require_lead_can_edit

# Column size of the title (models/returns.py); free text is capped like every other Text field.
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_IMPORT_REFERENCE = 60
# More people than live in England: a larger figure is a typing slip.
MAX_PEOPLE_REACHED = 60_000_000


class InvalidActivity(InvalidEvidence):
    """The activity cannot be saved: `problems` maps each field's name to its message."""


@dataclass(frozen=True)
class ActivityInput:
    """An activity as entered. Type and themes are chosen by id (forms) or by code (spreadsheets);
    named partners by id (forms) or by name (spreadsheets). No end date means a single day."""

    title: str = ""
    description: str = ""
    activity_type_id: int | None = None
    activity_type_code: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    partner_types: Sequence[str] = ()
    partner_ids: Sequence[int] = ()
    partner_names: Sequence[str] = ()
    people_reached: int | None = None
    outputs: str = ""
    theme_ids: Sequence[int] = ()
    theme_codes: Sequence[str] = ()


@dataclass(frozen=True)
class CleanActivity:
    """An activity that has passed every rule, ready to be written."""

    activity_type: ActivityType
    title: str
    description: str
    starts_on: date
    ends_on: date
    partner_types: list[str]
    people_reached: int | None
    outputs: str
    partners: list[SitePartner] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    @classmethod
    def of(cls, item: Activity) -> CleanActivity:
        return cls(
            activity_type=item.activity_type,
            title=item.title,
            description=item.description,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            partner_types=list(item.partner_types),
            people_reached=item.people_reached,
            outputs=item.outputs,
            partners=list(item.partners),
            themes=list(item.themes),
        )


def clean_text(value: str | None) -> str:
    """Text as stored: trimmed, without NUL characters (which PostgreSQL refuses in text)."""
    return (value or "").replace("\x00", "").strip()


def date_range_text(starts_on: date, ends_on: date) -> str:
    """'3 May 2009', or '3 May 2009 to 7 May 2009'."""
    return date_uk(starts_on) if starts_on == ends_on else f"{date_uk(starts_on)} to {date_uk(ends_on)}"


def _activity_type(site_return: SiteReturn, data: ActivityInput) -> tuple[ActivityType | None, str | None]:
    types = site_return.framework_version.activity_types
    if data.activity_type_id is not None:
        found = next((kind for kind in types if kind.id == data.activity_type_id), None)
        return (found, None) if found else (None, "Select one of the types of activity listed")
    code = clean_text(data.activity_type_code)
    if not code:
        return None, "Select the type of activity"
    found = next((kind for kind in types if kind.code.upper() == code.upper()), None)
    if found is None:
        known = ", ".join(kind.code for kind in types)
        version = site_return.framework_version.version
        return (
            None,
            f"'{code}' is not a type of activity in version {version} of the framework: use one of {known}",
        )
    return found, None


def _themes(site_return: SiteReturn, data: ActivityInput) -> tuple[list[Theme], str | None]:
    themes = site_return.framework_version.themes
    by_id = {theme.id: theme for theme in themes}
    by_code = {theme.code.upper(): theme for theme in themes}
    chosen: dict[int, Theme] = {}
    for theme_id in data.theme_ids:
        if theme_id not in by_id:
            return [], "Select themes from the list"
        chosen[theme_id] = by_id[theme_id]
    for raw_code in data.theme_codes:
        code = clean_text(raw_code)
        if not code:
            continue
        theme = by_code.get(code.upper())
        if theme is None:
            known = ", ".join(theme.code for theme in themes)
            return [], f"'{code}' is not a theme of the framework: use one of {known}"
        chosen[theme.id] = theme
    return sorted(chosen.values(), key=lambda theme: theme.position), None


def _partners(site_return: SiteReturn, data: ActivityInput) -> tuple[list[SitePartner], str | None]:
    site = site_return.site
    by_id = {partner.id: partner for partner in site.partners}
    by_name = {partner.name.casefold(): partner for partner in site.partners}
    chosen: dict[int, SitePartner] = {}
    for partner_id in data.partner_ids:
        if partner_id not in by_id:
            return [], f"Choose partner organisations from the list of {site.name}'s partners"
        chosen[partner_id] = by_id[partner_id]
    for raw_name in data.partner_names:
        name = clean_text(raw_name)
        if not name:
            continue
        partner = by_name.get(name.casefold())
        if partner is None:
            return [], (
                f"'{name}' is not one of {site.name}'s partner organisations. "
                "Ask an administrator to add it, or leave it out"
            )
        chosen[partner.id] = partner
    return sorted(chosen.values(), key=lambda partner: partner.name), None


def _partner_types(data: ActivityInput) -> tuple[list[str], str | None]:
    known = [kind.value for kind in PartnerType]
    given = {clean_text(value) for value in data.partner_types} - {""}
    unknown = sorted(given - set(known))
    if unknown:
        return [], f"'{unknown[0]}' is not a kind of partner: use one of {', '.join(known)}"
    return [value for value in known if value in given], None


def _check_activity(
    site_return: SiteReturn, data: ActivityInput
) -> tuple[dict[str, str], CleanActivity | None]:
    problems: dict[str, str] = {}

    def note(field_name: str, message: str | None) -> None:
        if message and field_name not in problems:
            problems[field_name] = message

    activity_type, message = _activity_type(site_return, data)
    note("activity_type", message)

    title = clean_text(data.title)
    note("title", "Enter a title for the activity" if not title else None)
    if len(title) > MAX_TITLE:
        note("title", f"Title must be {MAX_TITLE} characters or fewer")
    description = clean_text(data.description)
    outputs = clean_text(data.outputs)
    for name, value, label in (("description", description, "Description"), ("outputs", outputs, "Outputs")):
        if len(value) > MAX_TEXT:
            note(name, f"{label} must be {MAX_TEXT:,} characters or fewer")

    period = site_return.reporting_period
    within = f"{period.name}: between {date_uk(period.starts_on)} and {date_uk(period.ends_on)}"
    starts_on, ends_on = data.starts_on, data.ends_on
    if starts_on is None:
        note("starts_on", "Enter the date of the activity, or the date it started")
    elif not period.starts_on <= starts_on <= period.ends_on:
        note("starts_on", f"The date the activity started must be within {within}")
    if ends_on is not None:
        if not period.starts_on <= ends_on <= period.ends_on:
            note("ends_on", f"The date the activity ended must be within {within}")
        elif starts_on is not None and ends_on < starts_on:
            note("ends_on", "The date the activity ended must be the same as or after the date it started")

    partner_types, message = _partner_types(data)
    note("partner_types", message)
    partners, message = _partners(site_return, data)
    note("partners", message)
    themes, message = _themes(site_return, data)
    note("themes", message)

    people = data.people_reached
    if people is not None:
        if isinstance(people, bool) or not isinstance(people, int):
            note("people_reached", "People reached must be a whole number, like 25")
        elif people < 0:
            note("people_reached", "People reached must be 0 or more")
        elif people > MAX_PEOPLE_REACHED:
            note("people_reached", f"People reached must be {MAX_PEOPLE_REACHED:,} or fewer")

    if problems or activity_type is None or starts_on is None:
        return problems, None
    return problems, CleanActivity(
        activity_type=activity_type,
        title=title,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        partner_types=partner_types,
        people_reached=people,
        outputs=outputs,
        partners=partners,
        themes=themes,
    )


def activity_problems(site_return: SiteReturn, data: ActivityInput) -> dict[str, str]:
    """Everything wrong with this activity, field by field (empty when it can be saved)."""
    return _check_activity(site_return, data)[0]


def _clean_activity(site_return: SiteReturn, data: ActivityInput) -> CleanActivity:
    problems, clean = _check_activity(site_return, data)
    if problems or clean is None:
        raise InvalidActivity(problems)
    return clean


def _write(item: Activity, clean: CleanActivity) -> None:
    item.activity_type = clean.activity_type
    item.activity_type_id = clean.activity_type.id
    item.title = clean.title
    item.description = clean.description
    item.starts_on = clean.starts_on
    item.ends_on = clean.ends_on
    item.partner_types = list(clean.partner_types)
    item.people_reached = clean.people_reached
    item.outputs = clean.outputs
    item.partners = list(clean.partners)
    item.themes = list(clean.themes)


def _audit(item: Activity) -> dict[str, Any]:
    """As services.returns.content_of describes an activity: partners by name, themes by code."""
    return snapshot(
        item,
        extra={
            "activity_type": item.activity_type.code,
            "partners": [partner.name for partner in item.partners],
            "themes": [theme.code for theme in item.themes],
        },
    )


def describe_activity(clean: CleanActivity) -> dict[str, str]:
    """An activity in words, field by field: what the page shows when two people changed it at once."""
    return {
        "activity_type": clean.activity_type.name,
        "title": clean.title,
        "description": clean.description,
        "dates": date_range_text(clean.starts_on, clean.ends_on),
        "partner_types": ", ".join(PartnerType(value).label for value in clean.partner_types),
        "partners": ", ".join(partner.name for partner in clean.partners),
        "people_reached": "" if clean.people_reached is None else f"{clean.people_reached:,}",
        "outputs": clean.outputs,
        "themes": ", ".join(theme.title for theme in clean.themes),
    }


def add_activity(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: ActivityInput,
    import_reference: str | None = None,
) -> Activity:
    """Add an activity to the return, audited; InvalidActivity (nothing saved) when any field is wrong."""
    require_lead_can_edit(user, site_return)
    clean = _clean_activity(site_return, data)
    if import_reference is not None and len(import_reference) > MAX_IMPORT_REFERENCE:
        raise InvalidActivity(
            {"import_reference": f"Reference must be {MAX_IMPORT_REFERENCE} characters or fewer"}
        )
    item = Activity(
        site_return_id=site_return.id, site_id=site_return.site_id, import_reference=import_reference
    )
    _write(item, clean)
    item.site_return = site_return
    session.add(item)
    session.flush()
    record_created(session, user, item, after=_audit(item))
    return item


def update_activity(
    session: Session, user: User, item: Activity, data: ActivityInput, submitted_version: int | None
) -> bool:
    """Change an activity, audited; True if anything changed. StaleEdit when somebody saved it meanwhile."""
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    clean = _clean_activity(site_return, data)
    check_version(
        item, submitted_version, describe_activity(clean), describe_activity(CleanActivity.of(item))
    )
    before = _audit(item)
    _write(item, clean)
    return record_updated(session, user, item, before, _audit(item))


def delete_activity(
    session: Session, user: User, item: Activity, submitted_version: int | None = None
) -> None:
    """Delete an activity, audited with everything it held."""
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    check_version(item, submitted_version, {}, describe_activity(CleanActivity.of(item)))
    record_deleted(session, user, item, before=_audit(item))
    session.delete(item)
    session.flush()
    session.expire(site_return, ["activities"])


def activity_in_return(session: Session, user: User, site_return: SiteReturn, activity_id: int) -> Activity:
    """The return's activity with this id, if the user may see it; NotVisible (404) otherwise."""
    item = visible_item(session, user, Activity, activity_id)
    if item.site_return_id != site_return.id:
        raise NotVisible(f"No activity {activity_id} in return {site_return.id}")
    return item
