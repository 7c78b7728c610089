"""Synthetic evidence at national scale: 150 pilot sites reporting for 20 quarters against 40 indicators.

    .venv/bin/python benchmarks/national_scale.py [--sites 150] [--quarters 20] [--database-url URL]
    .venv/bin/python benchmarks/national_scale.py --sites 350 --quarters 40 --profile skewed

The database is made from nothing through the service's own machinery: the Alembic migrations build the
schema, the framework services import and publish a 40-indicator version of the shipped worklessness
framework and add the reporting periods, and the evidence is bulk-inserted through the SQLAlchemy models,
so every CHECK, foreign key and unique constraint of the real schema is enforced on every row.

At 150 sites and 20 quarters (3,000 returns) it holds 300,000 cost lines (100 a return), 100,000
activities (33 or 34 a return), 20,000 learning entries (6 or 7 a return) and 120,000 impact measure
values (one a return and indicator, some "not yet available"), with baselines (some missing), saving
claims (a third of the sites), data flows (four a site, some incomplete) and journey milestones. Every
count is proportional to sites × quarters, and a seeded generator makes the same data on every machine.

--profile skewed makes data of a different shape, the size of every English and Welsh local authority
over ten years at 350 sites × 40 quarters: 1,000,000 cost lines, 300,000 activities and 50,000 learning
entries (in proportion to sites × quarters), shared among the sites by a log-normal volume, so the
largest sites report dozens of times the lines of the smallest; states are mixed as in the uniform data.

The default target is instance/benchmark-<sites>.sqlite. A PostgreSQL URL is accepted too; the database
is created when it does not exist. An existing database is replaced only when it is an earlier benchmark
(or entirely empty): anything else is refused.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import re
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from random import Random
from typing import Any

import yaml
from sqlalchemy import JSON, Engine, Table, create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from evidence_hub.db import Base, make_engine, make_session_factory, transaction
from evidence_hub.migrations import current_revision, recorded_head, upgrade
from evidence_hub.models import (
    Activity,
    AgreementStatus,
    Baseline,
    CostItem,
    CostType,
    DataFlow,
    Framework,
    FrameworkVersion,
    Funding,
    IndicatorUnit,
    LearningEntry,
    LearningType,
    MeasureValue,
    PartnerType,
    PeriodKind,
    ProgrammeSite,
    QualityRating,
    ReportingPeriod,
    ReturnSection,
    ReturnStatus,
    Role,
    SavingClaim,
    Site,
    SitePartner,
    SiteReturn,
    TimeUnit,
    User,
)
from evidence_hub.models.returns import activity_partners, activity_themes, learning_entry_dimensions
from evidence_hub.models.summary_upkeep import rebuild_figures
from evidence_hub.services.accounts import programmes
from evidence_hub.services.accounts.passwords import hash_password
from evidence_hub.services.accounts.users import new_session_token
from evidence_hub.services.framework import lifecycle
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_FOLDER = PROJECT_ROOT / "instance"

# Written at the start of the framework version's description: how an earlier benchmark is recognised.
MARKER = "Synthetic benchmark data made by benchmarks/national_scale.py."
FRAMEWORK_CODE = str(yaml.safe_load(DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8"))["code"])
ADMINISTRATOR_EMAIL = "benchmark.administrator@evidence-hub.example"
EVALUATOR_EMAIL = "benchmark.evaluator@evidence-hub.example"

FIRST_QUARTER_STARTS_ON = date(2009, 4, 1)
INDICATORS = 40
# Per return (site × quarter): 300,000 cost lines, 100,000 activities and 20,000 learning entries at
# 150 sites × 20 quarters. Fractions keep the totals exact: the n-th return gets its share of a running sum.
COST_LINES_PER_RETURN = Fraction(300_000, 3_000)
ACTIVITIES_PER_RETURN = Fraction(100_000, 3_000)
LEARNING_PER_RETURN = Fraction(20_000, 3_000)
DATA_FLOWS_PER_SITE = 4
BATCH_SIZE = 20_000
# The skewed profile's totals at 350 sites × 40 quarters (14,000 returns), about the national data set of
# issue 16: sites' volumes drawn from a log-normal distribution, so a few large areas hold most of the lines.
SKEWED_PER_RETURN = {
    "cost_lines": Fraction(1_000_000, 14_000),
    "activities": Fraction(300_000, 14_000),
    "learning": Fraction(50_000, 14_000),
}
SKEW_SIGMA = 1.0
PROFILES = ("uniform", "skewed")

PENNY = Decimal("0.01")
STAFF_TIME_CATEGORIES = frozenset({"PILOT-STAFF", "PARTNER-TIME"})
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
FUNDERS = ("", "DWP", "CLG", "The council", "Jobcentre Plus", "European Social Fund")
NOT_AVAILABLE_REASONS = (
    "The provider's quarterly management information arrives after the return is due.",
    "The data share is not yet in place, so the figure cannot be worked out.",
    "The analyst who compiles this figure was on leave; it will follow with the next return.",
    "The partner has not yet agreed to release this figure.",
)
DATA_SOURCES = (
    "The pilot's client tracking spreadsheet",
    "Partners' own management information",
    "The council's case-management system",
    "Attendance registers and referral logs",
)
QUALITY_REASONS = {
    QualityRating.GOOD: "Checked against source records by the pilot's analyst.",
    QualityRating.ADEQUATE: "Some figures are estimates where a partner's records were incomplete.",
    QualityRating.POOR: "Compiled from partial records that have not yet been checked.",
}
DATASETS = (
    ("Working-age benefit claimants (NINo-level)", "DWP", "Welfare Reform Act 2009, section 42"),
    ("Housing benefit recipients", "The council", "Local Government Act 2000, well-being power"),
    ("Jobseeker's Allowance claimants", "Jobcentre Plus", "Welfare Reform Act 2009, section 42"),
    ("Adult learners in further education", "Skills Funding Agency", "Data-sharing agreement"),
    ("Incapacity Benefit reassessment outcomes", "DWP", "Welfare Reform Act 2009, section 42"),
    ("Social housing tenants out of work", "Housing association", "Tenant consent"),
)
LEARNING_TEXT = {
    LearningType.BARRIER: (
        "Approval of the data request took longer than planned",
        "The request waited for a national decision on the legal gateway.",
        "Outreach could not start until the data arrived.",
        "Publish national guidance on legal gateways for local data sharing.",
    ),
    LearningType.ENABLER: (
        "A senior sponsor unblocked decisions",
        "The steering group chair took decisions that had waited for two levels of sign-off.",
        "Partners agreed the purpose of the share in one meeting.",
        "Ask every roll-out area to name a senior sponsor.",
    ),
    LearningType.LESSON: (
        "Start with a small test extract",
        "A first extract let the team test matching before scaling up.",
        "Problems with identifiers were found early and cheaply.",
        "Recommend a test extract as the first step of every data share.",
    ),
    LearningType.GOOD_PRACTICE: (
        "Monthly case review across partners",
        "Partners met monthly to review shared cases using the matched data.",
        "Duplicate contacts with residents stopped.",
        "Share the case review template with roll-out areas.",
    ),
    LearningType.RECOMMENDATION: (
        "A national data request service",
        "Each area wrote its own request from scratch.",
        "Much of the effort was repeated in every area.",
        "Set up one national service for standard local data requests.",
    ),
}

# Tables the build fills, in the order the counts are printed.
COUNTED_TABLES = (
    "users",
    "sites",
    "programme_sites",
    "programme_memberships",
    "site_partners",
    "frameworks",
    "framework_versions",
    "themes",
    "indicators",
    "reporting_periods",
    "site_returns",
    "cost_items",
    "saving_claims",
    "activities",
    "activity_themes",
    "activity_partners",
    "baselines",
    "measure_values",
    "learning_entries",
    "learning_entry_dimensions",
    "data_flows",
    "return_cost_totals",
    "return_activity_totals",
    "return_saving_totals",
    "return_learning_counts",
    "return_values_reported",
    "audit_events",
)
# Tables given explicit ids (so that link rows can name them): PostgreSQL's sequences are moved past them.
TABLES_WITH_EXPLICIT_IDS = ("sites", "site_partners", "site_returns", "activities", "learning_entries")


class NotABenchmarkDatabase(RuntimeError):
    """The target holds something other than an earlier benchmark: it is never overwritten."""


# ---------------------------------------------------------------------------------------------------------
# The target database.


def default_database_url(sites: int) -> str:
    """The SQLite file the benchmark uses for this many sites, in the instance folder."""
    return f"sqlite:///{INSTANCE_FOLDER / f'benchmark-{sites}.sqlite'}"


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise ValueError(
            "A SQLite benchmark needs a file path, such as sqlite:///instance/benchmark-150.sqlite"
        )
    return Path(database).resolve()


def _sqlite_file_is_replaceable(path: Path) -> bool:
    """True for an earlier benchmark or an empty database; the file is opened read-only to find out."""
    if path.stat().st_size == 0:
        return True
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not tables:
                return True
            if "framework_versions" not in tables:
                return False
            found = connection.execute(
                "SELECT count(*) FROM framework_versions WHERE description LIKE ?", (MARKER + "%",)
            ).fetchone()
            return bool(found and found[0])
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False


def _postgres_database_is_replaceable(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    if not tables:
        return True
    if "framework_versions" not in tables:
        return False
    with engine.connect() as connection:
        found = connection.scalar(
            text("SELECT count(*) FROM framework_versions WHERE description LIKE :marker"),
            {"marker": MARKER + "%"},
        )
    return bool(found)


def prepare_empty_database(database_url: str) -> None:
    """Make the target an empty database, removing an earlier benchmark; refuse to touch anything else."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(database_url)
        if path.exists() and not _sqlite_file_is_replaceable(path):
            raise NotABenchmarkDatabase(f"{path} exists and is not a benchmark database: not replacing it")
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"Only SQLite and PostgreSQL are supported, not {url.get_backend_name()}")
    name = url.database or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"Use a plain database name (letters, digits, _ and -), not {name!r}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists:
                target = make_engine(database_url)
                try:
                    replaceable = _postgres_database_is_replaceable(target)
                finally:
                    target.dispose()
                if not replaceable:
                    raise NotABenchmarkDatabase(
                        f"Database {name} exists and is not a benchmark: not replacing it"
                    )
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


