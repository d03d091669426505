"""Small counts are hidden, and nothing published lets anyone work them out (stats/suppression.py)."""

import random

import pytest

from stats.suppression import COMPLEMENTARY, SMALL, suppress


def published(table) -> tuple:
    """Everything a reader sees of a table: cells (count or hidden, with the flag), row, column and grand
    totals."""
    return (
        [[(c.count, c.suppressed) for c in row] for row in table.cells],
        [(t.count, t.partial) for t in table.row_totals],
        [(t.count, t.partial) for t in table.column_totals],
        (table.total.count, table.total.partial),
    )


def test_counts_under_five_are_hidden_and_zero_is_not():
    table = suppress([[0, 1, 4, 5, 120]])
    assert [(c.count, c.suppressed) for c in table.cells[0]] == [
        (0, ""),
        (None, SMALL),
        (None, SMALL),
        (5, ""),
        (120, ""),
    ]


def test_totals_add_up_the_shown_counts_only():
    table = suppress([[3, 10], [20, 30]])
    # Column 0 has one small count: its smallest shown count (20) is hidden with it.
    assert published(table) == (
        [[(None, SMALL), (10, "")], [(None, COMPLEMENTARY), (30, "")]],
        [(10, True), (30, True)],
        [(0, True), (40, False)],
        (40, True),
    )


def test_subtraction_recovers_nothing_in_rows_or_columns():
    """The attack: a total less the shown counts of its row or column. With totals of the shown counts, it
    always leaves zero, whatever the hidden counts were."""
    counts = [[2, 40, 7, 0], [13, 1, 3, 9], [0, 0, 0, 4], [25, 6, 11, 50]]
    table = suppress(counts)
    hidden = [(i, j) for i, row in enumerate(table.cells) for j, c in enumerate(row) if c.suppressed]
    assert len(hidden) >= 4
    for i, row in enumerate(table.cells):
        assert table.row_totals[i].count - sum(c.count for c in row if c.count is not None) == 0
    for j in range(4):
        column = [row[j] for row in table.cells]
        assert table.column_totals[j].count - sum(c.count for c in column if c.count is not None) == 0
    assert (
        table.total.count
        == sum(t.count for t in table.row_totals)
        == sum(t.count for t in table.column_totals)
    )


def _alternatives(counts, table, rng):
    """Other tables a reader could not tell apart from `counts`: every hidden small count replaced by another
    from 1 to 4, every complementary one by another that is still the smallest shown count of its column."""
    other = [row[:] for row in counts]
    for i, row in enumerate(table.cells):
        for j, cell in enumerate(row):
            if cell.suppressed == SMALL:
                other[i][j] = rng.randint(1, 4)
            elif cell.suppressed == COMPLEMENTARY:
                rest = [counts[k][j] for k in range(len(counts)) if k != i and counts[k][j] >= 5]
                highest = min(rest) - 1 if rest else 500  # below the next shown count, so still chosen
                other[i][j] = rng.randint(5, highest) if highest >= 5 else counts[i][j]
    return other


@pytest.mark.parametrize("seed", range(40))
def test_nothing_published_depends_on_a_hidden_count(seed):
    """For random tables (rows and columns, many small counts), change every hidden count to any value it
    could have had: every published figure, totals included, stays the same. So no hidden count can be
    recovered from its table, by subtraction or any other arithmetic."""
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 12), rng.randint(1, 5)
    counts = [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40, 300]) for _ in range(columns)] for _ in range(rows)
    ]
    table = suppress(counts)
    for _ in range(20):
        assert published(suppress(_alternatives(counts, table, rng))) == published(table)


@pytest.mark.parametrize("seed", range(40))
def test_a_column_never_hides_a_single_count(seed):
    """Two tables of the same reports (by province, by status) give each election's column the same real
    total, so the difference of their shown totals is the sum of the hidden counts of a column: that sum must
    never be one count."""
    rng = random.Random(1000 + seed)
    counts = [[rng.choice([0, 1, 2, 3, 4, 7, 12, 80]) for _ in range(3)] for _ in range(rng.randint(2, 10))]
    table = suppress(counts)
    for j in range(3):
        hidden = [row[j] for row in table.cells if row[j].suppressed]
        real = sum(row[j] for row in counts)
        shown = table.column_totals[j].count
        # The sum of the hidden counts is real - shown: spread over two or more, or none at all, or (when the
        # column has nothing to hide it with) the column's whole total is itself under 5, so every table hides
        # all of that column's non-zero counts and none gives its real total away.
        assert len(hidden) != 1 or (real < 5 and shown == 0)
