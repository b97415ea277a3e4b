"""PDF documents per second with the fonts parsed once per process (crm/pdf.py) against fpdf2's
add_font parsing both faces for every document, side by side in one run: an official receipt and
the 25-tips guide (honour cards are built the same way, from an order in the database).

    .venv/bin/python bench/pdf.py --repeat 30

Each document is built with the real code; only crm.pdf.add_fonts is swapped for the baseline.
A receipt's bytes are compared both ways: they must be identical (the guide is dated when built).
"""

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import crm.pdf  # noqa: E402
from crm.payments.receipt_pdf import build_receipt_pdf  # noqa: E402
from crm.supporters.guide import build_guide_pdf  # noqa: E402

WHEN = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
CHARITY = {
    "name": "Protect Children Canada",
    "address": "1 Main St, Winnipeg MB R3C 0A1",
    "registration": "123456789RR0001",
    "signatory": "Jo Tremblay",
    "location": "Winnipeg",
    "cra_url": "canada.ca/charities-giving",
}


def parse_every_time(pdf):
    for style, name in crm.pdf.FACES.items():
        pdf.add_font(crm.pdf.FAMILY, style, str(crm.pdf.FONT_DIR / name))


def receipt():
    return SimpleNamespace(
        serial="2026-000042",
        language="fr",
        issued_at=WHEN,
        kind="single",
        received_on=date(2026, 3, 14),
        received_until=None,
        replaces=None,
        donor_name="Jean-François Bélanger-Nguyễn",
        donor_address="12 rue Saint-Denis\nMontréal QC H2X 1K1",
        amount_cents=12500,
        advantage_cents=0,
        advantage_description="",
        eligible_cents=12500,
        currency="cad",
    )


def rate(build, repeat):
    build()  # the parse-once cache is filled outside the timing, as in a running app
    started = time.perf_counter()
    for _ in range(repeat):
        data = build()
    return repeat / (time.perf_counter() - started), data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    documents = {
        "receipt (fr)": lambda: build_receipt_pdf(receipt(), CHARITY, "CA", ZoneInfo("America/Toronto")),
        "guide (en, 25 tips)": lambda: build_guide_pdf("en", "Protect Children Canada"),
    }
    ours = crm.pdf.add_fonts
    print(f"{'document':<22} {'parse once':>12} {'parse each':>12}  ratio")
    for name, build in documents.items():
        crm.pdf.add_fonts = ours
        fast, fast_bytes = rate(build, args.repeat)
        crm.pdf.add_fonts = parse_every_time
        slow, slow_bytes = rate(build, args.repeat)
        crm.pdf.add_fonts = ours
        if name.startswith("guide"):
            same = "(dated when built: not compared)"
        else:
            same = "same bytes" if fast_bytes == slow_bytes else "BYTES DIFFER"
        print(f"{name:<22} {fast:>8.1f}/s   {slow:>8.1f}/s   {fast / slow:.2f}x  {same}")


if __name__ == "__main__":
    main()