# ---------------------------------------------------------------------------------------------------------
# The framework: the shipped worklessness framework with 24 more indicators.


def profile_marker(profile: str) -> str:
    """How the framework version's description starts for a build of this profile."""
    return MARKER if profile == "uniform" else f"{MARKER} Profile: {profile}."


def synthetic_framework_text(indicators: int = INDICATORS, profile: str = "uniform") -> str:
    """The shipped framework file with copies of its indicators appended (new codes and names, themes in
    turn) until it has `indicators`; its description starts with the profile's marker."""
    definition = yaml.safe_load(DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8"))
    definition["description"] = f"{profile_marker(profile)} {definition['description']}"
    originals = list(definition["indicators"])
    themes = [theme["code"] for theme in definition["themes"]]
    for number in range(len(originals) + 1, indicators + 1):
        extra = copy.deepcopy(originals[(number - 1) % len(originals)])
        extra["code"] = f"SYN-IND-{number}"
        extra["name"] = f"Synthetic measure {number} ({extra['name'][:150]})"
        extra["theme"] = themes[number % len(themes)]
        definition["indicators"].append(extra)
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=110)


# ---------------------------------------------------------------------------------------------------------
# Generating the rows.


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    unit: str
    decimal_places: int
    low: Decimal
    high: Decimal
    target_required: bool
    data_source: str


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    starts_on: date
    ends_on: date


