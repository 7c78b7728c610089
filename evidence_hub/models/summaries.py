"""Figures kept per return: what the dashboards and releases add up, stored beside the evidence itself.

A dashboard or a release aggregates thousands of these rows rather than millions of cost lines,
activities and measure values. They hold nothing of their own: each return's rows are the GROUP BY of
its items, rebuilt in the same transaction as every change to those items (models/summary_upkeep.py), so
they are never behind and never hold anything the items do not. Money is kept as whole pence, and
attributable money as pence × hundredths of a percent, integers that both engines add exactly
(services/common/money.py).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from evidence_hub.db import Base


class ReturnCostTotal(Base):
    """A return's costs in one category, of one type (set-up or running) and one funding (cash or in kind)."""

    __tablename__ = "return_cost_totals"

    site_return_id: Mapped[int] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), primary_key=True
    )
    cost_category_id: Mapped[int] = mapped_column(
        ForeignKey("cost_categories.id", ondelete="RESTRICT"), primary_key=True
    )
    cost_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    funding: Mapped[str] = mapped_column(String(10), primary_key=True)
    lines: Mapped[int] = mapped_column()
    recorded_pence: Mapped[int] = mapped_column(BigInteger)
    attributable_units: Mapped[int] = mapped_column(BigInteger)


class ReturnCostSum(Base):
    """A return's costs over every category: what was recorded and, for each type and funding, what is
    attributable to the pilot (NULL where the return has no cost of that type and funding, which is not the
    same as costs adding up to nothing). One row a return, so that the views that add up returns rather than
    categories (the costs by period, value for money) read a row a return rather than grouping a dozen."""

    __tablename__ = "return_cost_sums"

    site_return_id: Mapped[int] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), primary_key=True
    )
    recorded_pence: Mapped[int] = mapped_column(BigInteger)
    set_up_cash_units: Mapped[int | None] = mapped_column(BigInteger)
    set_up_in_kind_units: Mapped[int | None] = mapped_column(BigInteger)
    running_cash_units: Mapped[int | None] = mapped_column(BigInteger)
    running_in_kind_units: Mapped[int | None] = mapped_column(BigInteger)


class ReturnActivityTotal(Base):
    """A return's activities of one type: how many, the people they reached, and how many gave no count."""

    __tablename__ = "return_activity_totals"

    site_return_id: Mapped[int] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), primary_key=True
    )
    activity_type_id: Mapped[int] = mapped_column(
        ForeignKey("activity_types.id", ondelete="RESTRICT"), primary_key=True
    )
    activities: Mapped[int] = mapped_column()
    people_reached: Mapped[int] = mapped_column(BigInteger)
    without_reach: Mapped[int] = mapped_column()


class ReturnSavingTotal(Base):
    """A return's savings claimed: how many claims, their amount, and how many gave no evidence level."""

    __tablename__ = "return_saving_totals"

    site_return_id: Mapped[int] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), primary_key=True
    )
    claims: Mapped[int] = mapped_column()
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    without_level: Mapped[int] = mapped_column()


class ReturnValuesReported(Base):
    """How many of a return's measure values give a number (rather than "not available"), for the indicators
    of one collection frequency: what completeness counts as reported."""

    __tablename__ = "return_values_reported"

    site_return_id: Mapped[int] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[str] = mapped_column(String(20), primary_key=True)
    values_reported: Mapped[int] = mapped_column()


class ReturnLearningCount(Base):
    """A return's learning entries of one type about one theme (none for entries about no theme) and, for
    the rows counted by area, one of the framework's dimensions (none for the rows counted by theme)."""

    __tablename__ = "return_learning_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"))
    learning_type: Mapped[str] = mapped_column(String(20))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"))
    learning_dimension_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_dimensions.id", ondelete="RESTRICT")
    )
    entries: Mapped[int] = mapped_column()

    __table_args__ = (Index("ix_return_learning_counts_return_type", "site_return_id", "learning_type"),)


class ApprovedValueCount(Base):
    """A site's measure values of one indicator in its approved returns: how many give a number, how many
    there are (the rest say "not yet available"), and how many of those with a number rest on evidence
    below the indicator's minimum (or state none).

    Kept per site rather than per return: a return holds one value an indicator, so per return these would
    be the values themselves, while the outcomes view counts every approved value of every period. Rebuilt
    for a site whenever one of its values changes or one of its returns is approved or loses its approval.
    """

    __tablename__ = "approved_value_counts"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    values: Mapped[int] = mapped_column()
    all_values: Mapped[int] = mapped_column()
    below_minimum: Mapped[int] = mapped_column()
