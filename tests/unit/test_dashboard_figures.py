"""Golden figures for the dashboards: a small hand-made data set, and every figure it must give.

Three sites report against the shipped worklessness framework. The dashboards look at 2009 Q2 to Q4:

                 2009 Q2      2009 Q3      2009 Q4
    Kent         approved     approved     submitted
    Leeds        approved     draft        no return
    Liverpool    locked       approved     returned with comments

Every expected value below is worked out by hand from the rows `build_world` writes (the arithmetic is
spelt out beside it as Decimal expressions), never by calling the code under test. Money stays exact
until a table rounds it for display.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

import plotly.graph_objects as go
import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from evidence_hub.dashboard.panels.completeness import completeness_view
from evidence_hub.dashboard.panels.costs import costs_view
from evidence_hub.dashboard.panels.journey import journey_view
from evidence_hub.dashboard.panels.learning import learning_view
from evidence_hub.dashboard.panels.outcomes import outcomes_view
from evidence_hub.dashboard.panels.panel import Links, Panel, ViewContent
from evidence_hub.dashboard.panels.site_profile import site_profile_view
from evidence_hub.dashboard.panels.value_for_money import value_for_money_view
from evidence_hub.dashboard.tables import Cell, Column, Kind, csv_text, plain, shown
from evidence_hub.db import transaction, utc_now
from evidence_hub.models import (
    Activity,
    Baseline,
    CostItem,
    CostType,
    DataFlow,
    Framework,
    FrameworkVersion,
    Funding,
    LearningEntry,
    LearningType,
    MeasureValue,
    ReportingPeriod,
    ReturnStatus,
    Role,
    SavingClaim,
    Site,
    SiteReturn,
    User,
)
from evidence_hub.services.dashboards import outcomes as outcomes_module
from evidence_hub.services.dashboards import value_for_money as value_for_money_module
from evidence_hub.services.dashboards.completeness import completeness_figures
from evidence_hub.services.dashboards.costs import cost_figures
from evidence_hub.services.dashboards.journey import data_flow_summaries
from evidence_hub.services.dashboards.learning import NO_THEME, learning_entries, learning_figures
from evidence_hub.services.dashboards.outcomes import OutcomeFigures, indicators_in_scope, outcome_figures
from evidence_hub.services.dashboards.scope import (
    DashboardFilters,
    Scope,
    StateFilter,
    filter_options,
    resolve_scope,
    scope_for_site,
)
from evidence_hub.services.dashboards.value_for_money import value_for_money
from evidence_hub.services.framework import lifecycle
from tests.factories import make_site, make_user, periods_of, the_framework, unique_reference
from tests.returns_helpers import period_in_quarter

Q2 = "2009 Q2 (April to June 2009)"
Q3 = "2009 Q3 (July to September 2009)"
Q4 = "2009 Q4 (October to December 2009)"
LIVERPOOL = "Liverpool City Region"
NESTA = "nesta"
MARYLAND = "maryland"
NESTA_MINIMUM = "Nesta Standards of Evidence level 2"
CLIENTS = "WL-CLIENTS-ENGAGED"
JOB_ENTRIES = "WL-JOB-ENTRIES"
# Every indicator of the shipped framework is collected quarterly, so each return must report all 16 of
# them and the data-sharing milestone.
REQUIRED_ITEMS = 16 + 1

LINKS = Links(
    to_return=lambda return_id: f"/returns/{return_id}",
    to_entries=lambda **narrowing: "/learning/entries",
    to_site=lambda site: f"/sites/{site.code}",
)


# --- The data set ---------------------------------------------------------------------------------


class Evidence:
    """Writes rows of evidence straight to the models, naming framework items by their codes."""

    def __init__(self, db: Session, version: FrameworkVersion) -> None:
        self.db = db
        self.version = version
        self.categories = {each.code: each for each in version.cost_categories}
        self.indicators = {each.code: each for each in version.indicators}
        self.levels = {(each.scale.code, each.level): each for each in version.evidence_levels}
        self.themes = {each.code: each for each in version.themes}
        self.dimensions = {each.code: each for each in version.learning_dimensions}
        self.milestones = {each.code: each for each in version.milestones}
        self.approver: User | None = None

    def a_return(
        self,
        site: Site,
        period: ReportingPeriod,
        status: ReturnStatus,
        milestone: str | None = None,
        approved: bool | None = None,
    ) -> SiteReturn:
        """A return in the given state; approved and locked ones were approved, unless `approved` is False."""
        if approved is None:
            approved = status in (ReturnStatus.APPROVED, ReturnStatus.LOCKED)
        if approved and self.approver is None:
            self.approver = make_user(self.db, Role.EVALUATOR)
        site_return = SiteReturn(
            site_id=site.id,
            reporting_period_id=period.id,
            framework_version_id=self.version.id,
            status=status.value,
            completed_sections=[],
            journey_milestone_id=self.milestones[milestone].id if milestone else None,
            approved_at=utc_now() if approved else None,
            approved_by_id=self.approver.id if approved and self.approver is not None else None,
        )
        self.db.add(site_return)
        return site_return

    def cost(
        self,
        site_return: SiteReturn,
        category: str,
        amount: str,
        percent: str = "100",
        *,
        set_up: bool = False,
        in_kind: bool = False,
    ) -> None:
        site_return.costs.append(
            CostItem(
                site_id=site_return.site_id,
                import_reference=unique_reference("C"),
                cost_category_id=self.categories[category].id,
                description=f"{category} line",
                amount=Decimal(amount),
                attributable_percent=Decimal(percent),
                cost_type=(CostType.SET_UP if set_up else CostType.RUNNING).value,
                funding=(Funding.IN_KIND if in_kind else Funding.CASH).value,
            )
        )

    def saving(self, site_return: SiteReturn, amount: str, level: tuple[str, int] | None = None) -> None:
        site_return.savings.append(
            SavingClaim(
                site_id=site_return.site_id,
                import_reference=unique_reference("S"),
                description="Fewer failed home visits",
                amount=Decimal(amount),
                evidence="Visit logs",
                evidence_level_id=self.levels[level].id if level else None,
            )
        )

    def activity(self, site_return: SiteReturn, people_reached: int | None) -> None:
        site_return.activities.append(
            Activity(
                site_id=site_return.site_id,
                import_reference=unique_reference("A"),
                activity_type_id=self.version.activity_types[0].id,
                title="Targeted outreach",
                starts_on=date(2009, 4, 1),
                ends_on=date(2009, 4, 30),
                people_reached=people_reached,
            )
        )

    def measure(
        self,
        site_return: SiteReturn,
        code: str,
        value: str | None = None,
        *,
        target: str | None = None,
        level: tuple[str, int] | None = None,
        not_available: str | None = None,
    ) -> None:
        site_return.measures.append(
            MeasureValue(
                site_id=site_return.site_id,
                indicator_id=self.indicators[code].id,
                value=Decimal(value) if value is not None else None,
                not_available_reason=not_available,
                target=Decimal(target) if target is not None else None,
                evidence_level_id=self.levels[level].id if level else None,
            )
        )

    def learning(
        self,
        site_return: SiteReturn,
        kind: LearningType,
        theme: str | None = None,
        dimensions: tuple[str, ...] = (),
    ) -> None:
        site_return.learning.append(
            LearningEntry(
                site_id=site_return.site_id,
                import_reference=unique_reference("L"),
                learning_type=kind.value,
                theme_id=self.themes[theme].id if theme else None,
                title=f"A {kind.value}",
                what_happened="Something the evaluation should know",
                dimensions=[self.dimensions[code] for code in dimensions],
            )
        )

    def baseline(self, site: Site, code: str, value: str) -> None:
        self.db.add(
            Baseline(
                site_id=site.id,
                indicator_code=code,
                value=Decimal(value),
                period_description="2008-09, before the pilot",
                source="Council management information",
            )
        )

    def data_flow(
        self,
        site: Site,
        requested: date | None = None,
        approved: date | None = None,
        received: date | None = None,
    ) -> None:
        self.db.add(
            DataFlow(
                site_id=site.id,
                dataset="DWP benefit records",
                holder="DWP",
                purpose="Targeting",
                requested_on=requested,
                approved_on=approved,
                received_on=received,
            )
        )


@dataclass
class World:
    framework: Framework
    kent: Site
    leeds: Site
    liverpool: Site
    q2: ReportingPeriod
    q3: ReportingPeriod
    q4: ReportingPeriod

    @property
    def sites(self) -> list[Site]:
        return [self.kent, self.leeds, self.liverpool]


def build_world(db: Session) -> World:
    framework = the_framework(db)
    kent, leeds, liverpool = (make_site(db, code) for code in ("kent", "leeds", "liverpool"))
    q2, q3, q4, _2010_q1 = periods_of(db, framework)
    e = Evidence(db, framework.published_version)  # type: ignore[arg-type]
    approved, locked, submitted = ReturnStatus.APPROVED, ReturnStatus.LOCKED, ReturnStatus.SUBMITTED
    draft, returned = ReturnStatus.DRAFT, ReturnStatus.RETURNED
    barrier, enabler, lesson = LearningType.BARRIER, LearningType.ENABLER, LearningType.LESSON
    with transaction(db):
        # Kent: set-up £2,400 and running £1,600 against £4,800 of savings.
        kent_q2 = e.a_return(kent, q2, approved, milestone="J10")
        e.cost(kent_q2, "TECHNOLOGY-DATA", "2400.00", set_up=True)
        e.cost(kent_q2, "PILOT-STAFF", "1000.00")
        e.saving(kent_q2, "1800.00", level=(NESTA, 2))
        e.activity(kent_q2, 120)
        e.measure(kent_q2, CLIENTS, "40", target="100", level=(NESTA, 2))
        e.measure(kent_q2, JOB_ENTRIES, "4", target="10", level=(NESTA, 2))
        e.learning(kent_q2, barrier, "DATA", ("LEGAL-GOVERNANCE", "TECHNICAL-DATA"))

        kent_q3 = e.a_return(kent, q3, approved, milestone="J25")
        e.cost(kent_q3, "PARTNER-TIME", "1600.00", "37.50", in_kind=True)
        e.saving(kent_q3, "3000.00")
        e.activity(kent_q3, 80)
        e.activity(kent_q3, None)
        e.measure(kent_q3, CLIENTS, "60", target="100", level=(NESTA, 3))
        e.measure(kent_q3, JOB_ENTRIES, "6", target="10", level=(NESTA, 2))
        e.learning(kent_q3, enabler, "CONTEXT", ("PARTNERSHIP",))
        e.learning(kent_q3, lesson)

        kent_q4 = e.a_return(kent, q4, submitted, milestone="J40")
        e.cost(kent_q4, "PILOT-STAFF", "5000.00")
        e.activity(kent_q4, 1000)
        e.measure(kent_q4, CLIENTS, "90", target="100", level=(NESTA, 2))
        e.learning(kent_q4, lesson, "VFM")

        # Leeds: the awkward £1,000.01 at 33.33%, and savings that never repay the running cost.
        leeds_q2 = e.a_return(leeds, q2, approved, milestone="J40")
        e.cost(leeds_q2, "PILOT-STAFF", "1000.01", "33.33")
        e.cost(leeds_q2, "GOVERNANCE-LEGAL", "1500.00", set_up=True)
        e.saving(leeds_q2, "300.00", level=(NESTA, 1))
        e.activity(leeds_q2, 50)
        e.measure(leeds_q2, CLIENTS, "25", target="50", level=(NESTA, 1))
        e.learning(leeds_q2, barrier, "DATA", ("LEGAL-GOVERNANCE",))
        e.learning(leeds_q2, barrier, None, ("RESOURCES",))

        leeds_q3 = e.a_return(leeds, q3, draft, milestone="J55")
        e.cost(leeds_q3, "PILOT-STAFF", "700.00")
        e.measure(leeds_q3, CLIENTS, "30", target="50")
        e.learning(leeds_q3, barrier, "DATA", ("CULTURE",))

        # Liverpool: no baseline, no savings, and a measure not yet available.
        liverpool_q2 = e.a_return(liverpool, q2, locked)
        e.cost(liverpool_q2, "PILOT-STAFF", "2000.00", "75")
        e.activity(liverpool_q2, 100)
        e.measure(liverpool_q2, CLIENTS, "35", target="70")
        e.measure(liverpool_q2, JOB_ENTRIES, "3", level=(MARYLAND, 1))
        e.learning(liverpool_q2, LearningType.RECOMMENDATION, "NEXT")

        liverpool_q3 = e.a_return(liverpool, q3, approved, milestone="J55")
        e.cost(liverpool_q3, "PILOT-STAFF", "2000.00", "75")
        e.cost(liverpool_q3, "CLIENT-ENGAGEMENT", "500.00", set_up=True, in_kind=True)
        e.activity(liverpool_q3, 40)
        e.measure(liverpool_q3, CLIENTS, not_available="Figures due from DWP next quarter")
        e.learning(liverpool_q3, enabler, "DATA", ("LEGAL-GOVERNANCE",))

        liverpool_q4 = e.a_return(liverpool, q4, returned, milestone="J70")
        e.measure(liverpool_q4, CLIENTS, "50", target="70", level=(NESTA, 2))
        e.learning(liverpool_q4, barrier, None, ("RESOURCES",))

        e.baseline(kent, CLIENTS, "20")
        e.baseline(kent, JOB_ENTRIES, "2")
        e.baseline(leeds, CLIENTS, "10")

        e.data_flow(kent, date(2009, 4, 1), date(2009, 4, 11), date(2009, 5, 1))  # 10 days
        e.data_flow(kent, date(2009, 5, 1), date(2009, 5, 4))  # 3 days
        e.data_flow(kent, date(2009, 6, 1))
        e.data_flow(leeds, date(2009, 4, 1), date(2009, 7, 1))  # 30 + 31 + 30 = 91 days
        e.data_flow(leeds)
        e.data_flow(liverpool, date(2009, 4, 1), date(2009, 4, 2), date(2009, 4, 9))  # 1 day
        e.data_flow(liverpool, date(2009, 4, 1), date(2009, 4, 3), date(2009, 4, 9))  # 2 days
        e.data_flow(liverpool, date(2009, 4, 10), date(2009, 4, 12))  # 2 days
    return World(framework, kent, leeds, liverpool, q2, q3, q4)


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


@pytest.fixture
def evaluator(db: Session) -> User:
    return make_user(db, Role.EVALUATOR)


@pytest.fixture
def kent_lead(db: Session, world: World) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


def share_across_sites(db: Session, world: World) -> None:
    with transaction(db):
        world.framework.cross_site_sharing = True


def scope_of(db: Session, user: User, state: StateFilter = StateFilter.APPROVED, **filters: Any) -> Scope:
    """What the user's dashboards show for 2009 Q2 to Q4 with these filters."""
    options = filter_options(db, user, None)
    filters = {"period_from": "2009-Q2", "period_to": "2009-Q4", **filters}
    return resolve_scope(db, user, options, DashboardFilters(state=state, **filters))