@dataclass
class Plan:
    """Everything the row generators share: the framework's ids, the periods, the sites and the dice."""

    rng: Random
    programme_id: int
    version_id: int
    evaluator_id: int
    periods: list[PeriodInfo]
    indicators: list[IndicatorInfo]
    cost_categories: list[tuple[int, str, str, bool]]
    activity_types: list[tuple[int, str]]
    theme_ids: list[int]
    dimension_ids: list[int]
    evidence_level_ids: list[int]
    milestone_ids: list[int]
    site_ids: list[int] = field(default_factory=list)
    site_scale: dict[int, float] = field(default_factory=dict)
    site_partner_ids: dict[int, list[int]] = field(default_factory=dict)
    # Rows of each kind ("cost_lines", "activities", "learning") per return, in the order of `returns`.
    per_return: dict[str, list[int]] = field(default_factory=dict)
    # (return id, site id, quarter index, status, created_at) for every return, in id order.
    returns: list[tuple[int, int, int, str, datetime]] = field(default_factory=list)


def share(rate: Fraction, index: int) -> int:
    """How many rows the index-th return gets so that n returns hold exactly floor(n × rate) rows."""
    return math.floor((index + 1) * rate) - math.floor(index * rate)


def weighted_shares(total: int, weights: list[float]) -> list[int]:
    """`total` rows shared out in proportion to `weights`, exactly: each gets the step of a running sum."""
    whole = sum(weights)
    shares = []
    running = 0.0
    given = 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        shares.append(upto - given)
        given = upto
    return shares


def plan_volumes(plan: Plan, profile: str) -> None:
    """How many cost lines, activities and learning entries each return gets.

    uniform: the same share for every return (the 150-site data). skewed: the totals of SKEWED_PER_RETURN
    shared in proportion to a log-normal volume per site (a few sites dozens of times the median), growing
    over the pilot's first quarters, so no two sites look alike and the largest dominate the sums.
    """
    quarters = len(plan.periods)
    if profile == "uniform":
        rates = {
            "cost_lines": COST_LINES_PER_RETURN,
            "activities": ACTIVITIES_PER_RETURN,
            "learning": LEARNING_PER_RETURN,
        }
        plan.per_return = {
            kind: [share(rate, index) for index in range(len(plan.returns))] for kind, rate in rates.items()
        }
        return
    volume = {site_id: plan.rng.lognormvariate(0.0, SKEW_SIGMA) for site_id in plan.site_ids}
    weights = [
        volume[site_id] * min(1.0, 0.3 + quarter / max(1, min(8, quarters)))
        for _return_id, site_id, quarter, _status, _created_at in plan.returns
    ]
    plan.per_return = {
        kind: weighted_shares(math.floor(rate * len(plan.returns)), weights)
        for kind, rate in SKEWED_PER_RETURN.items()
    }


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time_of_day(hour), tzinfo=UTC)


def status_for(site_index: int, quarter: int, quarters: int) -> ReturnStatus:
    """Closed quarters locked; the one before the latest approved (a tenth submitted); the latest mixed."""
    if quarter < quarters - 2:
        return ReturnStatus.LOCKED
    if quarter == quarters - 2:
        return ReturnStatus.SUBMITTED if site_index % 10 == 9 else ReturnStatus.APPROVED
    bucket = site_index % 20
    if bucket < 3:
        return ReturnStatus.APPROVED
    if bucket < 11:
        return ReturnStatus.SUBMITTED
    if bucket < 15:
        return ReturnStatus.RETURNED
    return ReturnStatus.DRAFT


