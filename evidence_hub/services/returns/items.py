"""The one service for the items a return's sections list: costs, savings, activities, learning entries
and the site's data flows.

Every kind is found, added, changed and deleted the same way, under the same rules:
- only the site's own lead changes evidence, and only while the return can change (editing.py), checked
  against the return as it is when the write happens;
- every field is checked by the kind's rules at once, and `InvalidEvidence` names each field that is wrong
  (nothing is saved), whether the input came from a web form or a spreadsheet row;
- saving over a version newer than the one the user started from is refused with both versions in words
  (`StaleEdit`), compared under the write lock;
- every change writes an audit record in the same transaction, its "before" read under that lock.

A kind says only what is its own: its model, its fields and rules (`check`), how a checked input is
written to a row (`write`) and read back (`checked_of`), and how it reads in words (`describe`) and in the
audit log (`audit_values`). Impact measures, the milestone and documents differ in kind (one answer per
indicator, one per return, a file) and keep services of their own built on evidence_rows.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.models.returns import ReturnSection, SiteReturn
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.values import snapshot
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.errors import InvalidEvidence
from evidence_hub.services.returns.evidence_rows import (
    check_version,
    read_for_writing,
    record_created,
    record_deleted,
    record_updated,
    visible_item,
)

ItemT = TypeVar("ItemT")
InputT = TypeVar("InputT")
CheckedT = TypeVar("CheckedT")

# The references a spreadsheet row carries (models/returns.py column size).
MAX_IMPORT_REFERENCE = 60


class EvidenceItems(ABC, Generic[ItemT, InputT, CheckedT]):
    """One kind of listed item: subclasses give the model and the rules; this class does the rest.

    `InputT` is the item as entered (a form or a spreadsheet row, as plain values); `CheckedT` is the item
    once every rule has passed, ready to be written.
    """

    model: ClassVar[type[Any]]
    # What the item is called in messages and headings ("cost", "learning entry").
    noun: ClassVar[str]
    section: ClassVar[ReturnSection]
    # Each field of `describe`, by name, with the label a page shows beside it.
    field_labels: ClassVar[dict[str, str]]
    # The return's relationship that lists this kind, refreshed after an item is added or deleted.
    collection: ClassVar[str | None] = None
    # How the references this kind makes for items added through a form begin ("C" gives C-1, C-2, ...);
    # None for a kind that spreadsheets do not carry.
    reference_prefix: ClassVar[str | None] = None

    @abstractmethod
    def check(self, site_return: SiteReturn, data: InputT) -> tuple[dict[str, str], CheckedT | None]:
        """Every problem with the input, by field name, and the checked item when there are none."""

    @abstractmethod
    def write(self, item: ItemT, checked: CheckedT) -> None:
        """Copy a checked item onto its row."""

    @abstractmethod
    def checked_of(self, item: ItemT) -> CheckedT:
        """A saved row as a checked item, to describe it beside a newer version."""

    @abstractmethod
    def describe(self, checked: CheckedT) -> dict[str, str]:
        """The item in words, field by field, keyed as `field_labels`."""

    @abstractmethod
    def summary(self, item: ItemT) -> str:
        """A few words that pick the item out in a message ("Staff, £4,000.00")."""

    def audit_values(self, item: ItemT) -> dict[str, Any]:
        """The row as the audit log and the return's snapshots record it."""
        return snapshot(item)

    def new_item(self, site_return: SiteReturn, reference: str | None) -> ItemT:
        return self.model(
            site_return_id=site_return.id, site_id=site_return.site_id, import_reference=reference
        )

    def belongs_to(self, item: ItemT, site_return: SiteReturn) -> bool:
        return item.site_return_id == site_return.id  # type: ignore[attr-defined]

    def after_change(self, item: ItemT, before: dict[str, Any], after: dict[str, Any]) -> None:
        """What a kind does when a change it cares about is made (nothing, unless it says otherwise)."""

    # --- The service -------------------------------------------------------------------------------------

    def problems(self, site_return: SiteReturn, data: InputT) -> dict[str, str]:
        """Everything wrong with this input, field by field (empty when it can be saved)."""
        return self.check(site_return, data)[0]

    def described(self, item: ItemT) -> dict[str, str]:
        """A saved item in words, field by field."""
        return self.describe(self.checked_of(item))

    def find(self, session: Session, user: User, site_return: SiteReturn, item_id: int) -> ItemT:
        """The return's item with this id, if the user may see it; NotVisible (404) otherwise."""
        item = visible_item(session, user, self.model, item_id)
        if not self.belongs_to(item, site_return):
            raise NotVisible(f"No {self.noun} {item_id} in return {site_return.id}")
        return item

    def add(
        self,
        session: Session,
        user: User,
        site_return: SiteReturn,
        data: InputT,
        reference: str | None = None,
    ) -> ItemT:
        """Add an item to the return, audited; InvalidEvidence (nothing saved) when any field is wrong."""
        read_for_writing(session, site_return)
        require_lead_can_edit(user, site_return)
        checked = self._checked(site_return, data)
        if reference is not None and len(reference) > MAX_IMPORT_REFERENCE:
            raise InvalidEvidence(
                {"import_reference": f"Reference must be {MAX_IMPORT_REFERENCE} characters or fewer"}
            )
        if reference is None and self.reference_prefix is not None:
            reference = self._new_reference(session, site_return)
        item = self.new_item(site_return, reference)
        self.write(item, checked)
        session.add(item)
        session.flush()
        record_created(session, user, item, after=self.audit_values(item))
        self._refresh_list(session, site_return)
        return item

    def update(
        self,
        session: Session,
        user: User,
        site_return: SiteReturn,
        item: ItemT,
        data: InputT,
        submitted_version: int | None,
    ) -> bool:
        """Change an item, audited; True if anything changed. StaleEdit when somebody saved it meanwhile;
        `submitted_version` None (a spreadsheet row, matched by its reference) compares nothing."""
        read_for_writing(session, site_return, item)
        self._require_in_editable_return(user, site_return, item)
        checked = self._checked(site_return, data)
        check_version(item, submitted_version, self.describe(checked), self.described(item))
        before = self.audit_values(item)
        self.write(item, checked)
        session.flush()
        after = self.audit_values(item)
        self.after_change(item, before, after)
        return record_updated(session, user, item, before, self.audit_values(item))

    def delete(
        self,
        session: Session,
        user: User,
        site_return: SiteReturn,
        item: ItemT,
        submitted_version: int | None,
    ) -> None:
        """Delete an item, audited with all it held; StaleEdit when it changed after the user looked."""
        read_for_writing(session, site_return, item)
        self._require_in_editable_return(user, site_return, item)
        check_version(item, submitted_version, {}, self.described(item))
        record_deleted(session, user, item, before=self.audit_values(item))
        session.delete(item)
        session.flush()
        self._refresh_list(session, site_return)

    def _new_reference(self, session: Session, site_return: SiteReturn) -> str:
        """The first free reference of this kind in the return: its number follows the items already there,
        and never repeats one a spreadsheet gave (the return is locked for writing, so none is taken
        meanwhile)."""
        model = self.model
        taken = set(
            session.scalars(select(model.import_reference).where(model.site_return_id == site_return.id))
        )
        number = len(taken) + 1
        while f"{self.reference_prefix}-{number}" in taken:
            number += 1
        return f"{self.reference_prefix}-{number}"

    def _checked(self, site_return: SiteReturn, data: InputT) -> CheckedT:
        problems, checked = self.check(site_return, data)
        if problems or checked is None:
            raise InvalidEvidence(problems)
        return checked

    def _require_in_editable_return(self, user: User, site_return: SiteReturn, item: ItemT) -> None:
        require_lead_can_edit(user, site_return)
        if not self.belongs_to(item, site_return):
            raise NotVisible(f"No {self.noun} in return {site_return.id}")

    def _refresh_list(self, session: Session, site_return: SiteReturn) -> None:
        if self.collection is not None:
            session.expire(site_return, [self.collection])