def rows(panel: Panel | None) -> list[list[Any]]:
    """A panel's table as plain values, links taken off."""
    assert panel is not None
    return [[value.value if isinstance(value, Cell) else value for value in row] for row in panel.table.rows]


def traces(panel: Panel | None, key: str = "y") -> list[list[Any]]:
    """One property (the y values unless told) of each trace of the panel's chart."""
    assert panel is not None and panel.figure is not None
    return [list(trace[key]) for trace in panel.figure["data"]]


# --- Costs ----------------------------------------------------------------------------------------


def test_costs_by_site_are_exact_sums_of_each_line_times_its_attributable_share(
    db: Session, world: World, evaluator: User
) -> None:
    content = costs_view(db, scope_of(db, evaluator), LINKS)

    # Leeds' £1,000.01 at 33.33% is 1000.01 × 33.33 / 100 = 333.303333, kept to the last digit.
    leeds_staff = Decimal("1000.01") * Decimal("33.33") / 100
    assert leeds_staff == Decimal("333.303333")
    # Kent's £1,600 of partner time at 37.5% is 600 attributable.
    kent_partner_time = Decimal("1600.00") * Decimal("37.50") / 100
    assert rows(content.panel("by-site")) == [
        # Site, recorded, attributable, share attributable %, set-up, running (attributable - set-up).
        [
            "Kent",
            Decimal(2400 + 1000 + 1600),
            2400 + 1000 + kent_partner_time,
            Decimal(4000) * 100 / 5000,
            Decimal(2400),
            1000 + kent_partner_time,
        ],
        [
            "Leeds",
            Decimal("1000.01") + Decimal("1500.00"),
            leeds_staff + 1500,
            (leeds_staff + 1500) * 100 / Decimal("2500.01"),
            Decimal(1500),
            leeds_staff,
        ],
        [
            LIVERPOOL,
            Decimal(2000 + 2000 + 500),
            Decimal(1500 + 1500 + 500),  # 75% of £2,000 twice, and £500 in full
            Decimal(3500) * 100 / 4500,
            Decimal(500),
            Decimal(3000),
        ],
        [
            "All sites shown",
            Decimal("12000.01"),  # 5000 + 2500.01 + 4500
            Decimal("9333.303333"),  # 4000 + 1833.303333 + 3500
            Decimal("9333.303333") * 100 / Decimal("12000.01"),
            Decimal(4400),  # 2400 + 1500 + 500
            Decimal("4933.303333"),  # 1600 + 333.303333 + 3000
        ],
    ]
    assert content.context["cost_total"].attributable == Decimal("9333.303333")
    # The chart stacks set-up and running per site: the same figures as the table.
    assert traces(content.panel("by-site")) == [[2400.0, 1500.0, 500.0], [1600.0, 333.303333, 3000.0]]


