"""Demo evidence: eight quarters of returns for the three demo sites, entered and reviewed through the
same services as the web pages, so that every figure passes the framework's checks and every step is
in the audit log.

The sites differ as the founding pilots did: Kent engages many clients quickly; Leeds builds strong
partnership working; Liverpool City Region starts two quarters late, waits longest for data and has
patchier figures. The older quarters are approved and then locked when their periods close; in the open
quarter Kent's return waits for review, Leeds's has been returned with comments and Liverpool's is a
draft. Figures come from a seeded generator, so the demo is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    AreaRole,
    Framework,
    Release,
    ReportingPeriod,
    ReturnSection,
    Site,
    SiteReturn,
    User,
)
from evidence_hub.models.appraisal import AreaSizeUpload
from evidence_hub.services.impact import comparisons, site_estimates
from evidence_hub.services.impact.synthetic_series import (
    DEMO_SITE_SERIES,
    SYNTHETIC_INDICATOR,
    synthetic_series_csv,
)
from evidence_hub.services.releases.publishing import ReleaseRequest, publish_release
from evidence_hub.services.returns import comments, journey, learning, measures, workflow
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.data_flows import DATA_FLOWS, DataFlowInput
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from evidence_hub.services.returns.measure_checks import BaselineInput, MeasureInput
from evidence_hub.services.returns.savings import SAVINGS, SavingInput

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class SiteProfile:
    code: str
    # Multiplies the number of clients the site reaches.
    scale: Decimal
    # Quarters (0 = 2009 Q2) the site reported for.
    first_quarter: int
    # Journey milestone code reached in each reported quarter, in order.
    journey: tuple[str, ...]
    lead_email: str


PROFILES = (
    SiteProfile(
        "kent",
        Decimal("1.6"),
        0,
        ("J10", "J25", "J40", "J55", "J70", "J70", "J85", "J85"),
        "kent.lead@demo.evidence-hub.example",
    ),
    SiteProfile(
        "leeds",
        Decimal("1.2"),
        0,
        ("J10", "J25", "J25", "J40", "J55", "J70", "J85", "J100"),
        "leeds.lead@demo.evidence-hub.example",
    ),
    SiteProfile(
        "liverpool",
        Decimal("0.8"),
        2,
        ("J0", "J10", "J10", "J25", "J40", "J40"),
        "liverpool.lead@demo.evidence-hub.example",
    ),
)
EVALUATOR_EMAIL = "evaluator@demo.evidence-hub.example"
ADMINISTRATOR_EMAIL = "admin@demo.evidence-hub.example"

JOURNEY_EVIDENCE = {
    "J0": "No data shared yet: the business case is being drafted with the Local Improvement Adviser.",
    "J10": "Business case for the data share submitted to DWP; partners agreed the purpose in writing.",
    "J25": "DWP approved the business case; the data-sharing agreement is being drafted with legal teams.",
    "J40": "Data-sharing agreement signed by DWP and the council; privacy impact assessment completed.",
    "J55": "First test extract received and matched against council records in a secure environment.",
    "J70": "Quarterly extracts arrive on schedule and are used to target outreach to residents.",
    "J85": "Shared data informs commissioning decisions across the partnership, reviewed each quarter.",
    "J100": "Data sharing runs as business as usual with agreed renewal and audit arrangements.",
}

LEARNING_ENTRIES = {
    "kent": [
        (
            "barrier",
            ["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"],
            "SYSTEMS",
            "Uncertainty about the legal gateway",
            "Legal teams at the council and DWP read the gateway differently, which held up the agreement "
            "for two months.",
            "Without an agreed reading of the law, no area can start sharing data.",
            "Publish national guidance on which legal gateways cover worklessness data sharing.",
        ),
        (
            "enabler",
            ["PEOPLE-SKILLS", "PARTNERSHIP"],
            "CONTEXT",
            "Senior sponsorship in the council",
            "The director of adult services chaired the steering group and unblocked decisions quickly.",
            "Decisions that needed two levels of sign-off were made in one meeting.",
            "Ask every roll-out area to name a senior sponsor before it starts.",
        ),
        (
            "lesson",
            ["TECHNICAL-DATA"],
            "DATA",
            "Start with a small, well-defined extract",
            "A first extract of 2,000 records let the team test matching before scaling up.",
            "Problems with identifiers were found early and cheaply.",
            "Recommend a test extract as the first step of every data share.",
        ),
    ],
    "leeds": [
        (
            "enabler",
            ["PARTNERSHIP", "CULTURE"],
            "CONTEXT",
            "Co-located Jobcentre Plus adviser",
            "A Jobcentre Plus adviser worked two days a week in the council's employment team.",
            "Referrals between partners doubled and cases stopped falling between services.",
            "Fund co-location of advisers in roll-out areas for the first year.",
        ),
        (
            "good_practice",
            ["PARTNERSHIP"],
            "NEXT",
            "Monthly case review across partners",
            "Partners met monthly to review shared cases using the matched data.",
            "Partners agreed who would contact each resident, ending duplicate contacts.",
            "Share the case review template with roll-out areas.",
        ),
        (
            "barrier",
            ["RESOURCES"],
            "VFM",
            "Analyst time was hard to find",
            "The council's analysts were committed to other work; matching waited for a contractor.",
            "Delays in analysis meant the data was three months old when it was used.",
            "Budget for dedicated analyst time in the roll-out cost model.",
        ),
    ],
    "liverpool": [
        (
            "barrier",
            ["NATIONAL-PROCESSES", "LEGAL-GOVERNANCE"],
            "SYSTEMS",
            "Business case did not fit the template",
            "The city region's request covered six authorities and several data sets, which the approval "
            "process did not expect.",
            "Approval took more than twice as long as for single-authority pilots.",
            "Allow multi-authority business cases with a single approval route.",
        ),
        (
            "barrier",
            ["TECHNICAL-DATA"],
            "DATA",
            "Different identifiers across authorities",
            "Each authority used its own client reference, so records could not be matched without a "
            "common key.",
            "Matching rates were low until a common key was agreed.",
            "Agree common identifiers nationally before wider roll-out.",
        ),
        (
            "recommendation",
            ["NATIONAL-PROCESSES"],
            "NEXT",
            "A national data request service",
            "Each pilot wrote its own request to DWP from scratch.",
            "Much of the effort was repeated in every area.",
            "Set up one national service that handles standard local data requests.",
        ),
    ],
}

# Data set, holder, purpose, legal gateway, agreement and impact-assessment status, and the days after
# the site's first quarter began when the flow was requested, approved and received.
DataFlowPlan = tuple[str, str, str, str, str, str, tuple[int | None, int | None, int | None]]
DATA_FLOW_PLANS: dict[str, list[DataFlowPlan]] = {
    "kent": [
        (
            "Working-age benefit claimants (NINo-level)",
            "DWP",
            "Target outreach to long-term claimants",
            "Welfare Reform Act 2009, section 42",
            "in_place",
            "in_place",
            (12, 45, 70),
        ),
        (
            "Housing benefit recipients",
            "Kent County Council",
            "Match with DWP data to find families",
            "Local Government Act 2000, well-being power",
            "in_place",
            "in_place",
            (20, 40, 55),
        ),
    ],
    "leeds": [
        (
            "Jobseeker's Allowance claimants",
            "Jobcentre Plus",
            "Joint case review by partners",
            "Welfare Reform Act 2009, section 42",
            "in_place",
            "in_place",
            (15, 60, 90),
        ),
        (
            "Tax credit recipients",
            "HMRC",
            "Identify in-work poverty",
            "",
            "in_progress",
            "not_started",
            (200, None, None),
        ),
    ],
    "liverpool": [
        (
            "Incapacity benefit claimants across six authorities",
            "DWP",
            "City-region commissioning strategy",
            "Welfare Reform Act 2009, section 42",
            "in_progress",
            "in_progress",
            (190, 400, None),
        ),
        (
            "Council tax benefit recipients",
            "Liverpool City Council",
            "Match with DWP data",
            "Local Government Act 2000, well-being power",
            "in_place",
            "not_needed",
            (210, 230, 260),
        ),
    ],
}


def _money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"Demo account {email} is missing")
    return user


def ensure_demo_evidence(session: Session, framework: Framework) -> bool:
    """Fill the demo sites' returns once; returns False (and changes nothing) when they already exist."""
    sites = {
        site.code: site
        for site in session.scalars(select(Site).where(Site.code.in_([p.code for p in PROFILES])))
    }
    if len(sites) != len(PROFILES):
        return False
    existing = session.scalar(
        select(func.count())
        .select_from(SiteReturn)
        .where(SiteReturn.site_id.in_([site.id for site in sites.values()]))
    )
    if existing:
        return False
    periods = list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.framework_id == framework.id)
            .order_by(ReportingPeriod.starts_on)
        )
    )
    evaluator = _user(session, EVALUATOR_EMAIL)
    administrator = _user(session, ADMINISTRATOR_EMAIL)
    for profile in PROFILES:
        _fill_site(session, profile, sites[profile.code], periods, evaluator)
    with transaction(session):
        _add_area_sizes(session, framework, administrator)
    with transaction(session):
        for period in periods[:-1]:
            if period.status == "open":
                workflow.close_period(session, administrator, period)
    return True