def figure(indicator: IndicatorInfo, scale: float, progress: float, rng: Random) -> Decimal:
    """A plausible figure for the indicator: within its range, growing as the pilot goes on."""
    if indicator.unit == IndicatorUnit.YES_NO.value:
        return Decimal(1 if rng.random() < 0.2 + 0.7 * progress else 0)
    fraction = min(1.0, (0.05 + 0.35 * progress) * scale * rng.uniform(0.7, 1.3))
    value = indicator.low + (indicator.high - indicator.low) * Decimal(f"{fraction:.6f}")
    return value.quantize(Decimal(1).scaleb(-indicator.decimal_places), rounding=ROUND_HALF_UP)


def site_rows(count: int) -> Iterator[dict[str, Any]]:
    for number in range(1, count + 1):
        yield {
            "id": number,
            "code": f"area-{number:03d}",
            "name": f"Area {number:03d}",
            "region": REGIONS[(number - 1) % len(REGIONS)],
            "local_authorities": [f"Area {number:03d} Council"],
            "is_active": True,
            "created_at": at(FIRST_QUARTER_STARTS_ON - timedelta(days=30)),
        }


def site_partner_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    partner_id = 0
    for site_id in plan.site_ids:
        partners = [
            (f"Area {site_id:03d} Council", PartnerType.LOCAL_AUTHORITY),
            ("Jobcentre Plus", PartnerType.JOBCENTRE_PLUS),
        ]
        if site_id % 2:
            partners.append((f"Area {site_id:03d} Employment Provider", PartnerType.PROVIDER))
        for name, kind in partners:
            partner_id += 1
            plan.site_partner_ids.setdefault(site_id, []).append(partner_id)
            yield {"id": partner_id, "site_id": site_id, "name": name, "partner_type": kind.value}


def return_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng
    quarters = len(plan.periods)
    every_section = [section.value for section in ReturnSection if section is not ReturnSection.DOCUMENTS]
    return_id = 0
    for site_index, site_id in enumerate(plan.site_ids):
        speed = rng.uniform(0.25, 0.7)
        late_start = rng.randint(0, 2)
        for quarter, period in enumerate(plan.periods):
            return_id += 1
            status = status_for(site_index, quarter, quarters)
            created_at = at(period.ends_on + timedelta(days=rng.randint(1, 10)))
            submitted_at = created_at + timedelta(days=rng.randint(5, 20))
            reviewed_at = submitted_at + timedelta(days=rng.randint(3, 15))
            past_draft = status is not ReturnStatus.DRAFT
            reviewed = status in (ReturnStatus.RETURNED, ReturnStatus.APPROVED, ReturnStatus.LOCKED)
            # Most returns were approved before their period closed; one in ten locked as it stood.
            approved = status is ReturnStatus.APPROVED or (
                status is ReturnStatus.LOCKED and (site_index + quarter) % 10 != 0
            )
            milestone = min(len(plan.milestone_ids) - 1, int(max(0, quarter - late_start) * speed))
            plan.returns.append((return_id, site_id, quarter, status.value, created_at))
            yield {
                "id": return_id,
                "site_id": site_id,
                "reporting_period_id": period.id,
                "framework_version_id": plan.version_id,
                "status": status.value,
                "version": rng.randint(1, 6),
                "completed_sections": every_section
                if past_draft
                else sorted(rng.sample(every_section, rng.randint(0, 3))),
                "journey_milestone_id": plan.milestone_ids[milestone],
                "journey_evidence": f"Milestone evidence for area {site_id:03d}, quarter {quarter + 1}.",
                "created_at": created_at,
                "created_by_id": None,
                "submitted_at": submitted_at if past_draft else None,
                "submitted_by_id": None,
                "reviewed_at": reviewed_at if reviewed else None,
                "reviewed_by_id": plan.evaluator_id if reviewed else None,
                "approved_at": reviewed_at if approved else None,
                "approved_by_id": plan.evaluator_id if approved else None,
                "locked_at": reviewed_at + timedelta(days=30) if status is ReturnStatus.LOCKED else None,
            }