def test_cash_and_in_kind_split_the_attributable_cost(db: Session, world: World, evaluator: User) -> None:
    content = costs_view(db, scope_of(db, evaluator), LINKS)

    assert rows(content.panel("cash-in-kind")) == [
        # Site, cash, in kind, share in kind %.
        ["Kent", Decimal(2400 + 1000), Decimal(600), Decimal(600) * 100 / 4000],
        ["Leeds", Decimal("1833.303333"), Decimal(0), Decimal(0)],
        [LIVERPOOL, Decimal(1500 + 1500), Decimal(500), Decimal(500) * 100 / 3500],
        [
            "All sites shown",
            Decimal("8233.303333"),
            Decimal(1100),
            Decimal(1100) * 100 / Decimal("9333.303333"),
        ],
    ]


def test_costs_by_category_and_by_period_add_up_to_the_same_all_sites_total(
    db: Session, world: World, evaluator: User
) -> None:
    scope = scope_of(db, evaluator)
    figures = cost_figures(db, scope)
    content = costs_view(db, scope, LINKS)

    assert [code for code, _ in figures.categories] == [
        "PILOT-STAFF",
        "PARTNER-TIME",
        "GOVERNANCE-LEGAL",
        "TECHNOLOGY-DATA",
        "CLIENT-ENGAGEMENT",
        "TRAINING",
        "LOCAL-EVALUATION",
        "ACCOMMODATION-OVERHEADS",
    ]
    zero, leeds_staff = Decimal(0), Decimal("333.303333")
    assert rows(content.panel("by-category")) == [
        ["Kent", Decimal(1000), Decimal(600), zero, Decimal(2400), zero, zero, zero, zero, Decimal(4000)],
        ["Leeds", leeds_staff, zero, Decimal(1500), zero, zero, zero, zero, zero, leeds_staff + 1500],
        [LIVERPOOL, Decimal(3000), zero, zero, zero, Decimal(500), zero, zero, zero, Decimal(3500)],
        [
            "All sites shown",
            Decimal("4333.303333"),  # 1000 + 333.303333 + 3000
            Decimal(600),
            Decimal(1500),
            Decimal(2400),
            Decimal(500),
            zero,
            zero,
            zero,
            Decimal("9333.303333"),
        ],
    ]
    # A gap (None) where the site has no return in view for the period.
    assert rows(content.panel("over-time")) == [
        ["Kent", Decimal(2400 + 1000), Decimal(600), None],
        ["Leeds", Decimal("1833.303333"), None, None],
        [LIVERPOOL, Decimal(1500), Decimal(1500 + 500), None],
        ["All sites shown", Decimal("6733.303333"), Decimal(2600), None],  # 3400 + 1833.303333 + 1500
    ]
    assert figures.by_period[world.q2.id].set_up == Decimal(2400 + 1500)
    assert figures.by_site_period[(world.liverpool.id, world.q3.id)].set_up == Decimal(500)
    assert figures.by_site_category[(world.kent.id, "PARTNER-TIME")].recorded == Decimal(1600)
    assert figures.total.cash + figures.total.in_kind == figures.total.attributable


