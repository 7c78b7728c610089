"""What a framework file may contain: the fields of each kind of entry, and the limits on its codes,
text and numbers.

docs/framework-format.md describes the same for people, and the JSON Schema shipped with the service
(shipped_files.py) for tools; tests check that they agree.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_FILE_BYTES = 1024 * 1024
FORMAT_VERSION = 1
MAX_DECIMAL_PLACES = 4
# Numeric(18, 4) holds 14 digits before the point.
MAX_ABSOLUTE_VALUE = Decimal(10) ** 14
NAME_LENGTH = 200
TEXT_LENGTH = 10_000
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FRAMEWORK_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRAMEWORK_CODE_LENGTH = 60
# Words the framework pages use in their own addresses (/framework/upload), so no framework can have them.
RESERVED_FRAMEWORK_CODES = frozenset({"upload", "schema"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# The fields each kind of entry may have: key → (what it is called in messages, required).
TOP_LEVEL_FIELDS = {
    "format_version": ("file format version", False),
    "code": ("framework code", True),
    "name": ("framework name", True),
    "version": ("version number", True),
    "effective_from": ("date it takes effect", True),
    "reporting_year": ("reporting year (calendar or financial)", False),
    "description": ("description", True),
    "themes": ("themes", True),
    "indicators": ("indicators", True),
    "cost_categories": ("cost categories", True),
    "activity_types": ("activity types", False),
    "learning_types": ("learning types", True),
    "learning_dimensions": ("learning dimensions", True),
    "partner_roles": ("partner roles", False),
    "journey": ("data-sharing journey", False),
    "evidence_scales": ("evidence scales", True),
    "appraisal": ("value-for-money appraisal settings", False),
    "impact": ("impact evaluation settings", False),
}
THEME_FIELDS = {
    "code": ("code", True),
    "title": ("title", True),
    "description": ("description", True),
    "questions": ("evaluation questions", True),
}
QUESTION_FIELDS = {"code": ("code", True), "text": ("question", True), "guidance": ("guidance", False)}
INDICATOR_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "theme": ("theme", True),
    "definition": ("definition", True),
    "unit": ("unit", True),
    "decimal_places": ("number of decimal places", True),
    "direction": ("direction", True),
    "combine": ("rule for combining sites", True),
    "weighted_by": ("weighting indicator", False),
    "frequency": ("collection frequency", True),
    "baseline_required": ("whether a baseline is required", True),
    "target_required": ("whether a target is required", True),
    "plausible_min": ("plausible minimum", False),
    "plausible_max": ("plausible maximum", False),
    "include": ("guidance on what to include", True),
    "exclude": ("guidance on what to exclude", True),
    "data_sources": ("suggested data sources", True),
    "minimum_evidence": ("minimum evidence strength", True),
    "release": ("how its figures are released", False),
}
RELEASE_FIELDS = {
    "counts": ("what it counts (people or records)", False),
    "numerator": ("formula numerator", False),
    "denominator": ("formula denominator", False),
    "multiplier": ("formula multiplier", False),
    "as_percentage_of": ("indicator it is released as a percentage of", False),
    "management_information": ("whether it is the sites' own management information", False),
}
# What a count may count, and the figure a formula may use besides indicators.
RELEASE_COUNTS = ("people", "records")
ATTRIBUTABLE_COST = "attributable_cost"
MINIMUM_EVIDENCE_FIELDS = {"scale": ("evidence scale", True), "level": ("evidence level", True)}
COST_CATEGORY_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", False),
    "include": ("guidance on what to include", True),
    "exclude": ("guidance on what to exclude", True),
    "examples": ("examples", False),
    "in_kind": ("whether the cost is met in kind", False),
}
ACTIVITY_TYPE_FIELDS = {"code": ("code", True), "name": ("name", True), "description": ("description", True)}
LEARNING_TYPE_FIELDS = {
    "code": ("learning type", True),
    "description": ("description", True),
    "examples": ("examples", False),
}
LEARNING_DIMENSION_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", True),
}
PARTNER_ROLE_FIELDS = {"partner_type": ("partner type", True), "role": ("role", True)}
MILESTONE_FIELDS = {
    "code": ("code", True),
    "percentage": ("percentage", True),
    "title": ("title", True),
    "definition": ("definition", True),
    "evidence": ("evidence that it has been reached", False),
}
EVIDENCE_SCALE_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", True),
    "source": ("source", False),
    "levels": ("levels", True),
}
EVIDENCE_LEVEL_FIELDS = {
    "level": ("level number", True),
    "title": ("title", True),
    "description": ("description", True),
    "prompt": ("prompt for pilot leads", True),
}
IMPACT_FIELDS = {
    "evidence_scale": ("evidence scale used for prompts and ratings", True),
    "comparison_indicators": ("indicators observed in comparison areas", False),
    "comparison_figures_in_returns": ("whether site leads enter comparison figures in their returns", False),
    "relations": ("theory-of-change relations", False),
}
# A relation is `at_most` (smaller ≤ larger) or `rate` (rate = numerator ÷ denominator × multiplier).
RELATION_KINDS = ("at_most", "rate")
RELATION_FIELDS = {
    "kind": ("kind of relation", True),
    "smaller": ("indicator that can be no more than the other", False),
    "larger": ("indicator it can be no more than", False),
    "rate": ("rate indicator", False),
    "numerator": ("numerator indicator", False),
    "denominator": ("denominator indicator", False),
    "multiplier": ("multiplier", False),
}
