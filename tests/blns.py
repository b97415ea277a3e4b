"""The Big List of Naughty Strings, once for every test: all of it, and the sample sent through HTTP.

Every string goes through every field at the form and service level (fast, in-process); the
SAMPLE goes through HTTP and the page that answers, where rendering and the response are tried.
"""

import json
import re
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "blns" / "blns.json"
STRINGS = json.loads(PATH.read_text(encoding="utf-8"))
# Markup, SQL, format strings, numbers that are not, Unicode of every kind (right to left,
# combining, emoji, zero width, CJK), control characters, paths, CSV formulas and a long one:
# two strings of each kind.
SAMPLE_KINDS = [
    r"<script", r"' OR|DROP TABLE", r"%s|%n|\{0\}|\$\{", r"^-?\d|NaN|Infinity|0x", r"null|undefined|None",
    r"\u202e|\u200f", r"\u0300|\u0489|\u0e49", r"[\U0001f300-\U0001faff]", r"\u200b|\ufeff", r"\x00|\r|\x7f",
    r"[\u4e00-\u9fff]", r"\.\./|file:", r"=cmd|^@SUM|^=|^\+",
]  # fmt: skip
SAMPLE = [s for kind in SAMPLE_KINDS for s in [s for s in STRINGS if re.search(kind, s)][:2]] + ["A" * 5000]