# Round, illustrative working-age populations for the demo's roll-out projection (not ONS figures): the
# three pilot sites by their site codes, and areas a roll-out would reach.
DEMO_AREA_SIZES = (
    ("kent", "Kent", "950000"),
    ("leeds", "Leeds", "520000"),
    ("liverpool", "Liverpool City Region", "980000"),
    ("E08000003", "Manchester", "400000"),
    ("E08000025", "Birmingham", "740000"),
    ("E06000023", "Bristol", "320000"),
)


def _add_area_sizes(session: Session, framework: Framework, administrator: User) -> None:
    session.add(
        AreaSizeUpload(
            framework_id=framework.id,
            measure_name="working-age population (16 to 64)",
            measure_source="Illustrative round figures for the demonstration, not ONS estimates",
            areas=[list(area) for area in DEMO_AREA_SIZES],
            filename="demo-area-sizes.csv",
            uploaded_by_id=administrator.id,
        )
    )


def _fill_site(
    session: Session, profile: SiteProfile, site: Site, periods: list[ReportingPeriod], evaluator: User
) -> None:
    lead = _user(session, profile.lead_email)
    # Seeded, so the demo figures are the same on every machine; nothing secret depends on them.
    generator = random.Random(f"evidence-hub-demo-{profile.code}")  # noqa: S311
    reported = periods[profile.first_quarter :]
    for index, period in enumerate(reported):
        quarter = profile.first_quarter + index
        latest = period is periods[-1]
        with transaction(session):
            site_return = workflow.start_return(session, lead, period)
            _add_costs(session, lead, site_return, quarter, profile, generator)
            _add_activities(session, lead, site_return, quarter, site, generator)
            if latest and profile.code == "liverpool":
                continue  # Liverpool's newest return is still a draft with only costs and activities.
            if index == 0:
                _set_baselines(session, lead, site_return, profile, generator)
                _add_data_flows(session, lead, site_return, profile.code)
            _add_measures(session, lead, site_return, quarter, profile, generator)
            _add_learning(session, lead, site_return, profile.code, index)
            journey.set_milestone(
                session,
                lead,
                site_return,
                journey.MilestoneInput(
                    milestone=profile.journey[index], evidence=JOURNEY_EVIDENCE[profile.journey[index]]
                ),
                None,
            )
            for section in ReturnSection:
                workflow.set_section_completed(session, lead, site_return, section, True)
            workflow.submit(session, lead, site_return)
        _review(session, profile, site_return, lead, evaluator, latest=latest, quarter=quarter)


