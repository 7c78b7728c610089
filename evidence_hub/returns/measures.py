"""Impact measures: every indicator of the return's framework version with this period's answer, one page
per indicator with the framework's guidance beside the fields, and the site's baseline for each."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.framework import Indicator
from evidence_hub.models.returns import MeasureValue, QualityRating, SiteReturn
from evidence_hub.return_pages import (
    READERS,
    editable_return,
    refused,
    return_context,
    visible_return,
)
from evidence_hub.returns.forms import DeleteItemForm
from evidence_hub.returns.measure_forms import BaselineForm, MeasureForm, ThemeMeasuresForm
from evidence_hub.returns.views import returns
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.framework.wording import range_text
from evidence_hub.services.returns import measures as measures_service
from evidence_hub.services.returns.editing import lead_may_edit
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.measure_checks import (
    BASELINE_FIELD_LABELS,
    MEASURE_FIELD_LABELS,
    measure_in_words,
    shown_value,
)
from evidence_hub.services.returns.measures import InvalidMeasures, ThemeMeasures, stored_values
from evidence_hub.web import acting_user, db_session


@returns.app_template_global()
def measures_of_return(site_return: SiteReturn) -> list[ThemeMeasures]:
    """The indicators of a return grouped by theme, with answers and baselines (for section and summary)."""
    return measures_service.measures_by_theme(db_session(), acting_user(), site_return)


@returns.app_template_global()
def measure_value_text(indicator: Indicator, value: Any) -> str:
    """A figure in its indicator's unit, as people read it ("Yes", "£1,200.00", "45.5%")."""
    return shown_value(indicator, value)


@returns.app_template_global()
def indicator_range_text(indicator: Indicator) -> str:
    """An indicator's plausible range in words, such as "0 to 5,000"."""
    return range_text(indicator)


@returns.app_template_global()
def measure_quality_label(rating: str | None) -> str:
    """A quality rating's name ("Good", "Adequate", "Poor")."""
    return QualityRating(rating).label.split(":")[0] if rating else ""


def _indicators_in_order(site_return: SiteReturn) -> list[Indicator]:
    """The order of the measures page: theme by theme."""
    return [indicator for theme in site_return.framework_version.themes for indicator in theme.indicators]


def _next_indicator(site_return: SiteReturn, indicator: Indicator) -> Indicator | None:
    ordered = _indicators_in_order(site_return)
    position = next(index for index, candidate in enumerate(ordered) if candidate.id == indicator.id)
    return ordered[position + 1] if position + 1 < len(ordered) else None


# ---------------------------------------------------------------------------------------------------------
# The section page


@returns.route("/<int:return_id>/measures")
@roles(*READERS)
def measures(return_id: int) -> str:
    """Every indicator of the framework, theme by theme, with this period's answer and the baseline."""
    site_return = visible_return(return_id)
    return render_template(
        "returns/measures/index.html",
        **return_context(site_return, groups=measures_of_return(site_return)),
        title="Impact measures",
    )


# ---------------------------------------------------------------------------------------------------------
# Every indicator of a theme in one table


