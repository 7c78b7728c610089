"""Keeping the per-return figures (models/summaries.py) equal to the items they add up.

Every flush that adds, changes or deletes a cost, activity, saving, measure value or learning entry rebuilds
the figures of the returns it touched, in the same transaction, from the items themselves: a GROUP BY over
one return's items. The rebuild runs at the ORM level for every write path (forms, uploads, the demo,
tests that write rows directly), so none can forget it, and it is a rebuild rather than an adjustment, so a
figure can never drift from its items. Rows written around the ORM (a bulk load, a migration) call
`rebuild_figures`.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from itertools import chain
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, UOWTransaction, aliased
from sqlalchemy.sql.elements import BindParameter

from evidence_hub.models.framework import EvidenceLevel, Indicator, below_minimum_expression
from evidence_hub.models.returns import (
    Activity,
    CostItem,
    CostType,
    Funding,
    LearningEntry,
    MeasureValue,
    SavingClaim,
    SiteReturn,
    learning_entry_dimensions,
)
from evidence_hub.models.summaries import (
    ApprovedValueCount,
    ReturnActivityTotal,
    ReturnCostSum,
    ReturnCostTotal,
    ReturnLearningCount,
    ReturnSavingTotal,
    ReturnValuesReported,
)

TOUCHED_RETURNS = "evidence_hub.summaries.touched"
TOUCHED_SITES = "evidence_hub.summaries.touched_sites"


def whole_pence(column: Any) -> Any:
    """A money column as whole pence, an integer that both engines sum exactly."""
    return cast(func.round(column * 100), BigInteger)


def attributable_units_of(amount: Any, percent: Any) -> Any:
    """The part of an amount attributable to the pilot, as pence × hundredths of a percent."""
    return whole_pence(amount) * cast(func.round(percent * 100), BigInteger)


def _cost_totals(where: Any) -> Any:
    return (
        select(
            CostItem.site_return_id,
            CostItem.cost_category_id,
            CostItem.cost_type,
            CostItem.funding,
            func.count(),
            func.sum(whole_pence(CostItem.amount)),
            func.sum(attributable_units_of(CostItem.amount, CostItem.attributable_percent)),
        )
        .where(where(CostItem.site_return_id))
        .group_by(CostItem.site_return_id, CostItem.cost_category_id, CostItem.cost_type, CostItem.funding)
    )


# ReturnCostSum's columns of attributable money, in order, and the type and funding each adds up.
COST_SUM_GROUPS = (
    ("set_up_cash_units", CostType.SET_UP, Funding.CASH),
    ("set_up_in_kind_units", CostType.SET_UP, Funding.IN_KIND),
    ("running_cash_units", CostType.RUNNING, Funding.CASH),
    ("running_in_kind_units", CostType.RUNNING, Funding.IN_KIND),
)


def _cost_sums(where: Any) -> Any:
    attributable = attributable_units_of(CostItem.amount, CostItem.attributable_percent)
    return (
        select(
            CostItem.site_return_id,
            func.sum(whole_pence(CostItem.amount)),
            # No ELSE: a type and funding the return has no cost of sums to NULL, not 0.
            *(
                func.sum(
                    case(
                        (
                            (CostItem.cost_type == cost_type.value) & (CostItem.funding == funding.value),
                            attributable,
                        )
                    )
                )
                for _column, cost_type, funding in COST_SUM_GROUPS
            ),
        )
        .where(where(CostItem.site_return_id))
        .group_by(CostItem.site_return_id)
    )


def _activity_totals(where: Any) -> Any:
    return (
        select(
            Activity.site_return_id,
            Activity.activity_type_id,
            func.count(),
            cast(func.coalesce(func.sum(Activity.people_reached), 0), BigInteger),
            func.sum(case((Activity.people_reached.is_(None), 1), else_=0)),
        )
        .where(where(Activity.site_return_id))
        .group_by(Activity.site_return_id, Activity.activity_type_id)
    )


def _saving_totals(where: Any) -> Any:
    return (
        select(
            SavingClaim.site_return_id,
            func.count(),
            func.sum(whole_pence(SavingClaim.amount)),
            func.sum(case((SavingClaim.evidence_level_id.is_(None), 1), else_=0)),
        )
        .where(where(SavingClaim.site_return_id))
        .group_by(SavingClaim.site_return_id)
    )


def _learning_by_theme(where: Any) -> Any:
    return (
        select(
            LearningEntry.site_return_id,
            LearningEntry.learning_type,
            LearningEntry.theme_id,
            null(),
            func.count(),
        )
        .where(where(LearningEntry.site_return_id))
        .group_by(LearningEntry.site_return_id, LearningEntry.learning_type, LearningEntry.theme_id)
    )


def _learning_by_dimension(where: Any) -> Any:
    dimension = learning_entry_dimensions.c.learning_dimension_id
    return (
        select(
            LearningEntry.site_return_id,
            LearningEntry.learning_type,
            LearningEntry.theme_id,
            dimension,
            func.count(),
        )
        .join(learning_entry_dimensions, learning_entry_dimensions.c.learning_entry_id == LearningEntry.id)
        .where(where(LearningEntry.site_return_id))
        .group_by(
            LearningEntry.site_return_id, LearningEntry.learning_type, LearningEntry.theme_id, dimension
        )
    )


def _values_reported(where: Any) -> Any:
    return (
        select(MeasureValue.site_return_id, Indicator.frequency, func.count())
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .where(where(MeasureValue.site_return_id), MeasureValue.value.is_not(None))
        .group_by(MeasureValue.site_return_id, Indicator.frequency)
    )


# Each kind of item, the figures it feeds: (table, its columns in order, the statements that compute them).
FIGURES: dict[type, tuple[tuple[Any, tuple[str, ...], tuple[Any, ...]], ...]] = {
    CostItem: (
        (
            ReturnCostTotal,
            (
                "site_return_id",
                "cost_category_id",
                "cost_type",
                "funding",
                "lines",
                "recorded_pence",
                "attributable_units",
            ),
            (_cost_totals,),
        ),
        (
            ReturnCostSum,
            ("site_return_id", "recorded_pence", *(column for column, _type, _funding in COST_SUM_GROUPS)),
            (_cost_sums,),
        ),
    ),
    Activity: (
        (
            ReturnActivityTotal,
            ("site_return_id", "activity_type_id", "activities", "people_reached", "without_reach"),
            (_activity_totals,),
        ),
    ),
    SavingClaim: (
        (ReturnSavingTotal, ("site_return_id", "claims", "amount_pence", "without_level"), (_saving_totals,)),
    ),
    MeasureValue: (
        (
            ReturnValuesReported,
            ("site_return_id", "frequency", "values_reported"),
            (_values_reported,),
        ),
    ),
    LearningEntry: (
        (
            ReturnLearningCount,
            ("site_return_id", "learning_type", "theme_id", "learning_dimension_id", "entries"),
            (_learning_by_theme, _learning_by_dimension),
        ),
    ),
}


def computed_rows(
    connection: Connection, model: type, return_ids: Collection[int] | None = None
) -> dict[str, set[tuple[Any, ...]]]:
    """What each of a kind's tables of figures should hold, computed afresh from the items."""
    where = _where(return_ids)
    return {
        table.__tablename__: {
            tuple(_plain(value) for value in row)
            for statement in statements
            for row in connection.execute(statement(where))
        }
        for table, _columns, statements in FIGURES[model]
    }