def _review(
    session: Session,
    profile: SiteProfile,
    site_return: SiteReturn,
    lead: User,
    evaluator: User,
    *,
    latest: bool,
    quarter: int,
) -> None:
    if latest and profile.code == "kent":
        return  # Waiting for review.
    with transaction(session):
        if latest and profile.code == "leeds":
            cost = site_return.costs[0]
            comments.add_comment(
                session,
                evaluator,
                site_return,
                "Please split this cost between the pilot and the council's wider employment work, as the "
                "cost category guidance asks.",
                item_type="cost",
                item_id=cost.id,
            )
            workflow.return_to_site(
                session,
                evaluator,
                site_return,
                "Thank you. Two things before approval: see the comment on the staff cost, and add the "
                "source of the job entries figure.",
            )
            return
        if profile.code == "leeds" and quarter == 4:
            # A return sent back, corrected and approved: its history shows the change.
            cost = site_return.costs[0]
            comments.add_comment(
                session,
                evaluator,
                site_return,
                "Is all of this officer's time on the pilot?",
                item_type="cost",
                item_id=cost.id,
            )
            workflow.return_to_site(session, evaluator, site_return, "One question about staff costs.")
    if profile.code == "leeds" and quarter == 4:
        with transaction(session):
            cost = site_return.costs[0]
            COSTS.update(
                session,
                lead,
                site_return,
                cost,
                CostInput(
                    category_code=cost.category.code,
                    description=cost.description,
                    amount=cost.amount,
                    cost_type=cost.cost_type,
                    funding=cost.funding,
                    attributable_percent=Decimal(80),
                    attribution_reason="One day a week went on the council's wider employment programme.",
                    funder=cost.funder,
                ),
                None,
            )
            workflow.submit(session, lead, site_return)
    with transaction(session):
        for entry in site_return.learning:
            if entry.learning_type in ("barrier", "enabler", "recommendation"):
                learning.set_cleared_for_national(session, evaluator, entry, True)
        workflow.approve(
            session, evaluator, site_return, "Approved: figures checked against the sources given."
        )


