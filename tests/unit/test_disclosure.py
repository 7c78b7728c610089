"""Disclosure control: small counts are shown as [c], further cells are suppressed so that no [c] can be
worked out from the totals, counts can be rounded, free text comes only from entries cleared for national
sharing, and every output says which rules it applied."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from evidence_hub.services.releases.disclosure import (
    SUPPRESSED,
    Cell,
    DisclosureError,
    DisclosureReport,
    DisclosureRules,
    ProtectedTable,
    Suppressed,
    protect_counts,
    publishable_text,
    recoverable_cells,
)

C: Suppressed = SUPPRESSED


def table(counts: list[list[int]], rules: DisclosureRules | None = None) -> ProtectedTable:
    rows = [f"Row {i + 1}" for i in range(len(counts))]
    columns = [f"Column {j + 1}" for j in range(len(counts[0]))]
    return protect_counts(rows, columns, counts, rules)


def published_values(table: ProtectedTable) -> list[Cell]:
    """Every value the table shows, cells and totals alike, row by row."""
    return [value for row in table.grid() for value in row]


def grid_with_totals(counts: list[list[int]]) -> list[list[int]]:
    """The exact table with its totals, laid out as ProtectedTable.grid() lays out the published one."""
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def suppressed_positions(grid: list[list[Cell]]) -> set[tuple[int, int]]:
    return {(i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value == C}


# --- the threshold ------------------------------------------------------------------------------------------


def test_a_count_of_nine_is_shown_as_c() -> None:
    protected = table([[9, 20], [30, 40]])

    assert protected.cells[0][0] == C
    assert 9 not in published_values(protected)


def test_a_count_of_ten_is_shown_and_nothing_is_suppressed() -> None:
    protected = table([[10, 20], [30, 40]])

    assert protected.cells == [[10, 20], [30, 40]]
    assert protected.row_totals == [30, 70]
    assert protected.column_totals == [40, 60]
    assert protected.grand_total == 100
    assert protected.report.suppressed == 0


def test_a_zero_is_a_true_zero_and_is_shown() -> None:
    protected = table([[0, 20], [30, 40]])

    assert protected.cells == [[0, 20], [30, 40]]
    assert protected.report.suppressed == 0
    assert "A zero is a true zero and is shown." in protected.report.rules


def test_zeros_are_suppressed_when_the_rules_say_so() -> None:
    protected = table([[0, 20], [30, 40]], DisclosureRules(suppress_zeros=True))

    assert protected.cells[0][0] == C
    assert 0 not in published_values(protected)
    assert recoverable_cells(protected) == set()


def test_the_threshold_is_configurable() -> None:
    rules = DisclosureRules(threshold=5)

    assert table([[4, 20], [30, 40]], rules).cells[0][0] == C
    assert table([[5, 20], [30, 40]], rules).cells == [[5, 20], [30, 40]]
    assert "Counts of people below 5 are shown as [c]." in table([[5, 20], [30, 40]], rules).report.rules


def test_a_total_below_the_threshold_is_suppressed_too() -> None:
    protected = table([[3, 4], [30, 40]])

    assert protected.row_totals[0] == C
    assert 7 not in published_values(protected)


# --- secondary suppression ----------------------------------------------------------------------------------


def test_a_single_small_cell_forces_a_second_suppression_in_its_row_and_in_its_column() -> None:
    protected = table([[3, 20, 30], [25, 40, 50], [35, 45, 60]])

    # 3 is below the threshold; 20 (smallest in its row) and 25 (smallest in its column) protect it, and
    # 40 protects 25 in the second row: a 2x2 block that no total can open.
    assert protected.cells == [[C, C, 30], [C, C, 50], [35, 45, 60]]
    assert protected.row_totals == [53, 115, 140]
    assert protected.column_totals == [63, 105, 140]
    assert protected.report.primary_suppressed == 1
    assert protected.report.secondary_suppressed == 3
    assert recoverable_cells(protected) == set()


def test_a_row_whose_other_cells_are_zero_has_its_total_suppressed() -> None:
    # 30 is suppressed to protect the 20 beside the 3 in its column; its row has nothing else but zeros,
    # so only the row's total can keep it hidden, and that total then needs a partner among the totals.
    protected = table([[3, 50, 20], [0, 0, 30]])

    assert protected.cells[1] == [0, 0, C]
    assert protected.row_totals[1] == C
    assert protected.row_totals.count(C) == 2
    assert protected.report.primary_suppressed == 2  # the 3 and its column's total of 3
    assert recoverable_cells(protected) == set()


def test_a_small_count_alone_in_its_row_takes_the_row_total_with_it() -> None:
    protected = table([[4, 0, 0], [20, 30, 40], [25, 35, 45]])

    assert protected.cells[0] == [C, 0, 0]
    assert protected.row_totals[0] == C
    assert recoverable_cells(protected) == set()


def test_when_the_line_rule_alone_leaves_a_cell_recoverable_more_cells_are_suppressed() -> None:
    counts = [[0, 9, 10, 0], [6, 0, 33, 27], [10, 38, 23, 0]]
    # What the line rule alone reaches for this table: every line holds two [c] or none, yet the 10 in the
    # bottom left can be worked out, because it is the only link between two groups of [c].
    line_rule_only: list[list[Cell]] = [
        [0, C, C, 0, 19],
        [C, 0, 33, C, 66],
        [C, C, C, 0, 71],
        [C, 47, 66, C, 156],
    ]
    assert recoverable_cells(line_rule_only) == {(2, 0)}

    protected = table(counts)

    assert suppressed_positions(protected.grid()) > suppressed_positions(line_rule_only)
    assert recoverable_cells(protected) == set()


# --- the checker --------------------------------------------------------------------------------------------


def test_the_checker_finds_a_single_c_that_its_row_total_gives_away() -> None:
    grid: list[list[Cell]] = [
        [C, 20, 25],
        [30, 40, 70],
        [35, 60, 95],
    ]

    assert recoverable_cells(grid) == {(0, 0)}


def test_the_checker_finds_the_link_between_two_blocks_even_with_two_c_in_every_line() -> None:
    # Two 2x2 blocks of [c] joined by the [c] at (0, 2). Every line holds two or three [c], yet the first
    # block's rows and columns give the sum of its first row, so row 0's total gives away the link.
    grid: list[list[Cell]] = [[11] * 5 for _ in range(5)]
    for position in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        grid[position[0]][position[1]] = C

    assert recoverable_cells(grid) == {(0, 2)}


def test_the_checker_finds_nothing_in_a_closed_block_or_a_fully_published_table() -> None:
    assert recoverable_cells([[C, C, 30], [C, C, 50], [35, 45, 60]]) == set()
    assert recoverable_cells([[10, 20, 30], [15, 25, 40], [25, 45, 70]]) == set()


def test_the_checker_treats_totals_as_unknowns_too() -> None:
    # Row 0's total is hidden alone in the column of row totals: the grand total minus row 1's total gives it.
    grid: list[list[Cell]] = [
        [C, C, C],
        [30, 40, 70],
        [C, C, 95],
    ]

    assert recoverable_cells(grid) == {(0, 2)}


def test_the_checker_agrees_with_the_loop_rule_on_random_patterns() -> None:
    """Independent check of the elimination: with rows and columns as points and each [c] as a link between
    its row and its column, a [c] can be worked out exactly when its link lies on no loop."""
    rng = random.Random(20240419)
    for _ in range(200):
        n_rows, n_columns = rng.randint(2, 6), rng.randint(2, 6)
        density = rng.choice([0.15, 0.3, 0.5])
        pattern = {(i, j) for i in range(n_rows) for j in range(n_columns) if rng.random() < density}
        grid: list[list[Cell]] = [
            [C if (i, j) in pattern else rng.randint(0, 40) for j in range(n_columns)] for i in range(n_rows)
        ]

        assert recoverable_cells(grid) == {cell for cell in pattern if not on_a_loop(cell, pattern)}


def on_a_loop(cell: tuple[int, int], pattern: set[tuple[int, int]]) -> bool:
    """Whether the cell's row and column are still joined by other [c] links once its own is removed."""
    links = pattern - {cell}
    seen, todo = {("row", cell[0])}, [("row", cell[0])]
    while todo:
        kind, index = todo.pop()
        for i, j in links:
            here, there = (("row", i), ("column", j)) if kind == "row" else (("column", j), ("row", i))
            if here == (kind, index) and there not in seen:
                seen.add(there)
                todo.append(there)
    return ("column", cell[1]) in seen