def test_money_is_rounded_to_the_penny_only_when_it_is_shown(
    db: Session, world: World, evaluator: User
) -> None:
    scope = scope_of(db, evaluator)
    figures = cost_figures(db, scope)
    money = Column("Running (£)", Kind.MONEY)

    assert figures.by_site[world.leeds.id].running == Decimal("333.303333")
    assert shown(Decimal("333.303333"), money) == "£333.30"
    assert plain(Decimal("333.303333"), money) == Decimal("333.30")
    assert shown(figures.total.attributable, money) == "£9,333.30"
    assert shown(Decimal("-1533.303333"), money) == "-£1,533.30"
    assert shown(Decimal(4000) * 100 / 5000, Column("Share (%)", Kind.PERCENT)) == "80.0%"
    by_site = costs_view(db, scope, LINKS).panel("by-site")
    assert by_site is not None
    assert "Leeds,2500.01,1833.30,73.3,1500.00,333.30\r\n" in csv_text(by_site.table)


def test_costs_warn_when_sites_report_for_different_periods(
    db: Session, world: World, evaluator: User
) -> None:
    figures = cost_figures(db, scope_of(db, evaluator))

    assert figures.periods_reported == {
        world.kent.id: {world.q2.id, world.q3.id},
        world.leeds.id: {world.q2.id},
        world.liverpool.id: {world.q2.id, world.q3.id},
    }
    assert figures.warnings == [
        "Sites report costs for different periods (Kent 2 of 3, Leeds 1 of 3, Liverpool City Region 2 of 3), "
        "so totals over the whole range are not like for like."
    ]
    two_sites = cost_figures(db, scope_of(db, evaluator, site_codes=("kent", "liverpool")))
    assert two_sites.warnings == []


# --- Outcomes -------------------------------------------------------------------------------------


def clients_engaged(db: Session, scope: Scope) -> OutcomeFigures:
    indicator = next(each for each in indicators_in_scope(db, scope) if each.code == CLIENTS)
    return outcome_figures(db, scope, indicator)


def test_outcome_values_over_time_carry_their_evidence_strength_and_weak_evidence_is_marked(
    db: Session, world: World, evaluator: User
) -> None:
    content = outcomes_view(db, scope_of(db, evaluator), LINKS, CLIENTS)

    assert rows(content.panel("values")) == [
        # Site, period, value, target, evidence strength (minimum: Nesta level 2).
        ["Kent", Q2, Decimal(40), Decimal(100), "Nesta Standards of Evidence level 2"],
        ["Kent", Q3, Decimal(60), Decimal(100), "Nesta Standards of Evidence level 3"],
        ["Leeds", Q2, Decimal(25), Decimal(50), "Nesta Standards of Evidence level 1 (below minimum)"],
        [LIVERPOOL, Q2, Decimal(35), Decimal(70), "Not stated (below minimum)"],
        [LIVERPOOL, Q3, None, None, "Not available: Figures due from DWP next quarter"],
    ]
    assert traces(content.panel("values")) == [
        [40.0, 60.0, None],
        [25.0, None, None],
        [35.0, None, None],
    ]
    # Hollow markers for evidence below the minimum or not stated.
    values = content.panel("values")
    assert values is not None and values.figure is not None
    assert [list(trace["marker"]["symbol"]) for trace in values.figure["data"]] == [
        ["circle", "circle", "circle"],
        ["circle-open", "circle", "circle"],
        ["circle-open", "circle-open", "circle"],
    ]


def test_change_from_baseline_and_progress_to_target_use_each_sites_latest_value_in_view(
    db: Session, world: World, evaluator: User
) -> None:
    content = outcomes_view(db, scope_of(db, evaluator), LINKS, CLIENTS)

    before = "2008-09, before the pilot"
    assert rows(content.panel("change")) == [
        # Site, baseline, its period, latest, its period, change, change %, target, progress to target %.
        # Kent: 60 - 20 = 40; 40 / 20 = 200%; 40 of the 100 - 20 = 80 to go is 50%.
        ["Kent", Decimal(20), before, Decimal(60), Q3, Decimal(40), Decimal(200), Decimal(100), Decimal(50)],
        # Leeds: 25 - 10 = 15; 15 / 10 = 150%; 15 of 50 - 10 = 40 is 37.5%.
        [
            "Leeds",
            Decimal(10),
            before,
            Decimal(25),
            Q2,
            Decimal(15),
            Decimal(150),
            Decimal(50),
            Decimal("37.5"),
        ],
        # Liverpool: its Q3 figure is not available, so Q2's is the latest; with no baseline, no change.
        [LIVERPOOL, None, "No baseline", Decimal(35), Q2, None, None, Decimal(70), None],
    ]
    assert traces(content.panel("change")) == [[200.0, 150.0, None]]


def test_outcomes_warn_about_differing_periods_missing_baselines_and_weak_evidence(
    db: Session, world: World, evaluator: User
) -> None:
    figures = clients_engaged(db, scope_of(db, evaluator))

    # All three sites report it, so there is no warning about too few sites.
    assert figures.warnings == [
        "Sites report this measure for different periods (Kent 2 of 3, Leeds 1 of 3, "
        "Liverpool City Region 1 of 3), so totals over the whole range are not like for like.",
        "No baseline for Liverpool City Region: change from baseline cannot be shown.",
        f"Evidence below the framework's minimum ({NESTA_MINIMUM}) for some figures from Leeds and "
        "Liverpool City Region.",
    ]
    assert [point.below_minimum for point in figures.points] == [False, False, True, True, False]


