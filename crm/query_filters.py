"""Staff list filters that live in the query string: parsed leniently, written back for links."""

from dataclasses import fields
from datetime import date


class QueryFilter:
    """A dataclass mixin: build from request.args, ignoring what does not parse, and back again.

    Fields whose default is None hold dates (YYYY-MM-DD); CHOICES maps a field to the values it
    may take (anything else is dropped); a field left at its default is not written back.
    """

    CHOICES = {}

    @classmethod
    def from_args(cls, args):
        """Build a filter from request.args, ignoring what does not parse."""
        values = {}
        for field in fields(cls):
            # PostgreSQL refuses NUL characters in text parameters.
            raw = (args.get(field.name) or "").replace("\x00", "").strip()
            if not raw:
                continue
            if field.default is None:
                try:
                    values[field.name] = date.fromisoformat(raw)
                except ValueError:
                    continue
            else:
                values[field.name] = raw[:200]
        for name, allowed in cls.CHOICES.items():
            if values.get(name) not in allowed:
                values.pop(name, None)
        return cls(**values)

    def as_args(self):
        """Return the fields that differ from their defaults as query-string arguments (for links, exports)."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in ("", None) and value != field.default:
                args[field.name] = value.isoformat() if isinstance(value, date) else value
        return args