def kept_rows(
    connection: Connection, model: type, return_ids: Collection[int] | None = None
) -> dict[str, set[tuple[Any, ...]]]:
    """What each of a kind's tables of figures holds now, in the same form as `computed_rows`."""
    where = _where(return_ids)
    return {
        table.__tablename__: _kept(connection, table, columns, where(table.site_return_id))
        for table, columns, _statements in FIGURES[model]
    }


def _kept(
    connection: Connection, table: Any, columns: tuple[str, ...], condition: Any
) -> set[tuple[Any, ...]]:
    """A kept table's rows that meet the condition, as plain tuples of these columns."""
    return {
        tuple(_plain(value) for value in row)
        for row in connection.execute(select(*(getattr(table, name) for name in columns)).where(condition))
    }


def _rebuild_statements(where: Any) -> dict[type, tuple[Any, ...]]:
    """Per kind of item, the statements that empty its figures and compute them again."""
    return {
        model: tuple(
            chain.from_iterable(
                _emptied_and_refilled(table, columns, statements, where, table.site_return_id)
                for table, columns, statements in figures
            )
        )
        for model, figures in FIGURES.items()
    }


def _emptied_and_refilled(
    table: Any, columns: tuple[str, ...], statements: tuple[Any, ...], where: Any, key: Any
) -> tuple[Any, ...]:
    """The statements that delete a kept table's rows whose key meets `where` and compute them again."""
    return (
        delete(table).where(where(key)),
        *(
            insert(table).from_select([getattr(table, name) for name in columns], statement(where))
            for statement in statements
        ),
    )


