"""The dashboard pages and the CSV download under every chart.

Filters live in the address (framework, version, period_from, period_to, site, theme, state) so a view can
be bookmarked and shared; each view adds its own choice (indicator, outcome, type). Site leads see their
own site, and other sites' approved figures only where cross-site sharing is on; national officials
receive released outputs instead and are refused here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for

from evidence_hub.dashboard.charts import figure_json
from evidence_hub.dashboard.forms import DashboardFilterForm
from evidence_hub.dashboard.panels.completeness import completeness_view
from evidence_hub.dashboard.panels.costs import costs_view
from evidence_hub.dashboard.panels.impact import impact_view
from evidence_hub.dashboard.panels.journey import journey_view
from evidence_hub.dashboard.panels.learning import learning_view
from evidence_hub.dashboard.panels.outcomes import outcomes_view
from evidence_hub.dashboard.panels.panel import Links, ViewContent
from evidence_hub.dashboard.panels.site_profile import site_profile_view
from evidence_hub.dashboard.panels.value_for_money import value_for_money_view
from evidence_hub.dashboard.tables import csv_text
from evidence_hub.guards import roles
from evidence_hub.models import Role, Site
from evidence_hub.models.framework import LearningType
from evidence_hub.services.appraisal.export import glossary_data
from evidence_hub.services.common.access import led_sites
from evidence_hub.services.dashboards import learning
from evidence_hub.services.dashboards.scope import (
    DashboardUnavailable,
    FilterOptions,
    NothingToCompareYet,
    Scope,
    filter_options,
    resolve_scope,
    scope_for_site,
)
from evidence_hub.web import acting_user, chosen_programme_id, db_session, pagination

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard")

DASHBOARD_USERS = (Role.EVALUATOR, Role.ADMINISTRATOR, Role.SITE_LEAD)
# The most learning entries one page lists; narrower filters show the rest.
ENTRIES_SHOWN = 500
FILTER_NAMES = ("framework", "version", "period_from", "period_to", "site", "theme", "state")


class View:
    """One dashboard view: its address, heading and how it builds its panels."""

    def __init__(
        self,
        slug: str,
        title: str,
        summary: str,
        build: Callable[[Any, Scope, Links], ViewContent],
        choice: str | None = None,
        template: str = "dashboard/view.html",
    ) -> None:
        self.slug = slug
        self.title = title
        self.summary = summary
        self.build = build
        # The view's own query parameter (an indicator, an outcome, a learning type), kept in links.
        self.choice = choice
        self.template = template


def _learning_type(raw: str | None) -> LearningType | None:
    try:
        return LearningType(raw) if raw else None
    except ValueError:
        abort(404)


VIEWS = {
    view.slug: view
    for view in (
        View(
            "costs",
            "Costs",
            "What each site's pilot cost: by category, set-up and running, cash and in kind, over time.",
            costs_view,
        ),
        View(
            "outcomes",
            "Outcomes",
            "Each indicator's values over time, change from baseline and progress to target.",
            lambda session, scope, links: outcomes_view(session, scope, links, request.args.get("indicator")),
            choice="indicator",
        ),
        View(
            "value-for-money",
            "Value for money",
            "Green Book value for money: net present value, benefit–cost ratio, return on investment, "
            "unit costs and payback, with their workings, parameters, switching values and range.",
            value_for_money_view,
        ),
        View(
            "completeness",
            "Completeness",
            "Which returns are in, in what state, and how much of what is required they report.",
            completeness_view,
        ),
        View(
            "learning",
            "Learning",
            "Barriers, enablers and lessons by theme, dimension and site.",
            lambda session, scope, links: learning_view(
                session, scope, links, _learning_type(request.args.get("type"))
            ),
            choice="type",
        ),
        View(
            "journey",
            "Data-sharing journey",
            "Each site's milestone over time and its register of data flows.",
            journey_view,
        ),
        View(
            "impact",
            "Impact",
            "Each site against comparison areas that did not take part: the difference-in-differences "
            "estimate, its interval and pre-trend check, and the pooled estimate for a roll-out.",
            lambda session, scope, links: impact_view(session, scope, links, request.args.get("indicator")),
            choice="indicator",
            template="dashboard/impact.html",
        ),
    )
}


def filter_arguments(**changes: Any) -> dict[str, Any]:
    """The current filters (and view choice) from the address, with some changed, for building links."""
    arguments: dict[str, Any] = {}
    for name in (*FILTER_NAMES, "indicator", "outcome", "type"):
        values = [value for value in request.args.getlist(name) if value]
        if values:
            arguments[name] = values if name == "site" else values[0]
    for name, value in changes.items():
        if value is None or value == "":
            arguments.pop(name, None)
        else:
            arguments[name] = value
    return arguments


def table_page_argument(panel_slug: str) -> str:
    """The address argument that turns the pages of one panel's table."""
    return f"{panel_slug}-page"