def cost_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng
    for index, (return_id, site_id, quarter, _status, created_at) in enumerate(plan.returns):
        scale = plan.site_scale[site_id]
        set_up_share = 0.6 if quarter < 4 else 0.1
        for line in range(plan.per_return["cost_lines"][index]):
            category_id, code, name, in_kind = rng.choice(plan.cost_categories)
            quantity = unit = rate = None
            if code in STAFF_TIME_CATEGORIES:
                unit = rng.choice((TimeUnit.HOURS, TimeUnit.DAYS))
                quantity = Decimal(rng.randint(2, 80)) / 2
                pence = rng.randint(1_200, 4_500) if unit is TimeUnit.HOURS else rng.randint(9_000, 34_000)
                rate = Decimal(pence) / 100
                amount = (quantity * rate).quantize(PENNY, rounding=ROUND_HALF_UP)
            else:
                amount = Decimal(max(1, int(rng.randint(2_000, 400_000) * scale))) / 100
            partly = rng.random() < 0.2
            yield {
                "site_return_id": return_id,
                "site_id": site_id,
                "cost_category_id": category_id,
                "description": f"{name}: line {line + 1}",
                "amount": amount,
                "cost_type": (CostType.SET_UP if rng.random() < set_up_share else CostType.RUNNING).value,
                "funding": (Funding.IN_KIND if in_kind or rng.random() < 0.1 else Funding.CASH).value,
                "attributable_percent": Decimal(rng.choice((25, 50, 60, 75, 90))) if partly else Decimal(100),
                "attribution_reason": "Shared with the council's wider employment programme."
                if partly
                else "",
                "staff_time_quantity": quantity,
                "staff_time_unit": unit.value if unit is not None else None,
                "staff_rate": rate,
                "funder": rng.choice(FUNDERS),
                "import_reference": f"C-{line + 1}",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


def saving_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """Savings claimed by every third site, from its second quarter on."""
    rng = plan.rng
    for return_id, site_id, quarter, _status, created_at in plan.returns:
        if site_id % 3 != 1 or quarter < 1:
            continue
        for number in range(rng.randint(1, 2)):
            yield {
                "site_return_id": return_id,
                "site_id": site_id,
                "description": f"Cost avoided by targeted outreach, claim {number + 1}",
                "amount": Decimal(rng.randint(50_000, 2_500_000)) / 100,
                "evidence": "Fewer repeat referrals in the partners' logs than in the baseline year.",
                "evidence_level_id": rng.choice(plan.evidence_level_ids) if rng.random() < 0.8 else None,
                "import_reference": f"S-{number + 1}",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


def activity_rows(
    plan: Plan, theme_links: list[dict[str, int]], partner_links: list[dict[str, int]]
) -> Iterator[dict[str, Any]]:
    """Activities; their theme and partner links are appended to the two lists as they are made."""
    rng = plan.rng
    partner_types = [kind.value for kind in PartnerType]
    activity_id = 0
    for index, (return_id, site_id, quarter, _status, created_at) in enumerate(plan.returns):
        period = plan.periods[quarter]
        scale = plan.site_scale[site_id]
        last_start = (period.ends_on - period.starts_on).days
        for number in range(plan.per_return["activities"][index]):
            activity_id += 1
            type_id, type_name = rng.choice(plan.activity_types)
            starts_on = period.starts_on + timedelta(days=rng.randint(0, last_start))
            ends_on = min(period.ends_on, starts_on + timedelta(days=rng.randint(0, 30)))
            for theme_id in rng.sample(plan.theme_ids, rng.randint(1, 2)):
                theme_links.append({"activity_id": activity_id, "theme_id": theme_id})
            site_partners = plan.site_partner_ids[site_id]
            for partner_id in rng.sample(site_partners, rng.randint(1, len(site_partners))):
                partner_links.append({"activity_id": activity_id, "site_partner_id": partner_id})
            yield {
                "id": activity_id,
                "site_return_id": return_id,
                "site_id": site_id,
                "activity_type_id": type_id,
                "title": f"{type_name} {number + 1}",
                "description": f"{type_name} carried out by the partnership in quarter {quarter + 1}.",
                "starts_on": starts_on,
                "ends_on": ends_on,
                "partner_types": sorted(rng.sample(partner_types, rng.randint(1, 3))),
                "people_reached": int(rng.randint(0, 400) * scale) if rng.random() < 0.9 else None,
                "outputs": "Contacts made and referrals recorded in the tracking spreadsheet.",
                "import_reference": f"A-{number + 1}",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


def baseline_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """One baseline a site and indicator, with about one in eight missing."""
    rng = plan.rng
    created_at = at(FIRST_QUARTER_STARTS_ON)
    for site_id in plan.site_ids:
        for indicator in plan.indicators:
            if rng.random() < 0.12:
                continue
            yield {
                "site_id": site_id,
                "indicator_code": indicator.code,
                "value": figure(indicator, plan.site_scale[site_id], 0.0, rng),
                "period_description": "April 2008 to March 2009",
                "source": "Partners' management information for the year before the pilot.",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


def measure_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """One value a return and indicator; a few "not yet available", more in unfinished returns."""
    rng = plan.rng
    quarters = len(plan.periods)
    qualities = [rating.value for rating in QualityRating]
    unfinished = {ReturnStatus.DRAFT.value, ReturnStatus.RETURNED.value}
    for return_id, site_id, quarter, status, created_at in plan.returns:
        scale = plan.site_scale[site_id]
        progress = quarter / max(1, quarters - 1)
        missing_chance = 0.2 if status in unfinished else 0.06
        for indicator in plan.indicators:
            row: dict[str, Any] = {
                "site_return_id": return_id,
                "site_id": site_id,
                "indicator_id": indicator.id,
                "value": None,
                "not_available_reason": None,
                "target": None,
                "data_source": "",
                "quality_rating": None,
                "quality_reason": "",
                "evidence_level_id": None,
                "commentary": "",
                "range_justification": "",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }
            if rng.random() < missing_chance:
                row["not_available_reason"] = rng.choice(NOT_AVAILABLE_REASONS)
            else:
                rating = rng.choice(qualities)
                row["value"] = figure(indicator, scale, progress, rng)
                if indicator.target_required:
                    row["target"] = figure(indicator, scale * 1.15, progress, rng)
                row["data_source"] = indicator.data_source
                row["quality_rating"] = rating
                row["quality_reason"] = QUALITY_REASONS[QualityRating(rating)]
                row["evidence_level_id"] = rng.choice(plan.evidence_level_ids)
            yield row


def learning_rows(plan: Plan, dimension_links: list[dict[str, int]]) -> Iterator[dict[str, Any]]:
    """Learning entries; their areas (learning dimensions) are appended to `dimension_links`."""
    rng = plan.rng
    kinds = list(LearningType)
    reviewed = {ReturnStatus.APPROVED.value, ReturnStatus.LOCKED.value}
    entry_id = 0
    for index, (return_id, site_id, _quarter, status, created_at) in enumerate(plan.returns):
        for number in range(plan.per_return["learning"][index]):
            entry_id += 1
            kind = rng.choice(kinds)
            title, happened, matters, implication = LEARNING_TEXT[kind]
            for dimension_id in rng.sample(plan.dimension_ids, rng.randint(1, 2)):
                dimension_links.append({"learning_entry_id": entry_id, "learning_dimension_id": dimension_id})
            cleared = status in reviewed and rng.random() < 0.4
            yield {
                "id": entry_id,
                "site_return_id": return_id,
                "site_id": site_id,
                "learning_type": kind.value,
                "theme_id": rng.choice(plan.theme_ids) if rng.random() < 0.9 else None,
                "title": f"{title} ({number + 1})",
                "what_happened": happened,
                "why_it_matters": matters,
                "national_implication": implication,
                "cleared_for_national": cleared,
                "cleared_by_id": plan.evaluator_id if cleared else None,
                "import_reference": f"L-{number + 1}",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


def data_flow_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """Four data flows a site; some never requested, some waiting for approval or for the data."""
    rng = plan.rng
    first_day = plan.periods[0].starts_on
    for site_id in plan.site_ids:
        for dataset, holder, gateway in rng.sample(DATASETS, DATA_FLOWS_PER_SITE):
            requested = approved = received = None
            if rng.random() < 0.9:
                requested = first_day + timedelta(days=rng.randint(10, 400))
                if rng.random() < 0.75:
                    approved = requested + timedelta(days=rng.randint(15, 180))
                    if rng.random() < 0.75:
                        received = approved + timedelta(days=rng.randint(5, 90))
            if approved is not None:
                agreement = AgreementStatus.IN_PLACE
            elif requested is not None:
                agreement = AgreementStatus.IN_PROGRESS
            else:
                agreement = AgreementStatus.NOT_STARTED
            assessment = AgreementStatus.NOT_NEEDED if rng.random() < 0.15 else agreement
            created_at = at(requested or first_day)
            yield {
                "site_id": site_id,
                "dataset": dataset,
                "holder": holder,
                "purpose": "Find residents out of work who could be offered support.",
                "legal_gateway": gateway,
                "agreement_status": agreement.value,
                "impact_assessment_status": assessment.value,
                "requested_on": requested,
                "approved_on": approved,
                "received_on": received,
                "notes": "",
                "version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }


# ---------------------------------------------------------------------------------------------------------
# Writing.


def insert_in_batches(session: Session, target: type[Any] | Table, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk-insert through the model (or link table), BATCH_SIZE rows at a time; returns the row count."""
    statement = insert(target)
    written = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            with transaction(session):
                session.execute(statement, batch)
            written += len(batch)
            batch = []
    if batch:
        with transaction(session):
            session.execute(statement, batch)
        written += len(batch)
    return written


def _user(email: str, role: Role, name: str) -> User:
    return User(
        email=email,
        full_name=name,
        # Nobody signs in with this password; dashboard_speed.py sets its own for the evaluator.
        password_hash=hash_password(secrets.token_urlsafe(24)),
        role=role.value,
        session_token=new_session_token(),
        is_active=True,
    )


def _framework_plan(session: Session, quarters: int, seed: int, profile: str) -> Plan:
    """Users, the 40-indicator framework published through the framework services, and its periods."""
    with transaction(session):
        administrator = _user(ADMINISTRATOR_EMAIL, Role.ADMINISTRATOR, "Benchmark administrator")
        evaluator = _user(EVALUATOR_EMAIL, Role.EVALUATOR, "Benchmark evaluator")
        session.add_all([administrator, evaluator])
    source = synthetic_framework_text(profile=profile)
    definition, problems = lifecycle.check_file(session, source)
    if definition is None:
        raise RuntimeError("The synthetic framework file is invalid: " + "; ".join(map(str, problems)))
    reason = "Synthetic benchmark data"
    with transaction(session):
        outcome = lifecycle.import_framework(
            session, source, actor=administrator, filename="benchmark-framework.yaml", reason=reason
        )
        lifecycle.publish_version(session, outcome.version, actor=administrator, reason=reason)
        framework = outcome.version.framework
        # The service's only programme, made by the import: the evaluator reads it as an evaluator.
        programmes.follow_account_role(session, actor=administrator, user=evaluator)
        add_reporting_periods(
            session,
            framework,
            kind=PeriodKind.QUARTER,
            first_starts_on=FIRST_QUARTER_STARTS_ON,
            count=quarters,
            closed_count=max(0, quarters - 2),
            actor=administrator,
            reason=reason,
        )
    version: FrameworkVersion = outcome.version
    periods = session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.framework_id == framework.id)
        .order_by(ReportingPeriod.starts_on)
    )
    return Plan(
        rng=Random(seed),
        programme_id=framework.programme_id,
        version_id=version.id,
        evaluator_id=evaluator.id,
        periods=[PeriodInfo(period.id, period.starts_on, period.ends_on) for period in periods],
        indicators=[
            IndicatorInfo(
                id=indicator.id,
                code=indicator.code,
                unit=indicator.unit,
                decimal_places=indicator.decimal_places,
                low=indicator.plausible_min if indicator.plausible_min is not None else Decimal(0),
                high=indicator.plausible_max if indicator.plausible_max is not None else Decimal(1),
                target_required=indicator.target_required,
                data_source=(indicator.data_sources or DATA_SOURCES)[0][:200],
            )
            for indicator in version.indicators
        ],
        cost_categories=[(c.id, c.code, c.name, c.in_kind) for c in version.cost_categories],
        activity_types=[(a.id, a.name) for a in version.activity_types],
        theme_ids=[theme.id for theme in version.themes],
        dimension_ids=[dimension.id for dimension in version.learning_dimensions],
        evidence_level_ids=[level.id for level in version.evidence_levels],
        milestone_ids=[milestone.id for milestone in sorted(version.milestones, key=lambda m: m.percentage)],
    )


def _finish(engine: Engine) -> None:
    """Move PostgreSQL's id sequences past the explicit ids, then gather planner statistics (ANALYZE)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in TABLES_WITH_EXPLICIT_IDS:
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))  # noqa: S608
            connection.execute(text("ANALYZE"))
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows in every table the build fills."""
    with engine.connect() as connection:
        return {
            table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608 (fixed names)
            for table in COUNTED_TABLES
        }


def build(
    database_url: str, sites: int = 150, quarters: int = 20, seed: int = 1, profile: str = "uniform"
) -> dict[str, int]:
    """Create a fresh benchmark database at `database_url` and return the row count of every table filled.

    An earlier benchmark (or an empty database) at the URL is replaced; anything else raises
    NotABenchmarkDatabase.
    """
    if not 1 <= sites <= 999:
        raise ValueError("Build between 1 and 999 sites")
    if not 1 <= quarters <= 120:
        raise ValueError("Build between 1 and 120 quarters")
    if profile not in PROFILES:
        raise ValueError(f"The profile is one of {', '.join(PROFILES)}, not {profile!r}")
    prepare_empty_database(database_url)
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        session = make_session_factory(engine)()
        try:
            plan = _framework_plan(session, quarters, seed, profile)
            plan.site_ids = list(range(1, sites + 1))
            plan.site_scale = {site_id: plan.rng.uniform(0.4, 1.6) for site_id in plan.site_ids}
            insert_in_batches(session, Site, site_rows(sites))
            insert_in_batches(
                session,
                ProgrammeSite,
                ({"programme_id": plan.programme_id, "site_id": site_id} for site_id in plan.site_ids),
            )
            insert_in_batches(session, SitePartner, site_partner_rows(plan))
            insert_in_batches(session, SiteReturn, return_rows(plan))
            plan_volumes(plan, profile)
            insert_in_batches(session, CostItem, cost_rows(plan))
            insert_in_batches(session, SavingClaim, saving_rows(plan))
            theme_links: list[dict[str, int]] = []
            partner_links: list[dict[str, int]] = []
            insert_in_batches(session, Activity, activity_rows(plan, theme_links, partner_links))
            insert_in_batches(session, activity_themes, theme_links)
            insert_in_batches(session, activity_partners, partner_links)
            insert_in_batches(session, Baseline, baseline_rows(plan))
            insert_in_batches(session, MeasureValue, measure_rows(plan))
            dimension_links: list[dict[str, int]] = []
            insert_in_batches(session, LearningEntry, learning_rows(plan, dimension_links))
            insert_in_batches(session, learning_entry_dimensions, dimension_links)
            # Bulk inserts go round the ORM events that keep each return's figures: build them all at once.
            with transaction(session):
                rebuild_figures(session.connection())
            insert_in_batches(session, DataFlow, data_flow_rows(plan))
        finally:
            session.close()
        _finish(engine)
        return count_rows(engine)
    finally:
        engine.dispose()


def copy_benchmark(source_url: str, target_url: str) -> dict[str, int]:
    """Copy a finished benchmark (a SQLite file, say) into a fresh PostgreSQL database with COPY.

    The same rows on the second engine without generating them again: PostgreSQL takes the generator's
    batched INSERTs many times slower than SQLite on a busy machine. The schema is built by the
    migrations, every table of the models is emptied and then filled from the source in one
    transaction, with foreign keys checked by the schema only once every row is in (replica mode),
    and the id sequences are moved past the copied ids.
    """
    if make_url(target_url).get_backend_name() != "postgresql":
        raise ValueError("Copy into a PostgreSQL database")
    prepare_empty_database(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        upgrade(target)
        tables = list(Base.metadata.sorted_tables)
        raw = target.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET session_replication_role = replica")
            names = ", ".join(f'"{table.name}"' for table in tables)
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            with source.connect() as reading:
                for table in tables:
                    columns = list(table.columns)
                    as_json = [isinstance(column.type, JSON) for column in columns]
                    listed = ", ".join(f'"{column.name}"' for column in columns)
                    rows = reading.execution_options(yield_per=20_000).execute(select(*columns))
                    with cursor.copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copying:  # type: ignore[attr-defined]
                        for row in rows:
                            copying.write_row(
                                [
                                    json.dumps(value) if encode and value is not None else value
                                    for value, encode in zip(row, as_json, strict=True)
                                ]
                            )
            cursor.execute("SET session_replication_role = DEFAULT")
            for table in tables:
                if "id" in table.columns and table.columns["id"].autoincrement is not False:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"), false) '
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                    )
            raw.commit()
        finally:
            raw.close()
        _finish_analyze(target)
        return count_rows(target)
    finally:
        source.dispose()
        target.dispose()


def _finish_analyze(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def is_complete_benchmark(
    database_url: str, sites: int, quarters: int = 20, profile: str = "uniform"
) -> bool:
    """True when the URL holds a finished benchmark of this size at the latest migration: reusable."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(database_url)
        if not path.exists() or not _sqlite_file_is_replaceable(path):
            return False
    engine = make_engine(database_url)
    try:
        if current_revision(engine) != recorded_head():
            return False
        with engine.connect() as connection:
            found_sites = connection.scalar(select(func.count()).select_from(Site))
            framework = connection.scalar(select(Framework.id).where(Framework.code == FRAMEWORK_CODE))
            found_periods = connection.scalar(
                select(func.count())
                .select_from(ReportingPeriod)
                .where(ReportingPeriod.framework_id == framework)
            )
            descriptions = connection.scalars(
                select(FrameworkVersion.description).where(FrameworkVersion.description.like(MARKER + "%"))
            ).all()
            skewed = profile_marker("skewed")
            marked = any(
                description.startswith(skewed) == (profile == "skewed") for description in descriptions
            )
            # Data flows are written last: their presence means the build ran to the end.
            flows = connection.scalar(select(func.count()).select_from(DataFlow))
            # Data built before programmes existed is invisible to the evaluator: not reusable.
            programme_sites = connection.scalar(select(func.count()).select_from(ProgrammeSite))
    except SQLAlchemyError:  # a missing database or table: not a finished benchmark
        return False
    finally:
        engine.dispose()
    return (
        bool(marked)
        and found_sites == sites
        and found_periods == quarters
        and flows == sites * DATA_FLOWS_PER_SITE
        and programme_sites == sites
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=150, help="pilot sites (default 150)")
    parser.add_argument(
        "--quarters", type=int, default=20, help="quarterly periods from 2009 Q2 (default 20)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="uniform",
        help="uniform: 100 cost lines a return (default); skewed: log-normal site sizes, 1,000,000 cost "
        "lines, 300,000 activities and 50,000 learning entries at 350 sites × 40 quarters",
    )
    parser.add_argument(
        "--database-url",
        help="SQLite or PostgreSQL URL (default sqlite:///instance/benchmark-<sites>.sqlite)",
    )
    parser.add_argument(
        "--copy-from",
        metavar="URL",
        help="copy this finished benchmark into the PostgreSQL --database-url rather than generating",
    )
    arguments = parser.parse_args(argv)
    database_url = arguments.database_url or default_database_url(arguments.sites)
    started = time.perf_counter()
    try:
        if arguments.copy_from:
            counts = copy_benchmark(arguments.copy_from, database_url)
        else:
            counts = build(
                database_url,
                sites=arguments.sites,
                quarters=arguments.quarters,
                seed=arguments.seed,
                profile=arguments.profile,
            )
    except NotABenchmarkDatabase as refusal:
        print(f"Refused: {refusal}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"Built {make_url(database_url).render_as_string(hide_password=True)}")
    width = max(map(len, counts))
    for table, count in counts.items():
        print(f"  {table:<{width}}  {count:>9,}")
    print(f"in {seconds:.1f} seconds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