def _add_costs(
    session: Session,
    lead: User,
    site_return: SiteReturn,
    quarter: int,
    profile: SiteProfile,
    generator: random.Random,
) -> None:
    scale = profile.scale
    entries = [
        CostInput(
            category_code="PILOT-STAFF",
            description="Pilot project officer (0.5 full-time equivalent)",
            amount=_money(6200 * scale + generator.randint(0, 400)),
            cost_type="running",
            funding="cash",
            funder="Council",
        ),
        CostInput(
            category_code="PARTNER-TIME",
            description="Jobcentre Plus adviser time on shared cases",
            staff_time_quantity=Decimal(8 + generator.randint(0, 6)),
            staff_time_unit="days",
            staff_rate=Decimal("165.00"),
            cost_type="running",
            funding="in_kind",
            funder="Jobcentre Plus",
        ),
        CostInput(
            category_code="ACCOMMODATION-OVERHEADS",
            description="Office space and IT for the pilot team",
            amount=_money(900),
            cost_type="running",
            funding="cash",
            attributable_percent=Decimal(50),
            attribution_reason="The office is shared equally with the council's employment team.",
            funder="Council",
        ),
    ]
    if quarter - profile.first_quarter == 0:
        entries.append(
            CostInput(
                category_code="GOVERNANCE-LEGAL",
                description="Legal advice on the data-sharing agreement",
                amount=_money(3500 + generator.randint(0, 1500)),
                cost_type="set_up",
                funding="cash",
                funder="CLG pilot grant",
            )
        )
        entries.append(
            CostInput(
                category_code="TECHNOLOGY-DATA",
                description="Secure data-matching environment set-up",
                amount=_money(8000 * scale),
                cost_type="set_up",
                funding="cash",
                funder="CLG pilot grant",
            )
        )
    if quarter - profile.first_quarter in (1, 4):
        entries.append(
            CostInput(
                category_code="TRAINING",
                description="Information governance training for front-line staff",
                amount=_money(1200 + generator.randint(0, 600)),
                cost_type="running",
                funding="cash",
                funder="Council",
            )
        )
    if quarter - profile.first_quarter >= 3:
        entries.append(
            CostInput(
                category_code="TECHNOLOGY-DATA",
                description="Hosting and licences for the matching software",
                amount=_money(650),
                cost_type="running",
                funding="cash",
                attributable_percent=Decimal(60),
                attribution_reason="The same licence also serves the council's family support work.",
                funder="Council",
            )
        )
    for number, entry in enumerate(entries, start=1):
        COSTS.add(session, lead, site_return, entry, reference=f"C-{number}")
    if quarter - profile.first_quarter >= 3:
        avoided = 30 + generator.randint(0, 25)
        SAVINGS.add(
            session,
            lead,
            site_return,
            SavingInput(
                description=f"{avoided} duplicate adviser appointments avoided through shared case lists",
                amount=_money(avoided * 38),
                evidence="Appointment logs compared with the previous year; £38 per appointment "
                "from the Jobcentre Plus unit cost.",
                evidence_level_code="nesta:2",
            ),
        )


