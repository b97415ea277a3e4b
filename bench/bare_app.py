"""The floor bench/fundraising.py measures pages against: a bare Flask handler, no database, no template.

gunicorn bench.bare_app:app   (from the project root, with the same gunicorn.conf.py and workers)
"""

from flask import Flask

app = Flask(__name__)
PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bare handler</title></head>"
    "<body><h1>Bare handler</h1><p>A constant page.</p></body></html>"
)


@app.get("/")
def bare():
    return PAGE
