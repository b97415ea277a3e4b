"""File downloads from staff screens."""

from flask import Response


def csv_response(chunks, filename):
    """Return a CSV attachment (a string, or chunks streamed as they come) that no cache keeps."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(chunks, mimetype="text/csv", headers=headers)