def _add_activities(
    session: Session, lead: User, site_return: SiteReturn, quarter: int, site: Site, generator: random.Random
) -> None:
    period = site_return.reporting_period
    partners = [partner.name for partner in site.partners]
    plans = [
        (
            "PARTNERSHIP-MEETING",
            "Pilot steering group",
            ["local_authority", "jobcentre_plus", "improvement_adviser"],
            partners[:3],
            None,
            ["CONTEXT"],
        ),
        (
            "TARGETED-OUTREACH",
            "Door-knocking in the three wards with most long-term claimants",
            ["local_authority", "jobcentre_plus"],
            partners[:2],
            40 + generator.randint(0, 80),
            ["VFM", "DATA"],
        ),
    ]
    if quarter % 2 == 0:
        plans.append(
            (
                "STAFF-TRAINING",
                "Data protection training for advisers",
                ["local_authority"],
                partners[:1],
                10 + generator.randint(0, 15),
                ["DATA"],
            )
        )
    if quarter < 3:
        plans.append(
            ("DATA-REQUEST", "Data request to DWP", ["government_department"], [], None, ["SYSTEMS"])
        )
    for number, (kind, title, partner_types, partner_names, reached, themes) in enumerate(plans, start=1):
        starts_on = period.starts_on + timedelta(days=10 * number + generator.randint(0, 10))
        ends_on = min(starts_on + timedelta(days=generator.randint(0, 20)), period.ends_on)
        ACTIVITIES.add(
            session,
            lead,
            site_return,
            ActivityInput(
                activity_type_code=kind,
                title=title,
                description=f"{title}, {period.name}.",
                starts_on=starts_on,
                ends_on=ends_on,
                partner_types=partner_types,
                partner_names=partner_names,
                people_reached=reached,
                outputs="Notes and actions circulated to partners.",
                theme_codes=themes,
            ),
            reference=f"A-{number}",
        )


BASELINES = {
    "WL-CLIENTS-ENGAGED": (40, "Clients engaged in the quarter before the pilot"),
    "WL-REFERRALS": (20, "Referrals between partners, January to March 2009"),
    "WL-JOB-ENTRIES": (3, "Job entries from the same wards, January to March 2009"),
    "WL-JOB-ENTRY-RATE": (6, "Job entry rate in the quarter before the pilot"),
    "WL-STAFF-TRAINED": (0, "No staff had data-handling training before the pilot"),
    "WL-PARTNERSHIP-SCORE": (2.4, "Partnership survey, March 2009"),
    "WL-PARTNERS-SHARING": (1, "Partners sharing data, March 2009"),
    "WL-AGREEMENTS-IN-PLACE": (0, "Agreements in place, March 2009"),
}


def _set_baselines(
    session: Session, lead: User, site_return: SiteReturn, profile: SiteProfile, generator: random.Random
) -> None:
    for code, (value, described) in BASELINES.items():
        figure = Decimal(str(value))
        if code in ("WL-CLIENTS-ENGAGED", "WL-REFERRALS"):
            figure = (figure * profile.scale).quantize(Decimal(1))
        measures.set_baseline(
            session,
            lead,
            site_return.site_id,
            code,
            BaselineInput(
                value=str(figure),
                period_description=described,
                source="Council and Jobcentre Plus management information",
            ),
            framework_version=site_return.framework_version,
        )


