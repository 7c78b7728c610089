"""Splitting a counted list into pages: one rule for how many pages there are and which page is shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

Item = TypeVar("Item")


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill at `per_page` a page; an empty list still has its one page."""
    return max(1, -(-total // per_page))


def page_within(asked: int, total: int, per_page: int) -> int:
    """The page asked for, moved within the pages there are: before the first shows the first, past the last
    shows the last."""
    return max(1, min(asked, page_count(total, per_page)))


@dataclass(frozen=True)
class ListPage(Generic[Item]):
    """One page of a counted list: its items, which page it is, and how many items the whole list holds."""

    items: list[Item]
    page: int
    count: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.count, self.per_page)

    @property
    def first_number(self) -> int:
        """The place in the whole list of this page's first item, counting from 1."""
        return (self.page - 1) * self.per_page + 1


def list_page(session: Session, statement: Select[Item], asked: int, per_page: int) -> ListPage[Item]:
    """The page asked for (moved within the pages there are) of an ordered select of one entity, with the
    whole list's count: two statements however long the list is."""
    count = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    page = page_within(asked, count, per_page)
    rows = list(session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return ListPage(items=rows, page=page, count=count, per_page=per_page)
