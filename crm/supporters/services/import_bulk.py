"""Set-at-a-time SQL for large imports: IN lists and multi-row INSERTs that stay fast on both engines."""

import json

from sqlalchemy import ARRAY, JSON, any_, bindparam, select, text

from crm.extensions import db


def _is_postgresql():
    return db.session.get_bind().dialect.name == "postgresql"


def among(column, values):
    """Return `column IN values`; on PostgreSQL as `= ANY(array)`, one parameter instead of 1,000."""
    if _is_postgresql():
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def _processed(column, values, dialect):
    """Return the values as the driver wants them, converting each distinct value once."""
    processor = column.type.bind_processor(dialect)
    if processor is None:
        return values
    done = {}
    converted = []
    for value in values:
        try:
            converted.append(done[value] if value in done else done.setdefault(value, processor(value)))
        except TypeError:  # unhashable (a JSON dict)
            converted.append(processor(value))
    return converted


def _sqlite_insert(table, rows, returning):
    # sqlite3's own executemany: SQLAlchemy's per-row parameter processing cost more than SQLite.
    connection = db.session.connection()
    names = list(rows[0])
    columns = [_processed(table.c[name], [row[name] for row in rows], connection.dialect) for name in names]
    placeholders = ", ".join("?" for _name in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608 (metadata names)
    connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))
    if not returning:
        return []
    key = table.c[returning[0]]
    query = select(*(table.c[name] for name in returning)).where(among(key, {row[key.name] for row in rows}))
    return db.session.execute(query).all()


def bulk_insert(table, rows, returning=()):
    """Insert `rows` (dicts with the same keys) at once; return the `returning` columns of the new rows.

    `returning[0]` must be a unique column of the rows (the new rows are found by it on SQLite).
    On PostgreSQL the values travel as one array per column (INSERT ... SELECT FROM unnest):
    psycopg would otherwise parse a multi-row VALUES statement of 20,000 placeholders in Python,
    which made a 100,000-row import take minutes.
    """
    if not rows:
        return []
    if not _is_postgresql():
        return _sqlite_insert(table, rows, returning)
    dialect = db.session.get_bind().dialect
    names = list(rows[0])
    params, casts = {}, []
    for position, name in enumerate(names):
        column = table.c[name]
        values = [row[name] for row in rows]
        if isinstance(column.type, JSON):
            values = [None if value is None else json.dumps(value) for value in values]
        params[f"p{position}"] = values
        casts.append(f"CAST(:p{position} AS {column.type.compile(dialect=dialect)}[])")
    # Identifiers come from the table's metadata, never from the file; every value is bound.
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({', '.join(casts)})"  # noqa: S608
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    result = db.session.execute(text(sql), params)
    return result.all() if returning else []
