"""The demo catalog: categories and items in English and French, with simple drawings made at seed time."""

import io

from PIL import Image, ImageDraw, ImageFont

from crm.catalog.models import Category
from crm.catalog.services.items import ItemFields, create_category, create_item
from crm.extensions import db

DEMO_CATEGORIES = [
    ("Justice for survivors", "Justice pour les survivants"),
    ("Healing and safety", "Guérison et sécurité"),
    ("A future", "Un avenir"),
    ("Cards and thanks", "Cartes et remerciements"),
]

# (category index, English, French, price cents, fair market value cents, cap, drawing)
DEMO_ITEMS = [
    (
        0,
        (
            "A lawyer's work on one case",
            "Pays a lawyer to represent a child survivor from the first complaint to the verdict.",
            "One survivor is heard in court and not alone.",
        ),
        (
            "Le travail d'un avocat pour un dossier",
            "Paie une avocate ou un avocat qui représente un enfant survivant, de la plainte au verdict.",
            "Une victime est entendue au tribunal, et n'est pas seule.",
        ),
        150000,
        0,
        12,
        ("JUSTICE", "#1d4e89", "scales"),
    ),
    (
        0,
        (
            "Training for police investigators",
            "A week of training for one investigator in tracing online exploitation and interviewing children.",
            "Cases are solved sooner, and children are questioned with care.",
        ),
        (
            "Formation d'enquêteurs de police",
            "Une semaine de formation pour une enquêteuse ou un enquêteur : traces en ligne et entrevues d'enfants.",
            "Les dossiers avancent plus vite, et les enfants sont interrogés avec soin.",
        ),
        35000,
        0,
        None,
        ("POLICE", "#133761", "badge"),
    ),
    (
        1,
        (
            "A night in a safe house",
            "A bed, a meal and a counsellor on call for a young person who has just escaped exploitation.",
            "One night in safety, with someone awake nearby.",
        ),
        (
            "Une nuit en maison d'hébergement",
            "Un lit, un repas et une intervenante de garde pour un jeune qui vient d'échapper à l'exploitation.",
            "Une nuit en sécurité, avec quelqu'un d'éveillé tout près.",
        ),
        8500,
        0,
        None,
        ("REFUGE", "#7a3e9d", "house"),
    ),
    (
        1,
        (
            "A survivor's aftercare for a month",
            "Therapy, medical follow-up and a caseworker for one survivor during a month of recovery.",
            "A month of care to heal from what happened.",
        ),
        (
            "Un mois de soins pour une survivante",
            "Thérapie, suivi médical et intervenante pour une personne survivante pendant un mois de rétablissement.",
            "Un mois de soins pour guérir de ce qui est arrivé.",
        ),
        45000,
        0,
        None,
        ("CARE · SOINS", "#b5452b", "heart"),
    ),
    (
        2,
        (
            "Job training",
            "A trade course for a young survivor: fees, tools and a bus pass until the first job.",
            "A skill, a wage and a way forward.",
        ),
        (
            "Formation professionnelle",
            "Un cours de métier pour une jeune survivante : frais, outils et laissez-passer d'autobus.",
            "Un métier, un salaire et un chemin vers l'avant.",
        ),
        27500,
        0,
        None,
        ("METIER · JOB", "#1e5631", "tools"),
    ),
    (
        2,
        (
            "School fees for a year",
            "Tuition, books and supplies so a child survivor stays in school for a whole year.",
            "A year of school instead of a year lost.",
        ),
        (
            "Frais de scolarité pour un an",
            "Droits de scolarité, livres et fournitures pour qu'un enfant reste à l'école toute une année.",
            "Une année d'école plutôt qu'une année perdue.",
        ),
        60000,
        0,
        None,
        ("ECOLE · SCHOOL", "#8a6d00", "book"),
    ),
    (
        3,
        (
            "Printed thank-you card kit",
            "Ten printed cards and envelopes, mailed to you, to thank the people who support your cause.",
            "The price beyond the cards' value funds prevention workshops in schools.",
        ),
        (
            "Trousse de cartes de remerciement",
            "Dix cartes imprimées et leurs enveloppes, postées chez vous, pour remercier ceux qui vous soutiennent.",
            "Le prix au-delà de la valeur des cartes finance des ateliers de prévention dans les écoles.",
        ),
        3000,
        1200,
        None,
        ("MERCI · THANKS", "#a4161a", "card"),
    ),
]


