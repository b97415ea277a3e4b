"""PDF documents (receipts, the guide, honour cards) with the embedded DejaVu fonts, parsed once per process.

fpdf2 reads a whole TrueType font on every `add_font` (its metrics and character map: about 50 ms
for the two faces, most of a receipt's time). Here each face is read once; a new document gets a
copy of the parsed metrics and its own lazily opened font file, because writing a document subsets
that file in place.
"""

import threading
import unicodedata
from collections import defaultdict
from datetime import UTC
from io import BytesIO

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from crm.config import ROOT

FONT_DIR = ROOT / "static" / "fonts"
FAMILY = "DejaVu"
FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Tables fpdf2 drops from every embedded subset anyway (fpdf/output.py); removed once here, they are
# not read again for each document. Text shaping (which would need GSUB and GPOS) is not used.
UNUSED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "kern")

_faces = {}
_lock = threading.Lock()


def _face(style):
    """Return (the face parsed by fpdf2, the bytes of its font file without the unused tables)."""
    with _lock:
        if style not in _faces:
            font = ttLib.TTFont(FONT_DIR / FACES[style], recalcTimestamp=False)
            for tag in UNUSED_TABLES:
                if tag in font:
                    del font[tag]
            buffer = BytesIO()
            font.save(buffer)
            scratch = FPDF()
            scratch.add_font(FAMILY, style, str(FONT_DIR / FACES[style]))
            _faces[style] = (scratch.fonts[f"{FAMILY.lower()}{style}"], buffer.getvalue())
        return _faces[style]


def add_fonts(pdf):
    """Give `pdf` the regular and bold DejaVu faces, as `pdf.add_font` would, without parsing them again."""
    for style in FACES:
        parsed, data = _face(style)
        font = TTFFont.__new__(TTFFont)
        for name in TTFFont.__slots__:
            if hasattr(parsed, name):
                setattr(font, name, getattr(parsed, name))
        # What a document changes: its own copies, and its own font file (subset in place on output).
        font.i = len(pdf.fonts) + 1
        font.cw = defaultdict(parsed.cw.default_factory, parsed.cw)
        font.glyph_ids = dict(parsed.glyph_ids)
        font.ttfont = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        pdf.fonts[font.fontkey] = font


def new_document(title, lang, author, *, created=None, margins=(20, 20, 20), bottom=20, compress=True, cls=FPDF):
    """Return a Letter-size document with the fonts, its metadata, margins and automatic page breaks."""
    pdf = cls(format="Letter")
    if created is not None:
        pdf.set_creation_date(created if created.tzinfo else created.replace(tzinfo=UTC))
    pdf.set_compression(compress)
    add_fonts(pdf)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_author(author)
    pdf.set_creator(author)
    pdf.set_margins(*margins)
    pdf.set_auto_page_break(auto=True, margin=bottom)
    return pdf


def printable(value):
    """`value` with control characters (NUL, escapes, stray line breaks in a name) as spaces: they print as nothing."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") and ch != "\n" else ch for ch in value or "")