def test_the_checker_refuses_a_grid_that_is_not_a_table() -> None:
    with pytest.raises(DisclosureError):
        recoverable_cells([[C, 1]])
    with pytest.raises(DisclosureError):
        recoverable_cells([[C, 1], [2]])
    with pytest.raises(DisclosureError):
        recoverable_cells([[C, 1], [2, "x"]])  # type: ignore[list-item]


# --- random tables ------------------------------------------------------------------------------------------


def random_tables(seed: int, how_many: int = 200) -> list[list[list[int]]]:
    rng = random.Random(seed)
    tables = []
    for _ in range(how_many):
        n_rows, n_columns = rng.randint(1, 6), rng.randint(1, 6)
        small_share = rng.choice([0.0, 0.2, 0.5])  # some tables rich in small counts and zeros

        def count(small_share: float = small_share) -> int:
            return rng.randint(0, 9) if rng.random() < small_share else rng.randint(0, 40)

        tables.append([[count() for _ in range(n_columns)] for _ in range(n_rows)])
    return tables


@pytest.mark.parametrize("seed", [1, 2])
def test_random_tables_publish_no_small_count_and_no_recoverable_c(seed: int) -> None:
    for counts in random_tables(seed, how_many=100):
        protected = table(counts)
        exact = grid_with_totals(counts)
        published = published_values(protected)

        assert not [value for value in published if value != C and 1 <= value <= 9], counts
        assert recoverable_cells(protected) == set(), counts
        assert protected.report.suppressed == published.count(C)
        assert protected.report.primary_suppressed == sum(1 <= value <= 9 for row in exact for value in row)
        for shown_row, exact_row in zip(protected.grid(), exact, strict=True):
            for shown, value in zip(shown_row, exact_row, strict=True):
                assert shown in (C, value)