@dashboard.app_template_global("table_page")
def table_page(panel_slug: str) -> int:
    """The page of a panel's table asked for in the address (1 when none, or not a number)."""
    return request.args.get(table_page_argument(panel_slug), 1, type=int) or 1


@dashboard.app_template_global("table_pagination")
def table_pagination(panel_slug: str, page: int, pages: int) -> dict[str, Any] | None:
    """Links to the other pages of a panel's table, keeping the filters and the view's choice."""
    argument = table_page_argument(panel_slug)
    endpoint = request.endpoint or "dashboard.view"
    view_args = request.view_args or {}
    return pagination(
        page,
        pages,
        lambda number: (
            url_for(endpoint, **view_args, **filter_arguments(**{argument: number})) + f"#panel-{panel_slug}"
        ),
    )


# Thousands of links repeat the same few codes; quoting each once is measurably faster at scale.
_quoted = cache(quote_plus)

# Narrowings a learning-entries link sets itself; every other filter is carried over as it is.
ENTRY_NARROWINGS = ("theme", "no_theme", "site", "type", "dimension")
# A number no real return has, put in an address and then replaced by each return's id.
RETURN_ID_SLOT = 987654321


def _links(scope: Scope | None) -> Links:
    """Link builders for table cells. A national-scale table links thousands of cells, so each
    address is built once and completed per cell rather than going through url_for every time."""
    user = acting_user()
    is_lead = user.role_enum is Role.SITE_LEAD
    # The sites the lead leads in the programme of the framework in view.
    own_sites = (
        {site.code for site in led_sites(user, scope.framework.programme_id)}
        if is_lead and scope is not None
        else set()
    )
    return_endpoint = "returns.task_list" if is_lead else "review.review_return"
    return_address = url_for(return_endpoint, return_id=RETURN_ID_SLOT)
    current = filter_arguments()
    entries_address = url_for("dashboard.learning_entries")
    carried = urlencode(
        {name: value for name, value in current.items() if name not in ENTRY_NARROWINGS}, doseq=True
    )
    site_query = urlencode(filter_arguments(site=None), doseq=True)

    def to_return(return_id: int) -> str:
        return return_address.replace(str(RETURN_ID_SLOT), str(return_id))

    def to_entries(**narrowing: Any) -> str | None:
        if is_lead and narrowing.get("site") not in own_sites:
            return None  # Entries' text is record-level: a lead reads their own site's only.
        chosen = {name: current[name] for name in ENTRY_NARROWINGS if name in current}
        for name, value in narrowing.items():
            value = value.value if isinstance(value, LearningType) else value
            if name == "theme" and value == learning.NO_THEME:
                chosen.pop("theme", None)
                chosen["no_theme"] = "1"
            elif value is None or value == "":
                chosen.pop(name, None)
            else:
                chosen[name] = value
        narrowed = "&".join(
            f"{name}={_quoted(each)}"
            for name, value in chosen.items()
            for each in (value if isinstance(value, list) else [value])
        )
        query = "&".join(part for part in (carried, narrowed) if part)
        return f"{entries_address}?{query}" if query else entries_address

    def to_site(site: Site) -> str:
        address = url_for("dashboard.site_profile", site_code=site.code)
        return f"{address}?{site_query}" if site_query else address

    return Links(to_return=to_return, to_entries=to_entries, to_site=to_site)


def _filtered() -> tuple[DashboardFilterForm, FilterOptions, Scope | None]:
    """The filter form and, when the filters are valid, the scope they describe."""
    session = db_session()
    user = acting_user()
    options = filter_options(session, user, request.args.get("framework"), chosen_programme_id())
    form = DashboardFilterForm(formdata=request.args if request.args else None)
    form.set_choices(options)
    if request.args and not form.validate():
        return form, options, None
    return form, options, resolve_scope(session, user, options, form.filters())


def _page(view: View, template: str | None = None, **extra: Any) -> str:
    form, options, scope = _filtered()
    content = view.build(db_session(), scope, _links(scope)) if scope is not None else None
    return render_template(
        template or view.template,
        title=view.title,
        view=view,
        views=VIEWS.values(),
        form=form,
        options=options,
        scope=scope,
        content=content,
        filter_arguments=filter_arguments,
        figure_json=figure_json,
        **extra,
    )


@dashboard.errorhandler(DashboardUnavailable)
def _unavailable(error: DashboardUnavailable) -> tuple[str, int]:
    status = 200 if isinstance(error, NothingToCompareYet) else 404
    return render_template("dashboard/unavailable.html", title="Dashboards", message=str(error)), status