@returns.route("/<int:return_id>/measures/themes/<theme_code>", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def theme_measures(return_id: int, theme_code: str) -> str | Response:
    """Every indicator of one theme in one table: all the answers are saved, or none (each problem is
    shown beside its field). One indicator's own page stays for the detail."""
    session = db_session()
    site_return = editable_return(return_id)
    group = next((group for group in measures_of_return(site_return) if group.theme.code == theme_code), None)
    if group is None:
        raise NotVisible(f"No theme {theme_code} in return {return_id}")
    form = ThemeMeasuresForm()
    rows = {row.indicator.code: ThemeMeasuresForm.initial(row.indicator, row.measure) for row in group.rows}
    problems: dict[str, dict[str, str]] = {}
    if form.validate_on_submit():
        rows = {row.indicator.code: form.typed(request.form, row.indicator) for row in group.rows}
        answers = {}
        for row in group.rows:
            answer = ThemeMeasuresForm.to_input(rows[row.indicator.code], row.measure)
            if answer is not None:
                answers[row.indicator.code] = answer
        try:
            with transaction(session):
                saved = measures_service.save_measures(session, acting_user(), site_return, answers)
        except InvalidMeasures as invalid:
            problems = invalid.problems
        except StaleEdit:
            flash(
                "Somebody saved an answer in this theme after you opened the page, so nothing was saved. "
                "Here are the answers as they are now.",
                "information",
            )
            return redirect(url_for("returns.theme_measures", return_id=return_id, theme_code=theme_code))
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(
                f"{len(saved)} {'answer' if len(saved) == 1 else 'answers'} saved for {group.theme.title}.",
                "success",
            )
            return redirect(url_for("returns.measures", return_id=return_id))
    return render_template(
        "returns/measures/theme.html",
        **return_context(
            site_return,
            group=group,
            rows=rows,
            problems=problems,
            theme_form=form,
            levels={
                row.indicator.code: measures_service.evidence_levels_for(row.indicator) for row in group.rows
            },
            qualities=[(rating.value, rating.label.split(":")[0]) for rating in QualityRating],
        ),
        title=f"Impact measures: {group.theme.title}",
    )


# ---------------------------------------------------------------------------------------------------------
# One indicator


def _measure_page(
    site_return: SiteReturn,
    indicator: Indicator,
    form: MeasureForm | None,
    measure: MeasureValue | None,
    conflict: StaleEdit | None = None,
) -> str:
    baseline = measures_service.baseline_of(db_session(), acting_user(), site_return.site_id, indicator.code)
    ordered = _indicators_in_order(site_return)
    return render_template(
        "returns/measures/measure.html",
        **return_context(
            site_return,
            indicator=indicator,
            measure=measure,
            baseline=baseline,
            form=form,
            levels=measures_service.evidence_levels_for(indicator),
            below_minimum=measures_service.below_minimum_evidence(indicator, measure),
            required=measures_service.is_required_every_period(indicator),
            position=next(index for index, candidate in enumerate(ordered) if candidate.id == indicator.id)
            + 1,
            indicator_count=len(ordered),
            conflict=conflict,
            field_labels=MEASURE_FIELD_LABELS,
        ),
        title=indicator.name,
    )


@returns.route("/<int:return_id>/measures/<indicator_code>")
@roles(*READERS)
def measure(return_id: int, indicator_code: str) -> str:
    """One indicator: its guidance, the site's baseline, and this period's answer (a form for the lead)."""
    site_return = visible_return(return_id)
    indicator = measures_service.indicator_in(site_return, indicator_code)
    existing = measures_service.measure_of(db_session(), site_return, indicator)
    form = None
    if lead_may_edit(acting_user(), site_return):
        initial = MeasureForm.initial(indicator, existing)
        form = MeasureForm.for_indicator(site_return, indicator, data=initial)
    return _measure_page(site_return, indicator, form, existing)


@returns.route("/<int:return_id>/measures/<indicator_code>", methods=["POST"])
@roles(Role.SITE_LEAD)
def measure_save(return_id: int, indicator_code: str) -> str | Response:
    """Save this period's answer for one indicator, then go on to the next indicator."""
    session = db_session()
    site_return = editable_return(return_id)
    indicator = measures_service.indicator_in(site_return, indicator_code)
    form = MeasureForm.for_indicator(site_return, indicator)
    conflict = None
    if form.validate_on_submit():
        try:
            with transaction(session):
                measures_service.save_measure(
                    session,
                    acting_user(),
                    site_return,
                    indicator.code,
                    form.to_input(),
                    form.submitted_version,
                )
        except InvalidEvidence as invalid:
            form.show_problems(invalid.problems)
        except StaleEdit as stale:
            conflict = stale
            form.version.data = str(stale.item.version)
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(f"Your answer for '{indicator.name}' has been saved.", "success")
            following = _next_indicator(site_return, indicator)
            if following is None:
                return redirect(url_for("returns.measures", return_id=return_id))
            return redirect(url_for("returns.measure", return_id=return_id, indicator_code=following.code))
    return _measure_page(
        site_return, indicator, form, measures_service.measure_of(session, site_return, indicator), conflict
    )


@returns.route("/<int:return_id>/measures/<indicator_code>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def measure_delete(return_id: int, indicator_code: str) -> str | Response:
    """Ask to confirm, then remove this period's answer for one indicator."""
    session = db_session()
    site_return = editable_return(return_id)
    indicator = measures_service.indicator_in(site_return, indicator_code)
    existing = measures_service.measure_of(session, site_return, indicator)
    if existing is None:
        raise NotVisible(f"No answer for {indicator.code} in return {return_id}")
    form = DeleteItemForm.opened_at(existing) if request.method == "GET" else DeleteItemForm()
    changed_meanwhile = False
    if form.validate_on_submit():
        try:
            with transaction(session):
                measures_service.delete_measure(
                    session, acting_user(), site_return, indicator.code, form.submitted_version
                )
        except StaleEdit:
            changed_meanwhile = True
            form.version.data = str(existing.version)
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(f"The answer for '{indicator.name}' has been removed.", "success")
            return redirect(url_for("returns.measures", return_id=return_id))
    back_url = url_for("returns.measure", return_id=return_id, indicator_code=indicator.code)
    return render_template(
        "returns/item_delete.html",
        **return_context(
            site_return,
            form=form,
            noun="answer",
            described=measure_in_words(indicator, stored_values(existing)),
            field_labels=MEASURE_FIELD_LABELS,
            changed_meanwhile=changed_meanwhile,
            warning=f"The answer for {indicator.name} is removed from the return, which then counts it as "
            "not started. The audit log keeps a record of it.",
            back_url=back_url,
            back_text=f"Back to {indicator.name}",
        ),
        title="Are you sure you want to delete this answer?",
    )


# ---------------------------------------------------------------------------------------------------------
# Baselines


def _baseline_page(
    site_return: SiteReturn,
    indicator: Indicator,
    form: BaselineForm | None,
    conflict: StaleEdit | None = None,
) -> str:
    baseline = measures_service.baseline_of(db_session(), acting_user(), site_return.site_id, indicator.code)
    return render_template(
        "returns/measures/baseline.html",
        **return_context(
            site_return,
            indicator=indicator,
            baseline=baseline,
            form=form,
            conflict=conflict,
            field_labels=BASELINE_FIELD_LABELS,
        ),
        title=f"Baseline for {indicator.name}",
    )


@returns.route("/<int:return_id>/baselines/<indicator_code>")
@roles(*READERS)
def baseline(return_id: int, indicator_code: str) -> str:
    """The site's baseline for one indicator (a form for the lead: set once, changed only with a reason)."""
    site_return = visible_return(return_id)
    indicator = measures_service.indicator_in(site_return, indicator_code)
    existing = measures_service.baseline_of(db_session(), acting_user(), site_return.site_id, indicator.code)
    form = None
    if lead_may_edit(acting_user(), site_return):
        initial = BaselineForm.initial(indicator, existing)
        form = BaselineForm.for_indicator(site_return, indicator, data=initial)
    return _baseline_page(site_return, indicator, form)


@returns.route("/<int:return_id>/baselines/<indicator_code>", methods=["POST"])
@roles(Role.SITE_LEAD)
def baseline_save(return_id: int, indicator_code: str) -> str | Response:
    """Set or change the site's baseline for one indicator."""
    session = db_session()
    site_return = editable_return(return_id)
    indicator = measures_service.indicator_in(site_return, indicator_code)
    form = BaselineForm.for_indicator(site_return, indicator)
    conflict = None
    if form.validate_on_submit():
        try:
            with transaction(session):
                measures_service.set_baseline(
                    session,
                    acting_user(),
                    site_return.site_id,
                    indicator.code,
                    form.to_input(),
                    form.reason.data or "",
                    submitted_version=form.submitted_version,
                    framework_version=site_return.framework_version,
                )
        except InvalidEvidence as invalid:
            form.show_problems(invalid.problems)
        except StaleEdit as stale:
            conflict = stale
            form.version.data = str(stale.item.version)
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(f"Your site's baseline for '{indicator.name}' has been saved.", "success")
            return redirect(url_for("returns.measure", return_id=return_id, indicator_code=indicator.code))
    return _baseline_page(site_return, indicator, form, conflict)
