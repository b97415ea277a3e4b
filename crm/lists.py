"""Staff lists: one page of a query's rows, with page numbers that can never break the query."""

from dataclasses import dataclass

from flask_babel import format_number
from sqlalchemy import select

from crm.extensions import db

PER_PAGE = 50
# A list counts matches exactly up to this many; beyond, it says "more than".
COUNT_CAP = 10_000
# Page numbers past this are clamped before they reach SQL (an OFFSET must fit in 64 bits).
MAX_PAGE = 10**9


@dataclass(frozen=True)
class ListWords:
    """How a list counts what it shows, in whole sentences (a translation needs them whole).

    `shown` and `shown_capped` take %(first)s, %(last)s and %(total)s; `none` is for an empty list.
    """

    shown: str
    shown_capped: str
    none: str


@dataclass
class ListPage:
    """One page of a staff list (past COUNT_CAP matches the total is COUNT_CAP + 1)."""

    items: list
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE

    @property
    def total_is_capped(self):
        return self.total > COUNT_CAP

    @property
    def first_index(self):
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self):
        return (self.page - 1) * self.per_page + len(self.items)

    def summary(self, words):
        """Say which rows this page shows, of how many ("Showing 1 to 50 of 1,234 supporters")."""
        if not self.total:
            return str(words.none)
        message = words.shown_capped if self.total_is_capped else words.shown
        total = self.total - 1 if self.total_is_capped else self.total
        numbers = {"first": self.first_index, "last": self.last_index, "total": total}
        return str(message) % {name: format_number(number) for name, number in numbers.items()}

    def window(self, around=2):
        """Return the page numbers to link to, with None where pages are skipped."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result = []
        for number in numbers:
            if result and number - result[-1] > 1:
                result.append(None)
            result.append(number)
        return result


def page_number(args):
    """The page a request asks for (`?page=`): anything that is not a whole number is page 1."""
    raw = (args.get("page") or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE if len(raw) > 10 else max(1, min(int(raw), MAX_PAGE))


def count_matches(query, cap=None):
    """Return how many rows `query` selects; with `cap`, stop counting past it (returns cap + 1)."""
    query = query.order_by(None)
    if cap is not None:
        # Counting 117,000 consent matches exactly takes most of a second; past the cap nobody reads it.
        query = query.limit(cap + 1)
    return db.session.scalar(select(db.func.count()).select_from(query.subquery()))


def paginate(query, page=1, per_page=PER_PAGE, count=None):
    """Return one ListPage of the rows `query` selects (the page is clamped to the last one).

    `count(cap)` counts every match (default: the query itself), and only runs when the page
    does not already show where the list ends.
    """
    page = max(1, min(page, MAX_PAGE))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    if 0 < len(items) < per_page or (page == 1 and not items):
        total = (page - 1) * per_page + len(items)  # the last page: no need to count
    else:
        total = (count or (lambda cap: count_matches(query, cap=cap)))(COUNT_CAP)
    pages = max(1, -(-total // per_page))
    if page > pages:
        page = pages
        items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return ListPage(items=items, total=total, page=page, pages=pages, per_page=per_page)
