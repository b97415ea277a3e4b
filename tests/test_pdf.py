"""crm/pdf.py: fonts parsed once per process give the same bytes as fpdf2's own add_font, document after document."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fpdf import FPDF

from crm.pdf import FACES, FAMILY, FONT_DIR, new_document

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def _write(pdf, text):
    pdf.add_page()
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 10, text)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 10, text[::-1])
    return bytes(pdf.output())


def _reference(text):
    """The same document, built the way fpdf2 documents it: every face parsed from its file."""
    pdf = FPDF(format="Letter")
    pdf.set_creation_date(T0)
    pdf.set_compression(True)
    for style, name in FACES.items():
        pdf.add_font(FAMILY, style, str(FONT_DIR / name))
    pdf.set_title("Reçu")
    pdf.set_lang("fr-CA")
    pdf.set_author("Charité")
    pdf.set_creator("Charité")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    return _write(pdf, text)


def _ours(text):
    return _write(new_document("Reçu", "fr-CA", "Charité", created=T0), text)


TEXTS = ["Reçu officiel — 42,00 $", "Zoë Ñúñez Ωμέγα Юлия", "A"]


def test_same_bytes_as_fpdf2_and_no_glyphs_carried_over():
    # In this order: a later, smaller document must not embed the glyphs an earlier one used.
    for text in TEXTS:
        assert _ours(text) == _reference(text)


def test_documents_built_at_once_in_threads():
    expected = {text: _reference(text) for text in TEXTS}
    with ThreadPoolExecutor(8) as pool:
        built = list(pool.map(lambda i: (TEXTS[i % 3], _ours(TEXTS[i % 3])), range(24)))
    assert all(data == expected[text] for text, data in built)