def _add_measures(
    session: Session,
    lead: User,
    site_return: SiteReturn,
    quarter: int,
    profile: SiteProfile,
    generator: random.Random,
) -> None:
    step = quarter - profile.first_quarter
    clients = int(Decimal(40 + 28 * step + generator.randint(0, 15)) * profile.scale)
    rate = Decimal(8 + 1.4 * step + generator.randint(0, 2)).quantize(Decimal("0.1"))
    entries = max(0, int(clients * rate / 100))
    rate = (Decimal(entries * 100) / clients).quantize(Decimal("0.1")) if clients else Decimal(0)
    attributable = sum((item.attributable_amount for item in site_return.costs), Decimal(0))
    savings = sum((saving.amount for saving in site_return.savings), Decimal(0))
    requests = 2 + generator.randint(0, 3)
    approved = min(requests, step)
    received = min(approved, max(0, step - 1))
    slow = profile.code == "liverpool"
    figures: dict[str, tuple[str | None, str | None]] = {
        "WL-CLIENTS-ENGAGED": (str(clients), str(int(clients * 1.1))),
        "WL-REFERRALS": (str(int(clients * 0.6)), None),
        "WL-JOB-ENTRIES": (str(entries), str(entries + 2)),
        "WL-JOB-ENTRY-RATE": (str(rate), "15.0"),
        "WL-COST-PER-CLIENT": (str((attributable / clients).quantize(PENNY)) if clients else "0", None),
        "WL-COSTS-AVOIDED": (str(savings.quantize(PENNY)), None),
        "WL-DATA-REQUESTS-MADE": (str(requests), None),
        "WL-DATA-REQUESTS-APPROVED": (str(approved), None),
        "WL-DATA-REQUESTS-RECEIVED": (None if slow and step < 3 else str(received), None),
        "WL-DAYS-TO-APPROVAL": (str(max(30, (200 if slow else 130) - 12 * step)), "60"),
        "WL-STAFF-TRAINED": (str(4 + generator.randint(0, 12)), "10"),
        "WL-PARTNERSHIP-SCORE": (
            str(min(Decimal(5), Decimal("2.6") + Decimal("0.3") * step).quantize(Decimal("0.1"))),
            None,
        ),
        "WL-PARTNERS-SHARING": (str(1 + step // 2), str(2 + step // 2)),
        "WL-AGREEMENTS-IN-PLACE": (str(step // 2), None),
        "WL-LEGAL-BASIS-CONFIRMED": ("yes" if step >= (4 if slow else 2) else "no", None),
        "WL-ACTIONS-AGREED": (str(2 + step), None),
    }
    for indicator in site_return.framework_version.indicators:
        value, target = figures[indicator.code]
        minimum = indicator.minimum_evidence_level
        level = f"{minimum.scale.code}:{minimum.level}"
        if slow and indicator.code == "WL-JOB-ENTRIES":
            level = "nesta:1"  # Weaker than the framework expects: the dashboards flag it.
        if value is None:
            data = MeasureInput(
                not_available=True,
                not_available_reason="DWP has approved the request but no extract has arrived yet.",
            )
        else:
            data = MeasureInput(
                value=value,
                target=target,
                data_source="Pilot case management system and partner returns",
                quality_rating="adequate" if slow else "good",
                quality_reason="Checked against partner records each quarter."
                if not slow
                else "Two authorities report late, so some figures are estimates.",
                evidence_level=level,
                commentary="" if step else "First quarter of recording against the framework.",
            )
        measures.save_measure(session, lead, site_return, indicator.code, data)


def _add_learning(session: Session, lead: User, site_return: SiteReturn, site_code: str, index: int) -> None:
    entries = LEARNING_ENTRIES[site_code]
    kind, dimensions, theme, title, happened, matters, implication = entries[index % len(entries)]
    LEARNING.add(
        session,
        lead,
        site_return,
        LearningInput(
            learning_type=kind,
            dimensions=dimensions,
            theme=theme,
            title=title,
            what_happened=happened,
            why_it_matters=matters,
            national_implication=implication,
        ),
        reference=f"L-{index + 1}",
    )


def _add_data_flows(session: Session, lead: User, site_return: SiteReturn, site_code: str) -> None:
    start = site_return.reporting_period.starts_on
    for dataset, holder, purpose, gateway, agreement, assessment, offsets in DATA_FLOW_PLANS[site_code]:
        requested, approved, received = (
            start + timedelta(days=offset) if offset is not None else None for offset in offsets
        )
        DATA_FLOWS.add(
            session,
            lead,
            site_return,
            DataFlowInput(
                dataset=dataset,
                holder=holder,
                purpose=purpose,
                legal_gateway=gateway,
                agreement_status=agreement,
                impact_assessment_status=assessment,
                requested_on=_not_after_today(requested),
                approved_on=_not_after_today(approved),
                received_on=_not_after_today(received),
            ),
        )


def _not_after_today(day: date | None) -> date | None:
    return day if day is None or day <= date.today() else None


DEMO_RELEASES = (
    ("Data sharing for worklessness pilots: the first year", 4),
    ("Data sharing for worklessness pilots: learning to date", None),
)


def ensure_demo_releases(session: Session, framework: Framework) -> list[str]:
    """Publish the demo's releases once (the first year, then everything approved to date); returns the
    references published now, none when the framework already has a release."""
    if session.scalar(select(func.count()).select_from(Release).where(Release.framework_id == framework.id)):
        return []
    periods = list(framework.reporting_periods)
    sites = list(
        session.scalars(select(Site).where(Site.code.in_([p.code for p in PROFILES])).order_by(Site.name))
    )
    if not periods or not sites:
        return []
    evaluator = _user(session, EVALUATOR_EMAIL)
    references = []
    for title, period_count in DEMO_RELEASES:
        with transaction(session):
            release = publish_release(
                session,
                ReleaseRequest(
                    actor=evaluator,
                    framework=framework,
                    version=None,
                    period_from=periods[0],
                    period_to=periods[(period_count or len(periods)) - 1],
                    sites=sites,
                    title=title,
                ),
            )
        references.append(release.reference)
    return references


def ensure_demo_impact(session: Session, framework: Framework) -> bool:
    """Name each demo site's own area and three comparison areas, load the clearly labelled synthetic
    series through the same upload checks as any file, and record the evaluator's rating of each site's
    evidence (Maryland level 3 where the estimate's pre-trend check passes, else 2). Once only: returns
    False and changes nothing when the areas already exist."""
    version = comparisons.impact_version(framework)
    sites = {site.code: site for site in session.scalars(select(Site))}
    if version is None or any(series.site_code not in sites for series in DEMO_SITE_SERIES):
        return False
    if comparisons.areas_of(session, version, list(sites.values())):
        return False
    evaluator = _user(session, EVALUATOR_EMAIL)
    with transaction(session):
        for series in DEMO_SITE_SERIES:
            site = sites[series.site_code]
            comparisons.add_area(
                session,
                evaluator,
                version,
                site,
                role=AreaRole.PILOT_SITE,
                area_code=series.area.code,
                area_name=series.area.name,
                observed={},
            )
            for area in series.comparisons:
                comparisons.add_area(
                    session,
                    evaluator,
                    version,
                    site,
                    role=AreaRole.COMPARISON,
                    area_code=area.code,
                    area_name=area.name,
                    observed={SYNTHETIC_INDICATOR: "Synthetic demo series, on the framework's definition"},
                )
        comparisons.upload_series(
            session, evaluator, version, synthetic_series_csv(), "synthetic-comparison-series.csv"
        )
    with transaction(session):
        overview = site_estimates.overview_for_sites(
            session, framework, [sites[series.site_code] for series in DEMO_SITE_SERIES], SYNTHETIC_INDICATOR
        )
        for site_impact in overview.sites if overview else ():
            passed = site_impact.estimate.qualifies_for_maryland_3
            comparisons.record_rating(
                session,
                evaluator,
                version,
                site_impact.site,
                SYNTHETIC_INDICATOR,
                3 if passed else 2,
                "Difference-in-differences against three neighbouring areas"
                + (" with a passed pre-trend check." if passed else "; the pre-trend check did not pass."),
            )
    return True
