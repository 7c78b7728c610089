"""Audit records in plain English: who did what to which item, each changed field by its label, with its
value formatted as the pages show it (money, percentages, units, names rather than codes).

The records themselves keep the code's own words (they are evidence and never change); only what is shown
is translated, here, for the audit log and every item's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from evidence_hub.formatting import date_uk, datetime_uk, listed, money
from evidence_hub.models import AuditEvent
from evidence_hub.models.accounts import Role
from evidence_hub.models.enums import LabelledEnum
from evidence_hub.models.framework import LearningType
from evidence_hub.models.impact import AreaRole
from evidence_hub.models.periods import PeriodStatus
from evidence_hub.models.programmes import MembershipRole, ProgrammeStatus
from evidence_hub.models.returns import (
    AgreementStatus,
    CostType,
    Funding,
    QualityRating,
    ReturnSection,
    ReturnStatus,
    TimeUnit,
)
from evidence_hub.models.sites import PartnerType
from evidence_hub.services.common.audit import FrameworkNames, ItemFacts, object_type_name
from evidence_hub.services.framework.wording import format_value
from evidence_hub.services.returns.comments import MILESTONE

# What somebody did, for actions that are not adding, changing or deleting an item.
ACTION_VERBS = {
    "return.started": "started",
    "return.section_marked": "changed which sections are marked as completed in",
    "return.submitted": "submitted",
    "return.returned": "sent back",
    "return.approved": "approved",
    "return.approved_after_lock": "approved, after its period had closed,",
    "return.approval_withdrawn": "withdrew approval of",
    "return.reopened": "reopened",
    "return.locked": "locked",
    "comment.created": "commented on",
    "impact.return_figures_saved": "saved comparison figures in",
    "user.created": "created the account of",
    "user.updated": "changed the account of",
    "user.deactivated": "deactivated the account of",
    "user.reactivated": "reactivated the account of",
    "user.password_changed": "changed the password of",
    "user.password_reset_issued": "issued a password reset link for",
    "user.password_reset_used": "reset the password of",
    "user.password_reset_requested": "asked for a password reset link for",
    "user.invited": "emailed an invitation to",
    "user.email_choices_changed": "changed which emails are sent to",
    "user.two_factor_set_up": "set up two-factor sign-in for",
    "user.two_factor_reset": "reset two-factor sign-in for",
    "user.recovery_code_used": "used a recovery code to sign in to",
    "user.single_sign_on_linked": "linked single sign-on to",
    "user.signed_in_with_sso": "signed in through single sign-on to",
    "site.partner_added": "added a partner to",
    "site.partner_removed": "removed a partner from",
    "site.deactivated": "deactivated",
    "site.reactivated": "reactivated",
    "framework.imported": "imported",
    "framework.draft_replaced": "replaced the draft of",
    "framework.draft_deleted": "deleted the draft of",
    "framework.published": "published",
    "framework.retired": "retired",
    "framework.cross_site_sharing_changed": "changed cross-site sharing of",
    "reporting_period.created": "added",
    "reporting_period.closed": "closed",
    "release.publish": "published",
    "release.withdraw": "withdrew",
    "release.download": "downloaded",
    "site_data.download": "downloaded the data of",
    "api_token.created": "created",
    "api_token.revoked": "revoked",
    "impact.area_added": "added",
    "impact.area_removed": "removed",
    "impact.series_uploaded": "uploaded comparison series for",
    "impact.rating_recorded": "recorded",
    "membership.ended": "ended",
    "appraisal.deflators_uploaded": "uploaded",
    "appraisal.area_sizes_uploaded": "uploaded",
}
ITEM_VERBS = {"created": "added", "updated": "changed", "deleted": "deleted"}

FIELD_LABELS = {
    "completed_sections": "Sections completed",
    "status": "Status",
    "round": "Review round",
    "period": "Reporting period",
    "framework_version": "Framework version",
    "description": "Description",
    "amount": "Amount",
    "cost_type": "Type of cost",
    "funding": "Funding",
    "attributable_percent": "Share attributable to the pilot",
    "attribution_reason": "Why that share",
    "staff_time_quantity": "Staff time",
    "staff_time_unit": "Staff time in",
    "staff_rate": "Staff rate",
    "funder": "Funder",
    "category": "Cost category",
    "evidence": "Evidence",
    "evidence_level": "Strength of evidence",
    "indicator": "Impact measure",
    "indicator_code": "Impact measure",
    "value": "Figure",
    "not_available_reason": "Why there is no figure",
    "target": "Target",
    "data_source": "Data source",
    "quality_rating": "Quality of the data",
    "quality_reason": "Why that quality",
    "commentary": "Commentary",
    "range_justification": "Why it is outside the plausible range",
    "period_description": "Period it describes",
    "source": "Source",
    "file": "File",
    "content_type": "File type",
    "size_bytes": "Size",
    "sha256": "SHA-256 checksum",
    "body": "Comment",
    "item_type": "About",
    "journey_milestone": "Milestone reached",
    "journey_evidence": "Evidence of the milestone",
    "activity_type": "Type of activity",
    "themes": "Themes",
    "theme": "Theme",
    "partners": "Partners",
    "partner_types": "Kinds of partner",
    "people_reached": "People reached",
    "starts_on": "Started",
    "ends_on": "Ended",
    "learning_type": "Type of learning",
    "dimensions": "Dimensions",
    "what_happened": "What happened",
    "why_it_matters": "Why it matters",
    "national_implication": "What it means nationally",
    "cleared_for_national": "Cleared for national officials",
    "full_name": "Name",
    "email": "Email address",
    "role": "Role",
    "is_active": "Active",
    "area_code": "Area code",
    "area_name": "Area name",
    "observed": "Indicators observed there",
    "level": "Evidence level",
    "rationale": "Why that level",
    "filename": "File",
    "figures": "Figures",
    "replaced": "Figures replaced",
    "years": "Years",
    "areas": "Areas",
    "framework": "Framework",
    "reference": "Reference",
    "title": "Title",
    "name": "Name",
    "code": "Code",
    "periods": "Periods",
    "sites": "Sites",
    "threshold": "Counts below this are suppressed",
    "round_to": "Counts rounded to the nearest",
    "fingerprint": "Fingerprint of the content",
    "ended_at": "Ended",
    "started_at": "Started",
    "differences": "Differences from the version before",
    "compared_with_version": "Compared with version",
    "framework_fields_changed": "Details of the framework changed",
    "sections": "Sections",
    "added": "Added",
    "removed": "Removed",
    "changed": "Changed",
}
# Bookkeeping the reader does not need: ids are shown as links and names instead.
HIDDEN_FIELDS = frozenset({"id", "version", "import_reference", "item_id"})
MONEY_FIELDS = frozenset({"amount", "staff_rate"})
# Fields holding a member of a fixed list, with the lists it may come from (the first that knows it wins).
ENUM_FIELDS: dict[str, tuple[type[LabelledEnum], ...]] = {
    "status": (ReturnStatus, PeriodStatus, ProgrammeStatus),
    "cost_type": (CostType,),
    "funding": (Funding,),
    "staff_time_unit": (TimeUnit,),
    "quality_rating": (QualityRating,),
    "agreement_status": (AgreementStatus,),
    "impact_assessment_status": (AgreementStatus,),
    "learning_type": (LearningType,),
    "role": (Role, MembershipRole, AreaRole),
    "partner_types": (PartnerType,),
}


@dataclass(frozen=True)
class ShownChange:
    label: str
    # Empty when the record holds no value on that side; "none" is a value that was empty.
    before: str
    after: str
    in_before: bool
    in_after: bool


@dataclass(frozen=True)
class ShownRecord:
    record: AuditEvent
    who: str
    # "changed the cost", then the item's name, quoted when it has one.
    what: str
    item_name: str
    changes: list[ShownChange]
    # Where the item lives, for a link: its kind and id, and the return it belongs to (if any).
    item_type: str
    item_id: int | None
    return_id: int | None
    indicator_code: str | None


class AuditWording:
    """Words for the records on one page, with the names their codes and ids stand for."""

    def __init__(
        self,
        names: FrameworkNames,
        return_names: dict[int, str],
        comment_subjects: dict[int, tuple[str, int | None, int]],
        items: dict[tuple[str, int], ItemFacts],
        object_names: dict[tuple[str, int], str] | None = None,
    ) -> None:
        self.names = names
        self.return_names = return_names
        self.comment_subjects = comment_subjects
        self.items = items
        self.object_names = object_names or {}

    def shown(self, record: AuditEvent) -> ShownRecord:
        values = {**(record.before or {}), **(record.after or {})}
        item_type, item_id = record.object_type, record.object_id
        return_id = values.get("site_return_id")
        if record.object_type == "return":
            return_id = record.object_id
        if record.object_type == "comment" and record.object_id in self.comment_subjects:
            item_type, item_id, return_id = self.comment_subjects[record.object_id]
        if item_type == "return":
            item_id = return_id
        facts = self.items.get((item_type, item_id)) if item_id is not None else None
        if facts is not None:
            return_id = facts.return_id
            values = {"indicator": facts.indicator_code, **values} if facts.indicator_code else values
        kind = object_type_name(item_type)
        return ShownRecord(
            record=record,
            who=record.actor.full_name if record.actor else "The system",
            what=f"{self._verb(record)} the {kind}",
            item_name=facts.name if facts is not None else self._item_name(item_type, item_id, values),
            changes=self._changes(record, values, facts),
            item_type=item_type,
            item_id=item_id,
            return_id=return_id if isinstance(return_id, int) else None,
            indicator_code=values.get("indicator") if isinstance(values.get("indicator"), str) else None,
        )

    def _verb(self, record: AuditEvent) -> str:
        if record.action in ACTION_VERBS:
            return ACTION_VERBS[record.action]
        happened = record.action.rsplit(".", 1)[-1]
        return ITEM_VERBS.get(happened, happened.replace("_", " "))

    def _item_name(self, item_type: str, item_id: int | None, values: dict[str, Any]) -> str:
        if item_type in ("return", MILESTONE) and item_id is not None:
            return self.return_names.get(item_id, "")
        if item_type == "measure" and isinstance(values.get("indicator"), str):
            return self.names.by_field["indicator"].get(values["indicator"], values["indicator"])
        if item_id is not None and (item_type, item_id) in self.object_names:
            return self.object_names[(item_type, item_id)]
        names = ("title", "name", "area_name", "dataset", "file", "filename", "full_name", "description")
        for key in (*names, "code", "reference", "period"):
            if item_type != "comment" and isinstance(values.get(key), str) and values[key].strip():
                return str(values[key])[:120]
        return ""

    def _changes(
        self, record: AuditEvent, values: dict[str, Any], facts: ItemFacts | None
    ) -> list[ShownChange]:
        before, after = record.before or {}, record.after or {}
        if record.object_type == "comment":
            # The comment's subject is named in the sentence; its id and kind say nothing more.
            before, after = {}, {key: value for key, value in after.items() if key != "item_type"}
        if facts is not None and facts.indicator_code:
            values = {**values, "indicator": facts.indicator_code}
        # What an item was added with: the fields it was given, not every empty one.
        added = not before
        fields = [
            name
            for name in after
            if self._shown_field(name) and not (added and after[name] in (None, "", [], {}))
        ]
        fields += [name for name in before if name not in after and self._shown_field(name)]
        return [
            ShownChange(
                label=field_label(name),
                before=self.value_text(name, before.get(name), values) if name in before else "",
                after=self.value_text(name, after.get(name), values) if name in after else "",
                in_before=name in before,
                in_after=name in after,
            )
            for name in fields
        ]

    @staticmethod
    def _shown_field(name: str) -> bool:
        return name not in HIDDEN_FIELDS and not name.endswith("_id")

    def value_text(self, name: str, value: Any, values: dict[str, Any]) -> str:
        """A value as the pages show it; "none" when it was empty."""
        if value is None or value == "" or value == [] or value == {}:
            return "none"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if name == "item_type":
            return object_type_name(str(value))
        if name == "completed_sections":
            return listed([_label((ReturnSection,), code) for code in value])
        if name in ENUM_FIELDS:
            codes = value if isinstance(value, list) else [value]
            return listed([_label(ENUM_FIELDS[name], str(code)) for code in codes])
        if name in self.names.by_field:
            known = self.names.by_field[name]
            codes = value if isinstance(value, list) else [value]
            return listed([known.get(str(code), str(code)) for code in codes])
        if name in ("value", "target") and isinstance(values.get("indicator"), str):
            indicator = self.names.indicators.get(values["indicator"])
            figure = _decimal(value)
            if indicator is not None and figure is not None:
                return format_value(indicator, figure)
        if name in MONEY_FIELDS and _decimal(value) is not None:
            return money(_decimal(value))
        if name.endswith("_percent") and _decimal(value) is not None:
            return f"{_plain(_decimal(value))}%"
        if name == "size_bytes" and isinstance(value, int):
            return _file_size(value)
        if isinstance(value, list):
            return listed([str(part) for part in value])
        if isinstance(value, dict):
            # Keyed by indicator code (the indicators observed in an area) or by field (the differences
            # of a framework version): each key named, each part in words.
            indicator_names = self.names.by_field["indicator"]
            return (
                "; ".join(
                    f"{indicator_names.get(str(key)) or field_label(str(key))}: "
                    f"{self.value_text(str(key), part, values)}"
                    for key, part in value.items()
                    if part not in (None, "", [], {})
                )
                or "none"
            )
        if isinstance(value, str):
            as_date = _iso_date(value)
            if as_date is not None:
                return date_uk(as_date)
            as_moment = _iso_datetime(value)
            if as_moment is not None:
                return datetime_uk(as_moment)
            figure = _decimal(value) if any(ch.isdigit() for ch in value) else None
            if figure is not None and value.strip().lstrip("-").replace(".", "", 1).isdigit():
                return _plain(figure)
            return value
        if isinstance(value, int | float):
            return _plain(Decimal(str(value)))
        return str(value)


def action_label(action: str) -> str:
    """An action as the filter lists it: "Cost: changed", "Return: submitted"."""
    kind, _, happened = action.partition(".")
    verb = ACTION_VERBS.get(action) or ITEM_VERBS.get(happened, happened.replace("_", " "))
    return f"{object_type_name(kind).capitalize()}: {verb.rstrip(',')}"


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _label(enums: tuple[type[LabelledEnum], ...], code: str) -> str:
    for enum in enums:
        try:
            return enum(code).label
        except ValueError:
            continue
    return code.replace("_", " ")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _plain(figure: Decimal | None) -> str:
    """A figure without the trailing zeros of its stored scale: "1.4000" reads "1.4", "1250" "1,250"."""
    if figure is None:
        return ""
    normal = figure.normalize()
    if normal == normal.to_integral():
        return f"{int(normal):,}"
    return f"{normal:,f}"


def _file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _iso_date(text: str) -> date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _iso_datetime(text: str) -> datetime | None:
    """A moment stored as ISO 8601 with its offset ("2026-12-06T17:38:00+00:00"), else None."""
    if len(text) < 19 or text[10] != "T":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
