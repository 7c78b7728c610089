"""Disclosure control: what national officials may see of aggregated tables, percentages, means and text.

Everything a national official receives (pages, files, the API) passes through here first. The rules follow
the DWP guidance on sharing information with stakeholders (../shared/seeds/): share anonymised aggregates,
never anything that could identify a person, and prefer percentages to absolute numbers where they serve.

Rules (``DisclosureRules``):

- Primary suppression: a count of people from 1 to ``threshold - 1`` (default 10, so 1 to 9) is shown as
  ``[c]``, in the body of a table and in its totals alike.
- Zeros: a zero is a true zero and is shown by default. It says that nobody is in that group, which
  identifies no one, and hiding it would also hide a real absence of activity from the people deciding on
  roll-out. A table where even "nobody" is sensitive can set ``suppress_zeros=True``.
- Secondary suppression: a table is published with its row totals, column totals and grand total, so a
  single ``[c]`` in a row could be worked out by subtraction. Further cells are suppressed until no ``[c]``
  value can be worked out from the published figures (see "How secondary suppression works" below).
- Rounding (``round_to``, off by default): after suppression, every published count and every published
  total is rounded to the nearest multiple on its own (halves round up). Rounded figures may therefore not
  add up to the rounded totals; the report's notes say so.
- Percentages and means on a base of fewer people than the threshold are withheld, and so is any figure
  worked out from a withheld one. Releases no longer use ``protect_counts`` below: they protect every
  table and derived figure as one linked system, across releases, and audit it against the intruder
  (``protection``, ``intruder``, ``protected_tables``); ``protect_counts`` and ``recoverable_cells``
  remain for a single table on its own.
- Free text comes only from learning entries cleared for national sharing.

How secondary suppression works. Think of the published table as a grid with the row totals as an extra
column and the column totals (with the grand total) as an extra row. Every row and every column of that
grid is one equation: its last entry equals the sum of the others. The suppressed entries are the unknowns.

1. Line rule (a heuristic, iterated to a fixed point): a line holding exactly one ``[c]`` could be solved
   for it, so one more entry of that line is suppressed: the smallest non-zero published count inside the
   line, or, when there is none, the line's total (which then needs a partner in its own line, and so on).
2. Check: ``recoverable_cells`` solves the system exactly (Gaussian elimination over fractions) and lists
   every ``[c]`` whose value is fixed by the published figures. The line rule alone can leave some: two
   blocks of ``[c]`` joined by a single ``[c]`` have two in every line, yet the joining one can be worked
   out. For each such cell one more entry is suppressed, chosen so that it closes a loop of ``[c]`` through
   the recoverable cell, until the check finds nothing. ``protect_counts`` never returns a table with a
   recoverable ``[c]``.

What this does not cover: someone who also uses the fact that counts are never negative can narrow a
``[c]`` down to a range (two ``[c]`` in a row that must add up to 12 are each at most 12), and a row with
everyone in one column says something about all of them. The exact check only guarantees that no ``[c]``
can be worked out to a single value; keep tables at aggregate levels (site, period) where that is enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal, Protocol, TypeVar

Suppressed = Literal["[c]"]
SUPPRESSED: Final[Suppressed] = "[c]"
Cell = int | Suppressed
Position = tuple[int, int]


class DisclosureError(ValueError):
    """A table, a figure or a rule that disclosure control cannot work with."""


@dataclass(frozen=True)
class DisclosureRules:
    """The rules in force for one output. ``threshold`` is the smallest count of people that may be shown."""

    threshold: int = 10
    round_to: int | None = None
    suppress_zeros: bool = False
    withhold_small_shares: bool = True

    def __post_init__(self) -> None:
        if not _is_count(self.threshold) or self.threshold < 1:
            raise DisclosureError("The threshold must be a whole number of people, at least 1.")
        if self.round_to is not None and (not _is_count(self.round_to) or self.round_to < 1):
            raise DisclosureError("Counts can only be rounded to a whole number, at least 1.")

    # The sentences below are what outputs print in their notes: plain English, one rule each.

    def count_sentences(self) -> list[str]:
        sentences = [f"Counts of people below {self.threshold} are shown as {SUPPRESSED}."]
        if self.suppress_zeros:
            sentences.append(f"Zeros are shown as {SUPPRESSED} too.")
        else:
            sentences.append("A zero is a true zero and is shown.")
        sentences.append(
            f"Further counts are shown as {SUPPRESSED} where needed, so that no {SUPPRESSED} can be worked "
            "out, "
            f"or narrowed down to fewer than {self.threshold} possible values, from this release and every "
            "earlier release of the framework taken together."
        )
        if self.round_to is not None and self.round_to > 1:
            sentences.append(f"Counts are rounded to the nearest {self.round_to}.")
        return sentences

    def count_notes(self) -> list[str]:
        notes = [f"{SUPPRESSED} marks a figure withheld to protect confidentiality."]
        if self.round_to is not None and self.round_to > 1:
            notes.append(
                "Each figure and each total is rounded on its own, "
                "so figures may not add up to the totals shown."
            )
        return notes

    @staticmethod
    def text_sentences() -> list[str]:
        return ["Free text comes only from learning entries cleared for national sharing."]


@dataclass
class DisclosureReport:
    """Which rules an output applied and how much they withheld; merge the reports of an output's parts.

    ``primary_suppressed`` counts the table entries (cells and totals) below the threshold,
    ``secondary_suppressed`` the entries suppressed to protect them, ``withheld`` the percentages and means
    withheld, and ``entries_left_out`` the free-text entries not cleared for national sharing.
    """

    rules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    primary_suppressed: int = 0
    secondary_suppressed: int = 0
    withheld: int = 0
    entries_left_out: int = 0

    @property
    def suppressed(self) -> int:
        """Every table entry shown as [c]: below the threshold, or suppressed to protect one that is."""
        return self.primary_suppressed + self.secondary_suppressed

    def add_rules(self, sentences: Iterable[str]) -> None:
        _extend_unique(self.rules, sentences)

    def add_notes(self, sentences: Iterable[str]) -> None:
        _extend_unique(self.notes, sentences)

    def merge(self, *others: DisclosureReport) -> DisclosureReport:
        """A new report covering this one and the others: rules and notes once each, counts summed."""
        merged = DisclosureReport()
        for report in (self, *others):
            merged.add_rules(report.rules)
            merged.add_notes(report.notes)
            merged.tables += report.tables
            merged.primary_suppressed += report.primary_suppressed
            merged.secondary_suppressed += report.secondary_suppressed
            merged.withheld += report.withheld
            merged.entries_left_out += report.entries_left_out
        return merged

    def summary(self) -> list[str]:
        """Lines for an output's notes: the rules, what they withheld, then the caveats."""
        lines = list(self.rules)
        if self.tables:
            # Never how many are below the threshold: "0 to protect them" would say every [c] is small.
            lines.append(
                f"{_plural(self.suppressed, 'count')} shown as {SUPPRESSED} "
                f"in {_plural(self.tables, 'table')}."
            )
        if self.withheld:
            lines.append(f"{_plural(self.withheld, 'percentage or mean', 'percentages or means')} withheld.")
        if self.entries_left_out:
            lines.append(
                f"{_plural(self.entries_left_out, 'learning entry', 'learning entries')} not cleared for "
                "national sharing left out."
            )
        lines.extend(self.notes)
        return lines


