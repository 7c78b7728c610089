"""Comparison figures in a return: where the framework asks for them, the lead gives the quarter's figure
of each comparison indicator for the site's own area and its comparison areas (part of the impact
measures section)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import SiteReturn
from evidence_hub.return_pages import READERS, editable_return, refused, return_context, visible_return
from evidence_hub.returns.comparison_forms import ComparisonFiguresForm
from evidence_hub.returns.views import returns
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.comparison_figures import (
    EXTRACTED_FIELD,
    SOURCE_FIELD,
    ReturnComparisons,
    comparison_figures,
    save_comparison_figures,
)
from evidence_hub.services.returns.editing import lead_may_edit
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.web import acting_user, db_session


@returns.app_template_global()
def comparisons_of_return(site_return: SiteReturn) -> ReturnComparisons | None:
    """The comparison figures the return asks for (None when it asks for none), for the section pages."""
    return comparison_figures(db_session(), site_return)


def _asked(site_return: SiteReturn) -> ReturnComparisons:
    asked = comparisons_of_return(site_return)
    if asked is None:
        raise NotVisible(f"Return {site_return.id} asks for no comparison figures")
    return asked


def _page(
    site_return: SiteReturn,
    asked: ReturnComparisons,
    form: ComparisonFiguresForm | None,
    typed: dict[str, str],
    problems: dict[str, str],
    conflict: StaleEdit | None = None,
) -> str:
    return render_template(
        "returns/measures/comparisons.html",
        **return_context(
            site_return,
            asked=asked,
            comparison_form=form,
            typed=typed,
            problems=problems,
            conflict=conflict,
            field_labels={row.field_name: f"{row.area_name}, {row.indicator_name}" for row in asked.rows},
        ),
        title="Comparison figures",
    )


@returns.route("/<int:return_id>/comparison-figures")
@roles(*READERS)
def comparison_figures_page(return_id: int) -> str:
    """The quarter's figures of the comparison indicators for the site's areas, as held."""
    site_return = visible_return(return_id)
    asked = _asked(site_return)
    form = None
    if lead_may_edit(acting_user(), site_return):
        form = ComparisonFiguresForm(data={"opened_with": asked.fingerprint})
        held_sources = {row.held.source for row in asked.rows if row.held is not None}
        if len(held_sources) == 1:
            form.source.data = held_sources.pop()
    typed = {row.field_name: row.held_text for row in asked.rows}
    return _page(site_return, asked, form, typed, {})


@returns.route("/<int:return_id>/comparison-figures", methods=["POST"])
@roles(Role.SITE_LEAD)
def comparison_figures_save(return_id: int) -> str | Response:
    """Save every figure, or none."""
    session = db_session()
    site_return = editable_return(return_id)
    asked = _asked(site_return)
    form = ComparisonFiguresForm()
    typed = form.typed(request.form, asked)
    problems: dict[str, str] = {}
    conflict = None
    if form.validate_on_submit():
        try:
            with transaction(session):
                changed = save_comparison_figures(
                    session,
                    acting_user(),
                    site_return,
                    typed,
                    form.source.data or "",
                    form.extracted_on.data,
                    form.opened_with.data or "",
                )
        except InvalidEvidence as invalid:
            problems = invalid.problems
        except StaleEdit as stale:
            conflict = stale
            asked = _asked(site_return)
            form.opened_with.data = asked.fingerprint
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(
                f"{changed} comparison {'figure' if changed == 1 else 'figures'} saved for {asked.quarter}."
                if changed
                else "Nothing had changed, so nothing was saved.",
                "success",
            )
            return redirect(url_for("returns.measures", return_id=return_id))
    for name in (SOURCE_FIELD, EXTRACTED_FIELD):
        if name in problems and not form[name].errors:
            form[name].errors = [problems.pop(name)]
    return _page(site_return, asked, form, typed, problems, conflict)
