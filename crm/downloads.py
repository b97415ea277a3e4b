"""File downloads from staff screens."""

from flask import Response, stream_with_context

from crm.utc import utcnow


def csv_response(chunks, filename):
    """Return a CSV attachment (a string, or chunks streamed as they come) that no cache keeps."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(chunks, mimetype="text/csv", headers=headers)


def csv_export(chunks, stem):
    """Stream an export's CSV chunks (crm.exports.stream_csv) as `<stem>-<UTC time>.csv`."""
    return csv_response(stream_with_context(chunks), f"{stem}-{utcnow():%Y%m%d-%H%M}.csv")