@dataclass(frozen=True)
class ProtectedTable:
    """A count table ready for national officials: every value is a published count or [c]."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    grand_total: Cell
    report: DisclosureReport

    def grid(self) -> list[list[Cell]]:
        """The table with its totals: each row ends with its total; the last row holds the column totals
        and ends with the grand total. ``recoverable_cells`` reports positions in this grid."""
        rows = [[*row, total] for row, total in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.grand_total])
        return rows


def protect_counts(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    counts: Sequence[Sequence[int]],
    rules: DisclosureRules | None = None,
) -> ProtectedTable:
    """Apply primary and secondary suppression, then rounding, to a table of counts of people.

    Row totals, column totals and the grand total are computed here (from the exact counts) and published
    with the table; a caller never supplies them, so they always agree with the cells before protection.
    """
    rules = rules or DisclosureRules()
    values = _grid_with_totals(row_labels, column_labels, counts)

    primary = {
        (i, j)
        for i, row in enumerate(values)
        for j, value in enumerate(row)
        if _below_threshold(value, rules)
    }
    suppressed = set(primary)
    _suppress_until_safe(values, suppressed)

    def shown(position: Position) -> Cell:
        if position in suppressed:
            return SUPPRESSED
        return _round(values[position[0]][position[1]], rules.round_to)

    n_rows, n_columns = len(row_labels), len(column_labels)
    report = DisclosureReport(
        tables=1, primary_suppressed=len(primary), secondary_suppressed=len(suppressed) - len(primary)
    )
    report.add_rules(rules.count_sentences())
    report.add_notes(rules.count_notes())
    table = ProtectedTable(
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        cells=[[shown((i, j)) for j in range(n_columns)] for i in range(n_rows)],
        row_totals=[shown((i, n_columns)) for i in range(n_rows)],
        column_totals=[shown((n_rows, j)) for j in range(n_columns)],
        grand_total=shown((n_rows, n_columns)),
        report=report,
    )
    if recoverable_cells(table):  # pragma: no cover - _suppress_until_safe guarantees this never happens
        raise RuntimeError("Disclosure control left a suppressed value that can be worked out.")
    return table


def recoverable_cells(table: ProtectedTable | Sequence[Sequence[Cell]]) -> set[Position]:
    """Every [c] whose value can be worked out exactly from the published figures.

    ``table`` is a ``ProtectedTable`` or its ``grid()``: each row ends with its total and the last row holds
    the column totals and the grand total. Every row and every column of the grid says "the last entry
    equals the sum of the others"; the [c] entries are the unknowns and the published entries are known.
    An unknown is fixed by these equations exactly when its unit vector lies in the row space of the
    unknowns' coefficient matrix, which after exact Gaussian elimination (over fractions, no rounding
    errors) means: some row of the reduced row echelon form has that unknown as its only non-zero entry.

    This checker is independent of how the [c] were chosen; it only reads what is published.
    """
    grid = table.grid() if isinstance(table, ProtectedTable) else [list(row) for row in table]
    width = len(grid[0]) if grid else 0
    if len(grid) < 2 or width < 2 or any(len(row) != width for row in grid):
        raise DisclosureError(
            "A grid needs at least one row and one column besides its totals, all of one length."
        )
    for row in grid:
        for value in row:
            if value != SUPPRESSED and not _is_count(value):
                raise DisclosureError(f"A grid holds counts and {SUPPRESSED} only, not {value!r}.")

    unknowns = [(i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value == SUPPRESSED]
    if not unknowns:
        return set()
    column_of = {position: k for k, position in enumerate(unknowns)}
    equations: list[list[Fraction]] = []
    for line in _lines(len(grid), width):
        coefficients = [Fraction(0)] * len(unknowns)
        *inside, total = line
        for position in inside:
            if position in column_of:
                coefficients[column_of[position]] = Fraction(1)
        if total in column_of:
            coefficients[column_of[total]] = Fraction(-1)
        if any(coefficients):
            equations.append(coefficients)

    reduced = _reduced_row_echelon_form(equations)
    recoverable: set[Position] = set()
    for equation in reduced:
        non_zero = [k for k, coefficient in enumerate(equation) if coefficient]
        if len(non_zero) == 1:
            recoverable.add(unknowns[non_zero[0]])
    return recoverable


class SharedEntry(Protocol):
    @property
    def cleared_for_national(self) -> bool: ...


EntryT = TypeVar("EntryT", bound=SharedEntry)


def publishable_text(entries: Iterable[EntryT], *, report: DisclosureReport | None = None) -> list[EntryT]:
    """Only the learning entries cleared for national sharing, in their order. Anything but a real
    ``True`` (missing, None, a truthy string) counts as not cleared."""
    entries = list(entries)
    kept = [entry for entry in entries if getattr(entry, "cleared_for_national", False) is True]
    if report is not None:
        report.add_rules(DisclosureRules.text_sentences())
        report.entries_left_out += len(entries) - len(kept)
    return kept


def _suppress_until_safe(values: list[list[int]], suppressed: set[Position]) -> None:
    """Add suppressions until no suppressed entry of ``values`` (a grid with totals) can be worked out."""
    _apply_line_rule(values, suppressed)
    while True:
        masked: list[list[Cell]] = [
            [SUPPRESSED if (i, j) in suppressed else value for j, value in enumerate(row)]
            for i, row in enumerate(values)
        ]
        recoverable = recoverable_cells(masked)
        if not recoverable:
            return
        suppressed.add(_loop_closing_entry(values, suppressed, min(recoverable)))
        _apply_line_rule(values, suppressed)


def _apply_line_rule(values: list[list[int]], suppressed: set[Position]) -> None:
    """Until nothing changes: a line (row or column, totals included) with exactly one suppressed entry gets
    a second one, the smallest non-zero published entry inside it, else its total."""
    lines = list(_lines(len(values), len(values[0])))
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(position in suppressed for position in line) != 1:
                continue
            candidates = [position for position in line if position not in suppressed]
            total = line[-1]
            suppressed.add(
                min(candidates, key=lambda position: _preference(values, position, position == total))
            )
            changed = True


def _loop_closing_entry(values: list[list[int]], suppressed: set[Position], cell: Position) -> Position:
    """A published entry whose suppression puts ``cell`` on a loop of suppressed entries.

    Picture the rows and columns of the grid as points and each suppressed entry as a link between its row
    and its column. A suppressed entry can be worked out exactly when its link lies on no loop (it is the
    only way between two groups). Without the link, the row's group A and the column's group B are apart;
    suppressing any entry that links a row of one group with a column of the other closes a loop through
    it. After the line rule every row and column with a suppression has at least two, so each group holds
    a row and a column and such an entry exists; it cannot be suppressed already, or the groups would meet.
    """
    links: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for i, j in suppressed - {cell}:
        links.setdefault(("row", i), set()).add(("column", j))
        links.setdefault(("column", j), set()).add(("row", i))

    def group(start: tuple[str, int]) -> set[tuple[str, int]]:
        seen, todo = {start}, [start]
        while todo:
            for neighbour in links.get(todo.pop(), ()):
                if neighbour not in seen:
                    seen.add(neighbour)
                    todo.append(neighbour)
        return seen

    row_side, column_side = group(("row", cell[0])), group(("column", cell[1]))
    candidates = [
        (i, j)
        for i in range(len(values))
        for j in range(len(values[0]))
        if (i, j) not in suppressed
        and (
            (("row", i) in row_side and ("column", j) in column_side)
            or (("row", i) in column_side and ("column", j) in row_side)
        )
    ]
    if not candidates:  # pragma: no cover - impossible after the line rule (see above); stay safe regardless
        candidates = [
            (i, j)
            for i in range(len(values))
            for j in range(len(values[0]))
            if (i, j) not in suppressed and (i == cell[0] or j == cell[1])
        ]
    last_row, last_column = len(values) - 1, len(values[0]) - 1
    return min(
        candidates,
        key=lambda position: _preference(
            values, position, position[0] == last_row or position[1] == last_column
        ),
    )


def _preference(values: list[list[int]], position: Position, is_total: bool) -> tuple[int, int, Position]:
    """Order of choice for an extra suppression: the smallest non-zero count inside the line first, then
    a total, then a zero (suppressing a zero protects little: it reveals the other value's size)."""
    value = values[position[0]][position[1]]
    if is_total:
        rank = 1
    elif value > 0:
        rank = 0
    else:
        rank = 2
    return rank, value, position


def _lines(n_rows: int, n_columns: int) -> Iterable[list[Position]]:
    """Every row and column of a grid with totals; the last position of each is that line's total."""
    for i in range(n_rows):
        yield [(i, j) for j in range(n_columns)]
    for j in range(n_columns):
        yield [(i, j) for i in range(n_rows)]


def _reduced_row_echelon_form(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    rows = [list(row) for row in matrix]
    width = len(rows[0]) if rows else 0
    pivot_row = 0
    for column in range(width):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [value / pivot for value in rows[pivot_row]]
        for r in range(len(rows)):
            factor = rows[r][column]
            if r != pivot_row and factor:
                rows[r] = [
                    value - factor * lead for value, lead in zip(rows[r], rows[pivot_row], strict=True)
                ]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]


def _grid_with_totals(
    row_labels: Sequence[str], column_labels: Sequence[str], counts: Sequence[Sequence[int]]
) -> list[list[int]]:
    if not row_labels or not column_labels:
        raise DisclosureError(
            "A table needs at least one row and one column; show that there is no data instead."
        )
    if len(counts) != len(row_labels) or any(len(row) != len(column_labels) for row in counts):
        raise DisclosureError(
            f"The counts must have {len(row_labels)} rows of {len(column_labels)} values, one per label."
        )
    for row in counts:
        for value in row:
            if not _is_count(value) or value < 0:
                raise DisclosureError(f"Counts of people are whole numbers, 0 or more, not {value!r}.")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def _below_threshold(value: int, rules: DisclosureRules) -> bool:
    if value == 0:
        return rules.suppress_zeros
    return value < rules.threshold


def _round(value: int, round_to: int | None) -> int:
    """To the nearest multiple of ``round_to``, halves up (12 -> 10, 13 -> 15 for 5; 5 -> 10 for 10)."""
    if round_to is None or round_to == 1:
        return value
    return (2 * value + round_to) // (2 * round_to) * round_to


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _extend_unique(target: list[str], sentences: Iterable[str]) -> None:
    for sentence in sentences:
        if sentence not in target:
            target.append(sentence)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
