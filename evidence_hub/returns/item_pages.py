"""The pages that add, change and delete the items a section lists (costs, savings, activities, learning
entries, data flows), one behaviour for every kind.

- Adding or changing: the form shows every problem at once beside its field (the form's own and the
  service's); if somebody saved the item after the form was opened, the page shows both versions and
  overwrites nothing; a return that can no longer change sends the lead back to the task list saying why.
- Deleting: a confirmation page that shows the item in words; if the item changed after the page was
  opened, nothing is deleted and the page shows it as it is now, with an error summary.

Each section registers its kinds with `register_item_pages`, giving only what differs: the service, the
form, the form's template and the words of its headings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import SiteReturn
from evidence_hub.return_pages import editable_return, refused, return_context
from evidence_hub.returns.forms import DeleteItemForm, ItemForm
from evidence_hub.returns.views import returns
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.items import EvidenceItems
from evidence_hub.web import acting_user, db_session


class ItemFormType(Protocol):
    """A section's item form class: an ItemForm that can be filled from a saved item and read as input."""

    def __call__(self, *, data: dict[str, Any] | None = None) -> ItemForm: ...

    @staticmethod
    def initial(item: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ItemPages:
    """How one kind of item appears in its section."""

    items: EvidenceItems[Any, Any, Any]
    form_class: ItemFormType
    # The form page's template (it extends returns/item_form.html).
    form_template: str
    # Endpoint names are "<name>_new", "<name>_edit" and "<name>_delete"; item anchors "<anchor>-<id>".
    name: str
    anchor: str
    # The address under the return: /returns/<id>/<path>/new, .../<path>/<item id>/edit.
    path: str
    # The section page the item is listed on, and the words of the link back to it.
    section_endpoint: str
    back_text: str
    add_heading: str
    change_heading: str
    # What deleting it does, in a sentence for the confirmation page.
    delete_warning: str
    # Where a section listing its items a page at a time shows one: (return, item id or None) -> address.
    section_url_for: Callable[[SiteReturn, int | None], str] | None = None

    def section_url(self, site_return: SiteReturn, item_id: int | None = None) -> str:
        if self.section_url_for is not None:
            return self.section_url_for(site_return, item_id)
        anchor = f"{self.anchor}-{item_id}" if item_id is not None else None
        return url_for(self.section_endpoint, return_id=site_return.id, _anchor=anchor)

    def message(self, verb: str, item: Any) -> str:
        return f"{self.items.noun.capitalize()} {verb}: {self.items.summary(item)}."


def register_item_pages(pages: ItemPages) -> None:
    """Add the new, change and delete pages of one kind of item to the returns blueprint."""

    def new(return_id: int) -> str | Response:
        return _new(pages, return_id)

    def edit(return_id: int, item_id: int) -> str | Response:
        return _edit(pages, return_id, item_id)

    def delete(return_id: int, item_id: int) -> str | Response:
        return _delete(pages, return_id, item_id)

    noun = pages.items.noun
    new.__doc__ = f"Add a {noun} to the return."
    edit.__doc__ = f"Change a {noun}; if somebody saved it meanwhile, show both versions, overwrite nothing."
    delete.__doc__ = f"Ask to confirm, then delete a {noun}."
    lead_only = roles(Role.SITE_LEAD)
    for view, rule in (
        (new, f"/<int:return_id>/{pages.path}/new"),
        (edit, f"/<int:return_id>/{pages.path}/<int:item_id>/edit"),
        (delete, f"/<int:return_id>/{pages.path}/<int:item_id>/delete"),
    ):
        returns.add_url_rule(
            rule, endpoint=f"{pages.name}_{view.__name__}", view_func=lead_only(view), methods=["GET", "POST"]
        )


def _new(pages: ItemPages, return_id: int) -> str | Response:
    session, user = db_session(), acting_user()
    site_return = editable_return(return_id)
    form = pages.form_class()
    form.configure(site_return)
    if form.is_submitted():
        data = form.to_input()
        if form.validate():
            try:
                with transaction(session):
                    item = pages.items.add(session, user, site_return, data)
            except InvalidEvidence as invalid:
                form.show_problems(invalid.problems)
            except ReturnError as error:
                return refused(error, site_return)
            else:
                flash(pages.message("added", item), "success")
                return redirect(pages.section_url(site_return, item.id))
        else:
            form.show_problems(pages.items.problems(site_return, data))
    return _form_page(pages, site_return, form, pages.add_heading)


def _edit(pages: ItemPages, return_id: int, item_id: int) -> str | Response:
    session, user = db_session(), acting_user()
    site_return = editable_return(return_id)
    item = pages.items.find(session, user, site_return, item_id)
    form = pages.form_class(data=pages.form_class.initial(item) if request.method == "GET" else None)
    form.configure(site_return)
    conflict = None
    if form.is_submitted():
        data = form.to_input()
        if form.validate():
            try:
                with transaction(session):
                    changed = pages.items.update(
                        session, user, site_return, item, data, form.submitted_version
                    )
            except InvalidEvidence as invalid:
                form.show_problems(invalid.problems)
            except StaleEdit as stale:
                conflict = stale
                form.version.data = str(item.version)
            except ReturnError as error:
                return refused(error, site_return)
            else:
                unchanged = f"No changes were made to the {pages.items.noun}."
                flash(pages.message("changed", item) if changed else unchanged, "success")
                return redirect(pages.section_url(site_return, item.id))
        else:
            form.show_problems(pages.items.problems(site_return, data))
    return _form_page(pages, site_return, form, pages.change_heading, item=item, conflict=conflict)


def _delete(pages: ItemPages, return_id: int, item_id: int) -> str | Response:
    session, user = db_session(), acting_user()
    site_return = editable_return(return_id)
    item = pages.items.find(session, user, site_return, item_id)
    form = DeleteItemForm.opened_at(item) if request.method == "GET" else DeleteItemForm()
    changed_meanwhile = False
    if form.validate_on_submit():
        message = pages.message("deleted", item)
        try:
            with transaction(session):
                pages.items.delete(session, user, site_return, item, form.submitted_version)
        except StaleEdit:
            changed_meanwhile = True
            form.version.data = str(item.version)
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(message, "success")
            return redirect(pages.section_url(site_return))
    noun = pages.items.noun
    return render_template(
        "returns/item_delete.html",
        **return_context(
            site_return,
            form=form,
            noun=noun,
            item=item,
            described=pages.items.described(item),
            field_labels=pages.items.field_labels,
            changed_meanwhile=changed_meanwhile,
            warning=pages.delete_warning,
            back_url=pages.section_url(site_return),
            back_text=pages.back_text,
        ),
        title=f"Are you sure you want to delete this {noun}?",
    )


def _form_page(pages: ItemPages, site_return: SiteReturn, form: ItemForm, heading: str, **extra: Any) -> str:
    return render_template(
        pages.form_template,
        **return_context(
            site_return,
            form=form,
            heading=heading,
            field_labels=pages.items.field_labels,
            back_url=pages.section_url(site_return),
            back_text=pages.back_text,
            **extra,
        ),
        title=heading,
    )