@dashboard.route("/")
@roles(*DASHBOARD_USERS)
def index() -> str:
    """The dashboards: what each view shows, and the filters every view shares."""
    form, options, scope = _filtered()
    return render_template(
        "dashboard/index.html",
        title="Dashboards",
        views=VIEWS.values(),
        form=form,
        options=options,
        scope=scope,
        filter_arguments=filter_arguments,
    )


VIEW_SLUG = "<any(" + ", ".join(f"'{slug}'" for slug in VIEWS) + "):view_slug>"


@dashboard.route("/glossary")
@roles(*DASHBOARD_USERS)
def glossary() -> str:
    """Every value-for-money figure's definition and formula, from the appraisal's one glossary."""
    return render_template(
        "dashboard/glossary.html", title="Value for money glossary", entries=glossary_data()
    )


@dashboard.route(f"/{VIEW_SLUG}")
@roles(*DASHBOARD_USERS)
def view(view_slug: str) -> str:
    """One cross-site view with its charts and tables."""
    return _page(VIEWS[view_slug])


def _csv_response(content: ViewContent | None, panel_slug: str, name_parts: list[str]) -> Response:
    if content is None:
        abort(400, description="The filters in the address are not valid. Go back and check them.")
    panel = content.panel(panel_slug)
    if panel is None:
        abort(404)
    filename = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in name_parts if part)
    response = Response(csv_text(panel.table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _name_parts(scope: Scope | None, *parts: str) -> list[str]:
    if scope is None:
        return list(parts)
    first, last = (scope.periods[0].code, scope.periods[-1].code) if scope.periods else ("", "")
    return [*parts, scope.framework.code, first, last, scope.state.value]


@dashboard.route(f"/{VIEW_SLUG}/<panel_slug>.csv")
@roles(*DASHBOARD_USERS)
def download(view_slug: str, panel_slug: str) -> Response:
    """The table under one chart, as CSV: exactly the figures the page shows."""
    view = VIEWS[view_slug]
    _form, _options, scope = _filtered()
    content = view.build(db_session(), scope, _links(scope)) if scope is not None else None
    return _csv_response(content, panel_slug, _name_parts(scope, "evidence-hub", view_slug, panel_slug))


def _site_in_scope(site_code: str) -> tuple[DashboardFilterForm, FilterOptions, Scope | None, Site]:
    form, options, scope = _filtered()
    site = next((each for each in options.sites if each.code == site_code), None)
    if site is None:
        abort(404)
    return form, options, scope_for_site(scope, site) if scope is not None else None, site


@dashboard.route("/sites/<site_code>")
@roles(*DASHBOARD_USERS)
def site_profile(site_code: str) -> str:
    """One site's whole picture: costs, value for money, outcomes, journey, learning and its returns."""
    form, options, scope, site = _site_in_scope(site_code)
    content = site_profile_view(db_session(), scope, _links(scope)) if scope is not None else None
    return render_template(
        "dashboard/site.html",
        title=site.name,
        site=site,
        views=VIEWS.values(),
        form=form,
        options=options,
        scope=scope,
        content=content,
        filter_arguments=filter_arguments,
        figure_json=figure_json,
    )


@dashboard.route("/sites/<site_code>/<panel_slug>.csv")
@roles(*DASHBOARD_USERS)
def site_download(site_code: str, panel_slug: str) -> Response:
    """The table under one chart of a site's profile, as CSV."""
    _form, _options, scope, site = _site_in_scope(site_code)
    content = site_profile_view(db_session(), scope, _links(scope)) if scope is not None else None
    return _csv_response(content, panel_slug, _name_parts(scope, "evidence-hub", site.code, panel_slug))


@dashboard.route("/learning/entries")
@roles(*DASHBOARD_USERS)
def learning_entries() -> str:
    """The learning entries behind a count in the learning matrix."""
    form, options, scope = _filtered()
    learning_type = _learning_type(request.args.get("type"))
    site_code = request.args.get("site") if len(request.args.getlist("site")) == 1 else None
    site = next((each for each in options.sites if each.code == site_code), None)
    entries: list[learning.LearningEntryRow] = []
    if scope is not None:
        entries = learning.learning_entries(
            db_session(),
            scope,
            learning_type=learning_type,
            theme_code=learning.NO_THEME if request.args.get("no_theme") else request.args.get("theme"),
            dimension_code=request.args.get("dimension"),
            site_id=site.id if site else None,
            limit=ENTRIES_SHOWN,
        )
    return render_template(
        "dashboard/learning_entries.html",
        more_than_shown=len(entries) > ENTRIES_SHOWN,
        entries_shown=ENTRIES_SHOWN,
        title="Learning entries",
        views=VIEWS.values(),
        form=form,
        options=options,
        scope=scope,
        entries=entries[:ENTRIES_SHOWN],
        learning_type=learning_type,
        site=site,
        dimension=request.args.get("dimension"),
        filter_arguments=filter_arguments,
    )
