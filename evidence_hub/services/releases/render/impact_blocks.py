"""The learning summary's impact section as plain blocks: each site's figure named as its evidence
allows, the pooled estimate, the table the data pack also holds, the methodology and the caveats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from evidence_hub.services.releases.impact_section import (
    IMPACT_COLUMNS,
    impact_rows,
    pooled_sentence,
    site_sentence,
)
from evidence_hub.services.releases.render.blocks import IMPACT, Block, Bullets, Heading, Paragraph, Table
from evidence_hub.services.releases.render.words import clean_text

IMPACT_AGAINST_COMPARISON_AREAS: Final = IMPACT
NUMERIC_KEYS = frozenset({"estimate", "ci_low", "ci_high"})


def impact_blocks(summary: Mapping[str, Any]) -> list[Block]:
    section = summary.get("impact")
    blocks: list[Block] = [Heading(IMPACT_AGAINST_COMPARISON_AREAS, 1)]
    if not section:
        return [
            *blocks,
            Paragraph(
                "This release has no estimates against comparison areas: every change shown is a change from "
                "baseline, not an estimate of impact."
            ),
        ]
    blocks.append(
        Paragraph(
            f"{clean_text(section['indicator'])}: each site against comparison areas that did not take part, "
            f"before and after the pilot began in {section['first_pilot_quarter']}. Evidence is rated on the "
            f"{clean_text(section['scale'])}."
        )
    )
    blocks.append(Bullets(tuple(site_sentence(site) for site in section["sites"])))
    blocks.append(Paragraph(pooled_sentence(section["pooled"]), "Across sites"))
    rows = impact_rows(section, in_words=True)
    blocks.append(
        Table(
            caption=f"Impact estimates: {clean_text(section['indicator'])}",
            headings=tuple(column.heading for column in IMPACT_COLUMNS),
            rows=tuple(
                tuple("–" if value in (None, "") else clean_text(value) for value in row) for row in rows
            ),
            numeric=tuple(column.key in NUMERIC_KEYS for column in IMPACT_COLUMNS),
        )
    )
    warnings = [warning for site in section["sites"] for warning in site["warnings"]]
    warnings += section["pooled"]["warnings"]
    if warnings:
        blocks += [Heading("Warnings", 2), Bullets(tuple(clean_text(each) for each in warnings))]
    blocks += [
        Heading("How the estimates are worked out", 2),
        *(Paragraph(clean_text(text)) for text in section["methodology"]),
        Heading("Caveats", 2),
        Bullets(tuple(clean_text(text) for text in section["caveats"])),
    ]
    return blocks
