"""Searching a framework version: everything whose text holds every word of a query, with the words marked
in an excerpt."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evidence_hub.models import FrameworkVersion

MAX_SEARCH_WORDS = 10
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class SearchHit:
    # Which page shows the item: "indicator", "theme", "question", "cost_category", "activity_type",
    # "learning_type", "learning_dimension", "partner_role", "milestone" or "evidence_level".
    kind: str
    kind_label: str
    code: str
    title: str
    # The text around the first match, split into (text, is_a_match) pieces for highlighting.
    excerpt: tuple[tuple[str, bool], ...]


def search_words(query: str) -> list[str]:
    """The distinct words of a search, lower-cased, at most MAX_SEARCH_WORDS of them."""
    words: list[str] = []
    for word in re.findall(r"[\w£%]+", query[:MAX_SEARCH_LENGTH].casefold()):
        if word not in words:
            words.append(word)
    return words[:MAX_SEARCH_WORDS]


def _searchable(version: FrameworkVersion) -> Iterable[tuple[str, str, str, str, list[str]]]:
    for theme in version.themes:
        yield "theme", "Theme", theme.code, theme.title, [theme.title, theme.description]
        for question in theme.questions:
            yield (
                "question",
                "Evaluation question",
                question.code,
                question.text,
                [question.text, question.guidance],
            )
    for i in version.indicators:
        texts = [i.code, i.name, i.definition, i.include_guidance, i.exclude_guidance, *i.data_sources]
        yield "indicator", "Indicator", i.code, i.name, texts
    for c in version.cost_categories:
        texts = [c.code, c.name, c.description, c.include_guidance, c.exclude_guidance, *c.examples]
        yield "cost_category", "Cost category", c.code, c.name, texts
    for a in version.activity_types:
        yield "activity_type", "Activity type", a.code, a.name, [a.code, a.name, a.description]
    for t in version.learning_types:
        yield "learning_type", "Learning type", t.code, t.name, [t.name, t.description, *t.examples]
    for d in version.learning_dimensions:
        yield "learning_dimension", "Learning dimension", d.code, d.name, [d.name, d.description]
    for r in version.partner_roles:
        yield (
            "partner_role",
            "Partner role",
            r.partner_type,
            r.partner_type_label,
            [r.partner_type_label, r.role],
        )
    for m in version.milestones:
        yield (
            "milestone",
            "Journey milestone",
            m.code,
            f"{m.percentage}%: {m.title}",
            [m.title, m.definition, m.evidence],
        )
    for s in version.evidence_scales:
        for level in s.levels:
            yield (
                "evidence_level",
                "Evidence level",
                f"{s.code}-{level.level}",
                f"{s.name}, level {level.level}: {level.title}",
                [s.name, level.title, level.description, level.prompt],
            )


def search_version(version: FrameworkVersion, query: str) -> list[SearchHit]:
    """Everything in a version that contains every word of the query (a word also matches longer words)."""
    words = search_words(query)
    if not words:
        return []
    hits: list[SearchHit] = []
    for kind, kind_label, code, title, texts in _searchable(version):
        haystack = " ".join(texts).casefold()
        if all(word in haystack for word in words):
            hits.append(SearchHit(kind, kind_label, code, title, _excerpt(texts, words)))
    return hits


def _excerpt(texts: Sequence[str], words: Sequence[str], width: int = 220) -> tuple[tuple[str, bool], ...]:
    text = next((t for t in texts if any(word in t.casefold() for word in words)), texts[0] if texts else "")
    folded = text.casefold()
    first = min((folded.find(word) for word in words if word in folded), default=0)
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    window = text[start:end]
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    pieces: list[tuple[str, bool]] = []
    if start:
        pieces.append(("…", False))
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            pieces.append((window[position : match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(window):
        pieces.append((window[position:], False))
    if end < len(text):
        pieces.append(("…", False))
    return tuple(pieces)
