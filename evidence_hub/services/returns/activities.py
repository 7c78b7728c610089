"""Activities of a return: what the pilot did in the period, with whom, for how many people, and why.

Forms and the spreadsheet upload pass plain data (`ActivityInput`). Every rule lives here, including
those a form cannot check (the type and themes belong to the return's framework version, the named
partners are the site's own, the dates lie within the reporting period). The item service (items.py) adds,
changes and deletes activities under the rules every item shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from evidence_hub.formatting import date_uk
from evidence_hub.models.framework import ActivityType, Theme
from evidence_hub.models.returns import Activity, ReturnSection, SiteReturn
from evidence_hub.models.sites import PartnerType, SitePartner
from evidence_hub.services.common.values import clean_text, snapshot
from evidence_hub.services.returns.input_rules import MAX_TITLE, Problems, text_problem
from evidence_hub.services.returns.items import EvidenceItems

# More people than live in England: a larger figure is a typing slip.
MAX_PEOPLE_REACHED = 60_000_000


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


def check_activity(
    site_return: SiteReturn, data: ActivityInput
) -> tuple[dict[str, str], CleanActivity | None]:
    """Every problem with an activity, by field, and the checked activity when there are none."""
    problems = Problems()
    note = problems.note
    activity_type, message = _activity_type(site_return, data)
    note("activity_type", message)

    title = clean_text(data.title)
    note("title", "Enter a title for the activity" if not title else None)
    note("title", text_problem(title, "Title", MAX_TITLE))
    description = clean_text(data.description)
    note("description", text_problem(description, "Description"))
    outputs = clean_text(data.outputs)
    note("outputs", text_problem(outputs, "Outputs"))

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


class ActivityItems(EvidenceItems[Activity, ActivityInput, CleanActivity]):
    model = Activity
    noun = "activity"
    section = ReturnSection.ACTIVITIES
    collection = "activities"
    reference_prefix = "A"
    field_labels: ClassVar[dict[str, str]] = {
        "activity_type": "Type of activity",
        "title": "Title",
        "description": "Description",
        "dates": "When",
        "partner_types": "Kinds of partner involved",
        "partners": "Partner organisations involved",
        "people_reached": "People reached",
        "outputs": "Outputs",
        "themes": "Themes it informs",
    }

    def check(
        self, site_return: SiteReturn, data: ActivityInput
    ) -> tuple[dict[str, str], CleanActivity | None]:
        return check_activity(site_return, data)

    def write(self, item: Activity, clean: CleanActivity) -> None:
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

    def checked_of(self, item: Activity) -> CleanActivity:
        return CleanActivity.of(item)

    def describe(self, clean: CleanActivity) -> dict[str, str]:
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

    def summary(self, item: Activity) -> str:
        return item.title

    def audit_values(self, item: Activity) -> dict[str, Any]:
        """As the return's snapshots describe an activity: partners by name, themes by code."""
        return snapshot(
            item,
            extra={
                "activity_type": item.activity_type.code,
                "partners": [partner.name for partner in item.partners],
                "themes": [theme.code for theme in item.themes],
            },
        )


ACTIVITIES = ActivityItems()
