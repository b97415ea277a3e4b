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


def main(path):
    translations = runpy.run_path(path)["FR"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if message.id and message.id in translations and (not message.string or message.fuzzy):
            text = translations[message.id]
            if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(text)):
                raise SystemExit(f"placeholders differ: {message.id!r} -> {text!r}")
            message.string = text
            message.flags.discard("fuzzy")
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still missing {len(missing)}")
    for msgid in missing:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(sys.argv[1])