# Built once: a write rebuilds a few returns' figures after every flush, and composing these statements
# afresh each time cost more than running them.
RETURNS_REBUILT: BindParameter[list[int]] = bindparam("rebuilt_return_ids", expanding=True)
_FOR_SOME_RETURNS = _rebuild_statements(lambda column: column.in_(RETURNS_REBUILT))
_FOR_EVERY_RETURN = _rebuild_statements(lambda column: literal(True))


def rebuild_figures(
    connection: Connection, return_ids: Collection[int] | None = None, kinds: Collection[type] | None = None
) -> None:
    """Rebuild the figures of these returns (every return when None) from their items, for these kinds of
    item (every kind when None); rebuilding every return rebuilds the figures kept per site too."""
    statements = _FOR_EVERY_RETURN if return_ids is None else _FOR_SOME_RETURNS
    for model in kinds if kinds is not None else FIGURES:
        _run(connection, statements[model], RETURNS_REBUILT, return_ids)
    if return_ids is None and (kinds is None or MeasureValue in kinds):
        rebuild_site_figures(connection)


def _approved_value_counts(where: Any) -> Any:
    level = aliased(EvidenceLevel)
    minimum = aliased(EvidenceLevel)
    has_number = MeasureValue.value.is_not(None)
    return (
        select(
            MeasureValue.site_id,
            MeasureValue.indicator_id,
            func.count(MeasureValue.value),
            func.count(),
            func.sum(
                case(
                    (and_(has_number, below_minimum_expression(level, minimum)), 1),
                    else_=0,
                )
            ),
        )
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .outerjoin(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .outerjoin(level, level.id == MeasureValue.evidence_level_id)
        .where(SiteReturn.approved_at.is_not(None), where(MeasureValue.site_id))
        .group_by(MeasureValue.site_id, MeasureValue.indicator_id)
    )


# The figures kept per site (ApprovedValueCount), in the same form as FIGURES' entries.
SITE_FIGURES = (
    ApprovedValueCount,
    ("site_id", "indicator_id", "values", "all_values", "below_minimum"),
    _approved_value_counts,
)


def computed_site_rows(
    connection: Connection, site_ids: Collection[int] | None = None
) -> set[tuple[Any, ...]]:
    """What the figures kept per site should hold, computed afresh from the values and returns."""
    _table, _columns, statement = SITE_FIGURES
    return {tuple(_plain(value) for value in row) for row in connection.execute(statement(_where(site_ids)))}


def kept_site_rows(connection: Connection, site_ids: Collection[int] | None = None) -> set[tuple[Any, ...]]:
    table, columns, _statement = SITE_FIGURES
    return _kept(connection, table, columns, _where(site_ids)(table.site_id))


SITES_REBUILT: BindParameter[list[int]] = bindparam("rebuilt_site_ids", expanding=True)


def _site_rebuild_statements(where: Any) -> tuple[Any, ...]:
    table, columns, statement = SITE_FIGURES
    return _emptied_and_refilled(table, columns, (statement,), where, table.site_id)


_FOR_SOME_SITES = _site_rebuild_statements(lambda column: column.in_(SITES_REBUILT))
_FOR_EVERY_SITE = _site_rebuild_statements(lambda column: literal(True))


def rebuild_site_figures(connection: Connection, site_ids: Collection[int] | None = None) -> None:
    """Rebuild the figures kept per site for these sites (every site when None) from their values."""
    _run(connection, _FOR_EVERY_SITE if site_ids is None else _FOR_SOME_SITES, SITES_REBUILT, site_ids)


def _run(
    connection: Connection,
    statements: tuple[Any, ...],
    ids_parameter: BindParameter[list[int]],
    ids: Collection[int] | None,
) -> None:
    """Run rebuild statements built once, for these ids (through their expanding parameter) or for all."""
    parameters = {} if ids is None else {ids_parameter.key: sorted(ids)}
    for statement in statements:
        connection.execute(statement, parameters)


def _where(return_ids: Collection[int] | None) -> Any:
    if return_ids is None:
        return lambda column: literal(True)
    ids = sorted(return_ids)
    return lambda column: column.in_(ids)


def _plain(value: Any) -> Any:
    # PostgreSQL sums integers as numeric: compare every count and sum as a Python int.
    return int(value) if isinstance(value, Decimal) else value


@event.listens_for(Session, "after_flush")
def _note_touched_returns(session: Session, _context: UOWTransaction) -> None:
    touched: dict[type, set[int]] = session.info.setdefault(TOUCHED_RETURNS, {})
    sites: set[int] = session.info.setdefault(TOUCHED_SITES, set())
    for instance in chain(session.new, session.dirty, session.deleted):
        model = type(instance)
        if model in FIGURES and instance.site_return_id is not None:
            touched.setdefault(model, set()).add(instance.site_return_id)
        # A site's approved values change with its values and with its returns' approval.
        if (model is MeasureValue and instance.site_id is not None) or (
            model is SiteReturn
            and (instance in session.deleted or inspect(instance).attrs.approved_at.history.has_changes())
        ):
            sites.add(instance.site_id)


@event.listens_for(Session, "after_flush_postexec")
def _rebuild_touched_returns(session: Session, _context: UOWTransaction) -> None:
    touched: dict[type, set[int]] = session.info.pop(TOUCHED_RETURNS, {})
    sites: set[int] = session.info.pop(TOUCHED_SITES, set())
    if not touched and not sites:
        return
    connection = session.connection()
    for model, return_ids in touched.items():
        rebuild_figures(connection, return_ids, kinds=[model])
    if sites:
        rebuild_site_figures(connection, sites)


def figure_differences(connection: Connection) -> list[str]:
    """Where the kept figures differ from their items, in words (none when they are equal)."""
    differences = []
    for model in FIGURES:
        computed = computed_rows(connection, model)
        for table_name, kept in kept_rows(connection, model).items():
            if kept != computed[table_name]:
                differences.append(_difference(table_name, kept ^ computed[table_name], "return", "items"))
    kept_per_site, computed_per_site = kept_site_rows(connection), computed_site_rows(connection)
    if kept_per_site != computed_per_site:
        differences.append(
            _difference(ApprovedValueCount.__tablename__, kept_per_site ^ computed_per_site, "site", "values")
        )
    return differences


def _difference(table_name: str, rows: set[tuple[Any, ...]], keyed_by: str, source: str) -> str:
    """A kept table's rows that differ from what its source gives, said by the keys (returns or sites)
    they belong to, the first ten named."""
    keys = sorted({row[0] for row in rows})
    shown = ", ".join(str(key) for key in keys[:10])
    more = f" and {len(keys) - 10:,} more" if len(keys) > 10 else ""
    how_many = f"{len(keys):,} {keyed_by}s" if len(keys) > 1 else f"1 {keyed_by}"
    return (
        f"{table_name}: the figures kept for {how_many} differ from their {source} "
        f"({keyed_by}s {shown}{more})"
    )