def test_random_tables_with_zeros_suppressed_publish_no_zero_either() -> None:
    for counts in random_tables(3, how_many=60):
        protected = table(counts, DisclosureRules(suppress_zeros=True))
        published = published_values(protected)

        assert not [value for value in published if value != C and value <= 9], counts
        assert recoverable_cells(protected) == set(), counts
        assert protected.report.suppressed == published.count(C)


def test_random_tables_rounded_to_five_keep_the_same_c_and_round_everything_else() -> None:
    for counts in random_tables(4, how_many=60):
        unrounded = table(counts)
        rounded = table(counts, DisclosureRules(round_to=5))

        assert suppressed_positions(rounded.grid()) == suppressed_positions(unrounded.grid())
        for shown, value in zip(published_values(rounded), published_values(unrounded), strict=True):
            if value != C:
                assert shown == 5 * ((value + 2) // 5)


# --- rounding -----------------------------------------------------------------------------------------------


def test_counts_are_rounded_to_the_nearest_five_halves_up_and_totals_on_their_own() -> None:
    protected = table([[12, 12], [10, 17]], DisclosureRules(round_to=5))

    assert protected.cells == [[10, 10], [10, 15]]
    assert protected.row_totals == [25, 25]  # 24 and 27: the first row shows 10 + 10 with a total of 25
    assert protected.column_totals == [20, 30]  # 22 and 29
    assert protected.grand_total == 50  # 51
    assert "Counts are rounded to the nearest 5." in protected.report.rules
    assert any("may not add up" in note for note in protected.report.notes)


def test_rounding_to_ten_rounds_a_five_up() -> None:
    protected = table([[15, 24], [35, 40]], DisclosureRules(round_to=10))

    assert protected.cells == [[20, 20], [40, 40]]


def test_without_rounding_there_is_no_rounding_rule_or_note() -> None:
    report = table([[12, 13], [10, 17]]).report

    assert not any("rounded" in sentence for sentence in report.rules + report.notes)


# --- free text ----------------------------------------------------------------------------------------------


@dataclass
class Entry:
    title: str
    cleared_for_national: bool


def test_only_learning_entries_cleared_for_national_sharing_are_published() -> None:
    cleared, private = Entry("Legal gateway confirmed", True), Entry("Names of the team", False)
    report = DisclosureReport()

    assert publishable_text([private, cleared, private], report=report) == [cleared]
    assert report.entries_left_out == 2
    assert "Free text comes only from learning entries cleared for national sharing." in report.rules


def test_an_entry_is_cleared_only_by_a_real_true() -> None:
    assert publishable_text([Entry("Maybe", "yes")]) == []  # type: ignore[arg-type]


# --- reports ------------------------------------------------------------------------------------------------


def test_reports_of_several_tables_merge_into_one_for_the_output() -> None:
    first = table([[3, 20, 30], [25, 40, 50], [35, 45, 60]]).report
    second = table([[12, 13], [10, 17]], DisclosureRules(round_to=5)).report
    withheld_percentage = "Percentage measures are withheld ([c]) where fewer than 10 people were reached."
    measures = DisclosureReport(withheld=1)
    measures.add_rules([withheld_percentage])

    merged = first.merge(second, measures)

    assert merged.tables == 2
    assert merged.primary_suppressed == 1
    assert merged.secondary_suppressed == 3
    assert merged.suppressed == 4
    assert merged.withheld == 1
    assert merged.rules == [
        "Counts of people below 10 are shown as [c].",
        "A zero is a true zero and is shown.",
        "Further counts are shown as [c] where needed, so that no [c] can be worked out, or narrowed down to "
        "fewer than 10 possible values, from this release and every earlier release of the framework taken "
        "together.",
        "Counts are rounded to the nearest 5.",
        withheld_percentage,
    ]
    assert first.merge(second).tables == 2
    assert first.tables == 1  # merging leaves the parts alone


def test_the_summary_says_how_many_counts_are_suppressed_but_not_which_are_small() -> None:
    summary = table([[3, 20, 30], [25, 40, 50], [35, 45, 60]]).report.summary()

    assert "4 counts shown as [c] in 1 table." in summary
    assert not any("below the threshold" in line or "to protect" in line for line in summary[:-1])
    assert "[c] marks a figure withheld to protect confidentiality." in summary


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [[[1, 2], [3]], [[1, -2], [3, 4]], [[1, 2.5], [3, 4]], [[True, 2], [3, 4]]],
    ids=["ragged", "negative", "fraction", "boolean"],
)
def test_a_table_that_is_not_counts_of_people_is_refused(counts: list[list[int]]) -> None:
    with pytest.raises(DisclosureError):
        protect_counts(["A", "B"], ["X", "Y"], counts)


def test_an_empty_table_is_refused() -> None:
    with pytest.raises(DisclosureError):
        protect_counts([], ["X"], [])


@pytest.mark.parametrize("settings", [{"threshold": 0}, {"round_to": 0}, {"threshold": 2.5}])
def test_rules_that_make_no_sense_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(DisclosureError):
        DisclosureRules(**settings)  # type: ignore[arg-type]