@pytest.fixture(params=["kept per site", "counted from the values"])
def counted(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every indicator's summary over most approved periods comes from the counts kept per site, less the
    values of the periods out of view (2010 Q1 for `scope_of`'s 2009 Q2 to Q4); any other scope counts the
    values themselves. Each summary test runs both ways and must give the same figures."""
    if request.param == "counted from the values":
        monkeypatch.setattr(outcomes_module, "_kept_counts_serve", lambda _session, _scope: None)
    return str(request.param)


def test_an_outcome_reported_by_fewer_than_three_sites_is_flagged_and_every_indicator_is_summarised(
    db: Session, world: World, evaluator: User, counted: str
) -> None:
    content = outcomes_view(db, scope_of(db, evaluator), LINKS, JOB_ENTRIES)

    values = content.panel("values")
    assert values is not None
    # Liverpool's level 1 is on the Maryland scale, not the minimum's Nesta scale: it is not compared.
    assert values.warnings == [
        "Only 2 of the 3 sites shown report this measure: comparisons need at least 3.",
        "Sites report this measure for different periods (Kent 2 of 3, Liverpool City Region 1 of 3), "
        "so totals over the whole range are not like for like.",
        # Leeds does not report the measure at all, so its missing baseline is not named.
        "No baseline for Liverpool City Region: change from baseline cannot be shown.",
    ]
    summary = {row[0]: row[3:] for row in rows(content.panel("indicators"))}
    assert len(summary) == 16
    # Sites reporting, values, not yet available, evidence below minimum.
    assert summary["Clients engaged through data-led targeting"] == [3, 2 + 1 + 1, 1, 2]
    assert summary["Job entries among engaged clients"] == [2, 2 + 1, 0, 0]
    assert summary["Referrals between partners"] == [0, 0, 0, 0]


def test_every_indicator_is_summarised_across_framework_versions_counting_a_site_once(
    db: Session, world: World, evaluator: User, counted: str
) -> None:
    first = world.framework.published_version
    assert first is not None
    with transaction(db):
        second = lifecycle.import_framework(
            db,
            first.source_yaml.replace("\nversion: 1\n", "\nversion: 2\n", 1),
            actor=None,
            programme=world.framework.programme,
        ).version
        lifecycle.publish_version(db, second, actor=None)
    e = Evidence(db, second)
    _2010_q1 = periods_of(db, world.framework)[3]
    with transaction(db):
        # Version 2 gives the indicator a new id: Leeds reports it for the first time, below the minimum,
        # and Kent, which reported it under version 1, again.
        leeds_q4 = e.a_return(world.leeds, world.q4, ReturnStatus.APPROVED)
        e.measure(leeds_q4, JOB_ENTRIES, "3", level=(NESTA, 1))
        kent_q1 = e.a_return(world.kent, _2010_q1, ReturnStatus.APPROVED)
        e.measure(kent_q1, JOB_ENTRIES, "5", level=(NESTA, 2))
        e.measure(kent_q1, CLIENTS, not_available="Data not yet received from DWP")

    scope = scope_of(db, evaluator, period_to="2010-Q1")
    kept = outcomes_module._kept_counts_serve(db, scope)
    assert kept == [] if counted == "kept per site" else kept is None, "every period in view"
    content = outcomes_view(db, scope, LINKS, JOB_ENTRIES)

    summary = {row[0]: row[3:] for row in rows(content.panel("indicators"))}
    # Sites reporting, values, not yet available, evidence below minimum.
    # Kent (versions 1 and 2), Liverpool and Leeds; Kent's 4 and 6, Liverpool's 1, Leeds's 3 and Kent's 5.
    assert summary["Job entries among engaged clients"] == [3, 2 + 1 + 1 + 1, 0, 1]
    # Kent's 2010 Q1 figure is not yet available: it adds to that count and to no other.
    assert summary["Clients engaged through data-led targeting"] == [3, 2 + 1 + 1, 1 + 1, 2]

    # Without 2010 Q1 (kept: the counts kept per site less Kent's 2010 Q1 values), Kent's 5 and its
    # figure not yet available are gone; Leeds's 2009 Q4 value under version 2 stays.
    earlier = scope_of(db, evaluator)
    kept = outcomes_module._kept_counts_serve(db, earlier)
    assert kept == [_2010_q1.id] if counted == "kept per site" else kept is None, "one period out of view"
    summary = {
        row[0]: row[3:] for row in rows(outcomes_view(db, earlier, LINKS, JOB_ENTRIES).panel("indicators"))
    }
    assert summary["Job entries among engaged clients"] == [3, 2 + 1 + 1, 0, 1]
    assert summary["Clients engaged through data-led targeting"] == [3, 2 + 1 + 1, 1, 2]


# --- Value for money ------------------------------------------------------------------------------


# The shipped Green Book defaults, worked by hand for 2009 Q2 to Q4 (financial year 2009-10, appraisal year 0,
# so nothing is discounted): prices into 2023-24 terms × 100 ÷ 70.949; optimism bias 50% on set-up and 20% on
# running costs; job entries additional at (1 − 70%) × (1 − 25%) × (1 − 10%) × (1 − 5%), each worth £7,000
# fiscal + £12,000 economic at 2023-24 prices.
TO_2023_PRICES = Decimal(100) / Decimal("70.949")
ADDITIONAL_JOB_ENTRY = Decimal("0.3") * Decimal("0.75") * Decimal("0.9") * Decimal("0.95")
JOB_ENTRY_VALUE = Decimal(7000) + Decimal(12000)


def pence(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_value_for_money_shows_green_book_figures_worked_by_hand(
    db: Session, world: World, evaluator: User
) -> None:
    content = value_for_money_view(db, scope_of(db, evaluator), LINKS)

    figures = {row[0]: row for row in rows(content.panel("figures"))}
    # Kent's approved returns: £2,400 set-up cash, £1,000 running cash, £1,600 in kind at 37.5%; savings
    # claimed £1,800 + £3,000; 4 + 6 job entries. Its 2009 Q4 return is only submitted: no return.
    kent_costs = (
        Decimal(2400) * Decimal("1.5") + (Decimal(1000) + Decimal(600)) * Decimal("1.2")
    ) * TO_2023_PRICES
    kent_benefits = Decimal(4800) * TO_2023_PRICES + 10 * ADDITIONAL_JOB_ENTRY * JOB_ENTRY_VALUE
    kent = figures["Kent"]
    assert pence(kent[1]) == pence(kent_costs)
    assert pence(kent[2]) == pence(kent_benefits)
    assert pence(kent[3]) == pence(kent_benefits - kent_costs) == Decimal("35536.44")
    assert kent[4].quantize(Decimal("0.01"), ROUND_HALF_UP) == (kent_benefits / kent_costs).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    # The activities are business-case work, which the framework counts as attendances, not people.
    assert kent[6] == "no people reached"
    assert pence(kent[7]) == pence((Decimal(2400) + Decimal(1600)) * TO_2023_PRICES / 10)
    assert kent[9] == "2009 Q2 (April to June 2009)"
    assert figures["All sites"][-1] == 2 + 1 + 2
    # No site has an approved return for 2009 Q4: "no return", never 0.
    periods = {row[0].split(" (")[0]: row for row in rows(content.panel("periods"))}
    assert periods["2009 Q4"][1:] == ["no return"] * 6
    assert content.context["value"].programme.figures()[2].workings.formula


def test_the_value_for_money_parameters_name_their_sources(
    db: Session, world: World, evaluator: User
) -> None:
    content = value_for_money_view(db, scope_of(db, evaluator), LINKS)

    parameters = {row[0]: row for row in rows(content.panel("parameters"))}
    assert parameters["Price base year"][1] == "2023-24"
    assert "HM Treasury" in parameters["Discount rates"][2]
    assert parameters["Final outcome"][1] == "Job entries among engaged clients"
    switching = rows(content.panel("switching"))
    assert switching[0][0] == "All sites"
    low, central, high = rows(content.panel("range"))[0][1:]
    assert low != central != high


# --- Completeness ---------------------------------------------------------------------------------


def test_completeness_counts_the_required_items_each_return_reports_whatever_its_state(
    db: Session, world: World, evaluator: User
) -> None:
    scope = scope_of(db, evaluator)  # Approved only, yet completeness shows every return.
    figures = completeness_figures(db, scope)

    # Items reported: measures with a value (of the 16 quarterly indicators) + 1 for a chosen milestone.
    reported = {
        (world.kent, world.q2): 2 + 1,
        (world.kent, world.q3): 2 + 1,
        (world.kent, world.q4): 1 + 1,
        (world.leeds, world.q2): 1 + 1,
        (world.leeds, world.q3): 1 + 1,
        (world.liverpool, world.q2): 2 + 0,  # No milestone chosen.
        (world.liverpool, world.q3): 0 + 1,  # Its one measure is "not available".
        (world.liverpool, world.q4): 1 + 1,
    }
    assert {
        key: (cell.items_reported, cell.items_required, cell.reported_percent)
        for key, cell in figures.cells.items()
    } == {
        (site.id, period.id): (count, REQUIRED_ITEMS, Decimal(count) * 100 / REQUIRED_ITEMS)
        for (site, period), count in reported.items()
    }
    assert figures.site_items(world.kent.id) == (3 + 3 + 2, 3 * REQUIRED_ITEMS)
    assert figures.period_items(world.q4.id) == (2 + 2, 2 * REQUIRED_ITEMS)

    content = completeness_view(db, scope, LINKS)
    # 3/17 is 17.6%, 2/17 is 11.8% and 1/17 is 5.9%, shown to the whole percent.
    assert rows(content.panel("grid")) == [
        [
            "Kent",
            "Approved, 18% reported",
            "Approved, 18% reported",
            "Submitted, 12% reported",
            Decimal(8) * 100 / 51,
        ],
        ["Leeds", "Approved, 12% reported", "Draft, 12% reported", "No return", Decimal(4) * 100 / 34],
        [
            LIVERPOOL,
            "Locked: approved, 12% reported",
            "Approved, 6% reported",
            "Returned with comments, 12% reported",
            Decimal(5) * 100 / 51,
        ],
    ]


def test_the_reporting_rate_counts_submitted_approved_and_locked_returns_but_not_drafts_or_returned_ones(
    db: Session, world: World, evaluator: User
) -> None:
    content = completeness_view(db, scope_of(db, evaluator), LINKS)

    assert rows(content.panel("reporting-rate")) == [
        # Period, sites, returns submitted, reporting rate %, required items reported %.
        [Q2, 3, 3, Decimal(100), Decimal(3 + 2 + 2) * 100 / 51],  # approved, approved, locked
        [Q3, 3, 2, Decimal(2) * 100 / 3, Decimal(3 + 2 + 1) * 100 / 51],  # Leeds' draft does not count
        [Q4, 3, 1, Decimal(1) * 100 / 3, Decimal(2 + 2) * 100 / 34],  # Liverpool's returned one neither
    ]


# --- Learning -------------------------------------------------------------------------------------

THEMES = ["VFM", "DATA", "CONTEXT", "SYSTEMS", "NEXT", NO_THEME]
DIMENSIONS = [
    "LEGAL-GOVERNANCE",
    "TECHNICAL-DATA",
    "PEOPLE-SKILLS",
    "PARTNERSHIP",
    "CULTURE",
    "RESOURCES",
    "NATIONAL-PROCESSES",
]


def test_learning_is_counted_by_theme_and_site_with_entries_without_a_theme_counted_apart(
    db: Session, world: World, evaluator: User
) -> None:
    content = learning_view(db, scope_of(db, evaluator), LINKS, None)
    figures = learning_figures(db, scope_of(db, evaluator), None)

    assert [code for code, _ in figures.themes] == THEMES
    assert [code for code, _ in figures.dimensions] == DIMENSIONS
    assert figures.themes[-1] == (NO_THEME, "No theme given")
    assert rows(content.panel("themes")) == [
        # VFM, DATA, CONTEXT, SYSTEMS, NEXT, no theme, all themes.
        ["Kent", 0, 1, 1, 0, 0, 1, 3],
        ["Leeds", 0, 1, 0, 0, 0, 1, 2],
        [LIVERPOOL, 0, 1, 0, 0, 1, 0, 2],
        ["All sites shown", 0, 3, 1, 0, 1, 2, 7],
    ]
    # The heat map is drawn turned: a row per theme, a column per site.
    [heat_map] = traces(content.panel("themes"), "z")
    by_site = [
        [0, 1, 1, 0, 0, 1],
        [0, 1, 0, 0, 0, 1],
        [0, 1, 0, 0, 1, 0],
    ]
    assert [list(row) for row in heat_map] == [list(column) for column in zip(*by_site, strict=True)]


def test_a_learning_type_narrows_the_theme_counts_and_barriers_and_enablers_are_counted_by_dimension(
    db: Session, world: World, evaluator: User
) -> None:
    content = learning_view(db, scope_of(db, evaluator), LINKS, LearningType.BARRIER)

    assert rows(content.panel("themes")) == [
        ["Kent", 0, 1, 0, 0, 0, 0, 1],
        ["Leeds", 0, 1, 0, 0, 0, 1, 2],
        [LIVERPOOL, 0, 0, 0, 0, 0, 0, 0],
        ["All sites shown", 0, 2, 0, 0, 0, 1, 3],
    ]
    # Legal, technical, people, partnership, culture, resources, national processes. An entry touching
    # two dimensions counts in both.
    assert rows(content.panel("barriers")) == [
        ["Kent", 1, 1, 0, 0, 0, 0, 0],
        ["Leeds", 1, 0, 0, 0, 0, 1, 0],
        [LIVERPOOL, 0, 0, 0, 0, 0, 0, 0],
    ]
    assert rows(content.panel("enablers")) == [
        ["Kent", 0, 0, 0, 1, 0, 0, 0],
        ["Leeds", 0, 0, 0, 0, 0, 0, 0],
        [LIVERPOOL, 1, 0, 0, 0, 0, 0, 0],
    ]
    lessons = learning_figures(db, scope_of(db, evaluator), LearningType.LESSON)
    assert lessons.by_theme_site == {(NO_THEME, world.kent.id): 1}


# --- Data-sharing journey -------------------------------------------------------------------------


def test_the_journey_shows_each_sites_milestone_in_each_period(
    db: Session, world: World, evaluator: User
) -> None:
    content = journey_view(db, scope_of(db, evaluator), LINKS)

    assert rows(content.panel("milestones")) == [
        ["Kent", 10, 25, None],
        ["Leeds", 40, None, None],
        [LIVERPOOL, None, 55, None],
    ]
    assert traces(content.panel("milestones"), "text")[2] == [
        "No milestone chosen",
        "Legal basis and agreements in place",
        "No return in view",
    ]


def test_data_flows_are_counted_by_stage_with_the_mean_and_longest_wait_for_approval(
    db: Session, world: World, evaluator: User
) -> None:
    content = journey_view(db, scope_of(db, evaluator), LINKS)

    assert rows(content.panel("data-flows")) == [
        # Site, flows, requested, approved, received, mean days to approval, longest.
        ["Kent", 3, 3, 2, 1, Decimal(10 + 3) / 2, 10],
        ["Leeds", 2, 1, 1, 0, Decimal(91), 91],
        [LIVERPOOL, 3, 3, 3, 2, Decimal(1 + 2 + 2) / 3, 2],
    ]
    register = rows(content.panel("register"))
    assert sorted((row[0], row[-1]) for row in register if row[-1] is not None) == [
        ("Kent", 3),
        ("Kent", 10),
        ("Leeds", 91),
        (LIVERPOOL, 1),
        (LIVERPOOL, 2),
        (LIVERPOOL, 2),
    ]


# --- Which returns' figures are shown -------------------------------------------------------------


def test_by_default_only_approved_returns_count_and_the_state_filter_adds_submitted_then_drafts(
    db: Session, world: World, evaluator: User
) -> None:
    approved, submitted, every = (scope_of(db, evaluator, state) for state in StateFilter)

    # Kent's submitted Q4 adds £5,000; Leeds' draft Q3 adds £700; Liverpool's returned Q4 has no costs.
    assert [cost_figures(db, scope).total.attributable for scope in (approved, submitted, every)] == [
        Decimal("9333.303333"),
        Decimal("9333.303333") + 5000,
        Decimal("9333.303333") + 5000 + 700,
    ]
    assert rows(costs_view(db, every, LINKS).panel("over-time")) == [
        ["Kent", Decimal(3400), Decimal(600), Decimal(5000)],
        ["Leeds", Decimal("1833.303333"), Decimal(700), None],
        [LIVERPOOL, Decimal(1500), Decimal(2000), Decimal(0)],  # A return in view with no costs.
        ["All sites shown", Decimal("6733.303333"), Decimal(3300), Decimal(5000)],
    ]
    # Latest values: Kent's submitted 90, then Leeds' draft 30 and Liverpool's returned 50.
    latest = {
        state: [
            outcome.latest.value if outcome.latest else None
            for outcome in clients_engaged(db, scope).by_site.values()
        ]
        for state, scope in zip(StateFilter, (approved, submitted, every), strict=True)
    }
    assert latest == {
        StateFilter.APPROVED: [Decimal(60), Decimal(25), Decimal(35)],
        StateFilter.SUBMITTED: [Decimal(90), Decimal(25), Decimal(35)],
        StateFilter.ALL: [Decimal(90), Decimal(30), Decimal(50)],
    }
    kent_submitted = clients_engaged(db, submitted).by_site[world.kent.id]
    assert (kent_submitted.change, kent_submitted.progress_to_target) == (Decimal(70), Decimal(70) * 100 / 80)
    # The appraisal reads approved returns only, whatever the filter; business-case work counts attendances.
    assert [
        value_for_money(db, scope).sites[0].reach.attendances for scope in (approved, submitted, every)
    ] == [200, 200, 200]
    assert [learning_figures(db, scope, None).total for scope in (approved, submitted, every)] == [
        7,
        7 + 1,
        7 + 1 + 2,
    ]
    assert rows(journey_view(db, every, LINKS).panel("milestones")) == [
        ["Kent", 10, 25, 40],
        ["Leeds", 40, 55, None],
        [LIVERPOOL, None, 55, 70],
    ]
    assert [len(completeness_figures(db, scope).cells) for scope in (approved, every)] == [8, 8]


# --- Who sees what --------------------------------------------------------------------------------


def test_a_site_lead_sees_only_their_own_sites_figures_without_cross_site_sharing(
    db: Session, world: World, kent_lead: User
) -> None:
    scope = scope_of(db, kent_lead, StateFilter.ALL)

    assert (scope.sites, scope.sharing_in_use) == ([world.kent], False)
    # Their own returns in every state: 4000 approved + 5000 submitted.
    assert cost_figures(db, scope).total.attributable == Decimal(4000 + 5000)
    assert cost_figures(db, scope_of(db, kent_lead)).total.attributable == Decimal(4000)
    assert rows(learning_view(db, scope, LINKS, None).panel("themes")) == [
        ["Kent", 1, 1, 1, 0, 0, 1, 4],
        ["All sites shown", 1, 1, 1, 0, 0, 1, 4],
    ]
    assert [row[0] for row in rows(completeness_view(db, scope, LINKS).panel("grid"))] == ["Kent"]
    assert list(data_flow_summaries(db, scope)) == [world.kent.id]
    # Asking for another site by name shows nothing of it.
    assert scope_of(db, kent_lead, site_codes=("leeds",)).sites == []


def test_with_sharing_a_site_lead_sees_other_sites_approved_figures_but_never_their_unapproved_ones(
    db: Session, world: World, kent_lead: User
) -> None:
    share_across_sites(db, world)
    scope = scope_of(db, kent_lead, StateFilter.ALL)

    assert (scope.sites, scope.sharing_in_use) == (world.sites, True)
    costs = cost_figures(db, scope)
    # Kent in every state (4000 + 5000), the others approved only: no Leeds draft, no Liverpool return.
    assert [costs.by_site[site.id].attributable for site in world.sites] == [
        Decimal(9000),
        Decimal("1833.303333"),
        Decimal(3500),
    ]
    assert costs.periods_reported == {
        world.kent.id: {world.q2.id, world.q3.id, world.q4.id},
        world.leeds.id: {world.q2.id},
        world.liverpool.id: {world.q2.id, world.q3.id},
    }
    outcomes = clients_engaged(db, scope)
    assert [outcome.latest.value for outcome in outcomes.by_site.values() if outcome.latest] == [
        Decimal(90),
        Decimal(25),
        Decimal(35),
    ]
    assert learning_figures(db, scope, None).total == 4 + 2 + 2
    assert rows(journey_view(db, scope, LINKS).panel("milestones")) == [
        ["Kent", 10, 25, 40],
        ["Leeds", 40, None, None],
        [LIVERPOOL, None, 55, None],
    ]
    # Return states, data flows and learning text stay a site's own business.
    assert [row[0] for row in rows(completeness_view(db, scope, LINKS).panel("grid"))] == ["Kent"]
    assert list(data_flow_summaries(db, scope)) == [world.kent.id]
    entries = learning_entries(
        db, scope, learning_type=None, theme_code=None, dimension_code=None, site_id=None
    )
    assert {entry.site_name for entry in entries} == {"Kent"}
    # Approved only: exactly what an evaluator sees.
    assert cost_figures(db, scope_of(db, kent_lead)).total.attributable == Decimal("9333.303333")


def test_an_evaluator_sees_every_sites_figures(db: Session, world: World, evaluator: User) -> None:
    scope = scope_of(db, evaluator, StateFilter.ALL)

    assert (scope.sites, scope.sharing_in_use) == (world.sites, False)
    assert [row[0] for row in rows(completeness_view(db, scope, LINKS).panel("grid"))] == [
        "Kent",
        "Leeds",
        LIVERPOOL,
    ]
    assert sorted(data_flow_summaries(db, scope)) == [site.id for site in world.sites]


# --- Queries --------------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[Session, Scope, Links], ViewContent]] = {
    "costs": costs_view,
    "outcomes": lambda session, scope, links: outcomes_view(session, scope, links, None),
    "value for money": value_for_money_view,
    "completeness": completeness_view,
    "learning": lambda session, scope, links: learning_view(session, scope, links, None),
    "journey": journey_view,
}


@pytest.fixture
def fresh_session(app: Flask) -> Iterator[Callable[[], Session]]:
    """New sessions, as each request has: nothing loaded by an earlier view."""
    opened: list[Session] = []

    def build() -> Session:
        opened.append(app.extensions["evidence_hub.session_factory"]())
        return opened[-1]

    yield build
    for session in opened:
        session.close()


@contextmanager
def statements_run(session: Session) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", record)


def queries_per_view(fresh_session: Callable[[], Session], user_id: int) -> dict[str, int]:
    counts = {}
    for name, build in BUILDERS.items():
        session = fresh_session()
        user = session.get(User, user_id)
        assert user is not None
        options = filter_options(session, user, None)
        scope = resolve_scope(session, user, options, DashboardFilters(state=StateFilter.ALL))
        with statements_run(session) as statements:
            build(session, scope, LINKS)
        counts[name] = len(statements)
    return counts


def add_sites_and_periods(db: Session, world: World) -> None:
    """Three more sites and two more quarters, every site reporting every kind of evidence in each."""
    periods = [period_in_quarter(db, quarter) for quarter in range(6)]
    version = world.framework.published_version
    assert version is not None
    e = Evidence(db, version)
    new_sites = [make_site(db, code) for code in ("york", "bristol", "cardiff")]
    with transaction(db):
        for site in new_sites:
            e.baseline(site, CLIENTS, "5")
            e.data_flow(site, date(2009, 4, 1), date(2009, 4, 5), date(2009, 4, 6))
        for site in [*world.sites, *new_sites]:
            for period in periods[3:] if site in world.sites else periods:
                site_return = e.a_return(site, period, ReturnStatus.APPROVED, milestone="J25")
                e.cost(site_return, "PILOT-STAFF", "100.00", "50")
                e.saving(site_return, "80.00")
                e.activity(site_return, 10)
                e.measure(site_return, CLIENTS, "7", target="9", level=(NESTA, 1))
                e.learning(site_return, LearningType.BARRIER, "DATA", ("CULTURE", "RESOURCES"))


def test_each_view_runs_the_same_number_of_queries_however_many_sites_and_periods(
    db: Session, world: World, evaluator: User, fresh_session: Callable[[], Session]
) -> None:
    three_sites = queries_per_view(fresh_session, evaluator.id)

    add_sites_and_periods(db, world)
    six_sites = queries_per_view(fresh_session, evaluator.id)

    assert six_sites == three_sites
    assert all(count > 0 for count in three_sites.values())


def test_every_chart_is_a_valid_plotly_figure(db: Session, world: World, evaluator: User) -> None:
    # The figures are plain dictionaries serialised without validation: plotly validates them here.
    scope = scope_of(db, evaluator, StateFilter.ALL)
    contents = [
        costs_view(db, scope, LINKS),
        outcomes_view(db, scope, LINKS, None),
        value_for_money_view(db, scope, LINKS),
        completeness_view(db, scope, LINKS),
        learning_view(db, scope, LINKS, None),
        journey_view(db, scope, LINKS),
        site_profile_view(db, scope_for_site(scope, scope.sites[0]), LINKS),
    ]
    figures = [panel.figure for content in contents for panel in content.panels if panel.figure]
    assert len(figures) >= 15
    for figure in figures:
        go.Figure(figure)


def test_cost_per_additional_outcome_uses_the_impact_poolings_estimate_where_there_is_one(
    db: Session, world: World, evaluator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pooled difference of 2 job entries per 100 clients engaged (prediction interval 0.5 to 3.5)
    # against the pilots' own rate: (4 + 6 + 3) job entries ÷ (40 + 60 + 25 + 35) clients × 100 = 8.125.
    pooled = SimpleNamespace(
        is_pooled=True, estimate=2.0, prediction_low=0.5, prediction_high=3.5, sites=(1, 2, 3)
    )
    overview = SimpleNamespace(
        version=world.framework.published_version,
        indicator_code="WL-JOB-ENTRY-RATE",
        indicator_name="Job entry rate",
        pooled=pooled,
        pooled_label="pooled estimated effect of the pilot",
    )
    monkeypatch.setattr(value_for_money_module, "impact_overview", lambda session, scope: overview)

    kent = value_for_money(db, scope_of(db, evaluator)).sites[0]

    impact_share = Decimal(2) / (Decimal(13) / Decimal(160) * 100)
    # Displacement 25%, leakage 10% and substitution 5% still apply; the estimate replaces deadweight.
    additional = 10 * impact_share * Decimal("0.75") * Decimal("0.9") * Decimal("0.95")
    cost = (Decimal(2400) + Decimal(1600)) * TO_2023_PRICES
    assert pence(kent.cost_per_additional_outcome.value) == pence(cost / additional)
    workings = kent.cost_per_additional_outcome.workings
    assert "Additional outcomes from the impact estimate." in workings.notes
    assert any("pooled estimated effect of the pilot" in line.source for line in workings.parameters)