def seed_demo_catalog(media_root, actor=None, now=None):
    """Add the demo categories and items with their images, once; return False if a catalog is already there."""
    if db.session.scalar(db.select(Category.id).limit(1)) is not None:
        return False
    categories = [create_category(en, fr, actor, now=now) for en, fr in DEMO_CATEGORIES]
    for index, english, french, price, fmv, cap, drawing in DEMO_ITEMS:
        fields = ItemFields(
            name_en=english[0],
            description_en=english[1],
            impact_en=english[2],
            name_fr=french[0],
            description_fr=french[1],
            impact_fr=french[2],
            price_cents=price,
            fmv_cents=fmv,
            cap=cap,
            category_id=categories[index].id,
        )
        create_item(fields, actor, demo_drawing(*drawing), media_root, now=now)
    return True


def demo_drawing(word, colour, shape, size=(960, 640)):
    """Return PNG bytes of a simple illustration: a coloured ground, a shape and a word (not a photo)."""
    # Words in ASCII: the font bundled with Pillow has no accented capitals.
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    width, height = size
    centre_x, centre_y = width // 2, height // 2 - 60
    light = "#fdf6e3"
    draw.ellipse((centre_x - 170, centre_y - 170, centre_x + 170, centre_y + 170), outline=light, width=8)
    _SHAPES[shape](draw, centre_x, centre_y, light)
    font = ImageFont.load_default(size=64)
    box = draw.textbbox((0, 0), word, font=font)
    draw.text(((width - (box[2] - box[0])) / 2, height - 130), word, font=font, fill=light)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _scales(draw, x, y, ink):
    draw.line((x, y - 110, x, y + 100), fill=ink, width=10)
    draw.line((x - 120, y - 70, x + 120, y - 70), fill=ink, width=10)
    for side in (-120, 120):
        draw.line((x + side, y - 70, x + side - 40, y + 10), fill=ink, width=4)
        draw.line((x + side, y - 70, x + side + 40, y + 10), fill=ink, width=4)
        draw.chord((x + side - 50, y - 20, x + side + 50, y + 40), 0, 180, fill=ink)
    draw.rectangle((x - 60, y + 100, x + 60, y + 115), fill=ink)


def _badge(draw, x, y, ink):
    points = [(x, y - 120), (x + 100, y - 70), (x + 90, y + 50), (x, y + 120), (x - 90, y + 50), (x - 100, y - 70)]
    draw.polygon(points, outline=ink, width=10)
    draw.regular_polygon((x, y, 45), 5, fill=ink)


def _house(draw, x, y, ink):
    draw.polygon([(x - 130, y - 10), (x, y - 120), (x + 130, y - 10)], fill=ink)
    draw.rectangle((x - 95, y - 10, x + 95, y + 110), outline=ink, width=10)
    draw.rectangle((x - 25, y + 40, x + 25, y + 110), fill=ink)


def _heart(draw, x, y, ink):
    draw.ellipse((x - 100, y - 90, x + 5, y + 15), fill=ink)
    draw.ellipse((x - 5, y - 90, x + 100, y + 15), fill=ink)
    draw.polygon([(x - 97, y - 20), (x + 97, y - 20), (x, y + 110)], fill=ink)


def _tools(draw, x, y, ink):
    draw.line((x - 90, y + 90, x + 60, y - 60), fill=ink, width=18)
    draw.ellipse((x + 40, y - 110, x + 110, y - 40), outline=ink, width=14)
    draw.line((x + 90, y + 90, x - 60, y - 60), fill=ink, width=18)
    draw.rectangle((x - 110, y - 100, x - 40, y - 50), fill=ink)


def _book(draw, x, y, ink):
    draw.polygon([(x, y - 70), (x - 130, y - 100), (x - 130, y + 80), (x, y + 110)], outline=ink, width=10)
    draw.polygon([(x, y - 70), (x + 130, y - 100), (x + 130, y + 80), (x, y + 110)], outline=ink, width=10)
    for step in (-40, 0, 40):
        draw.line((x - 105, y + step - 30, x - 25, y + step - 10), fill=ink, width=5)


def _card(draw, x, y, ink):
    draw.rectangle((x - 130, y - 85, x + 130, y + 85), outline=ink, width=10)
    draw.line((x - 130, y - 85, x, y + 10), fill=ink, width=8)
    draw.line((x + 130, y - 85, x, y + 10), fill=ink, width=8)


_SHAPES = {
    "scales": _scales,
    "badge": _badge,
    "house": _house,
    "heart": _heart,
    "tools": _tools,
    "book": _book,
    "card": _card,
}
