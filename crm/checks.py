"""CHECK constraints built from the same tuples the code reads, so a status is named in one place."""

from sqlalchemy import CheckConstraint


def in_list(column, values):
    """SQL that holds when `column` is one of `values`: "status IN ('a', 'b')"."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def one_of(column, values, name=None):
    """A CHECK that `column` is one of `values`, named `<column>_known` by default."""
    return CheckConstraint(in_list(column, values), name=name or f"{column}_known")
