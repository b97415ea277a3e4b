"""gunicorn settings read from the working directory (the Procfile's `web` runs it from here).

gunicorn writes `Server: gunicorn` on every response, which tells a scanner what to try; the
app's own headers say nothing about the software, so neither does the server.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_banner
