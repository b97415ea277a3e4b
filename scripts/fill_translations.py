"""Fill French translations from a Python dict file: python scripts/fill_translations.py FILE.py

The file defines FR = {msgid: msgstr}. Only empty or fuzzy entries are filled; placeholders are checked.
"""

import re
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _empty(string):
    return not string or (isinstance(string, tuple) and not all(string))


def _check(source, text):
    if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
        raise SystemExit(f"placeholders differ: {source!r} -> {text!r}")


def main(path):
    translations = runpy.run_path(path)["FR"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not key or key not in translations or not (_empty(message.string) or message.fuzzy):
            continue
        text = translations[key]
        if isinstance(message.id, tuple):
            # Plurals: FR maps the singular msgid to (singular, plural); French uses the plural beyond one.
            singular, plural = text
            _check(message.id[0], singular)
            _check(message.id[1], plural)
            message.string = (singular, *[plural] * (catalog.num_plurals - 1))
        else:
            _check(key, text)
            message.string = text
        message.flags.discard("fuzzy")
        filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    missing = [m.id for m in catalog if m.id and _empty(m.string)]
    print(f"filled {filled}; still missing {len(missing)}")
    for msgid in missing[:50]:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(sys.argv[1])
