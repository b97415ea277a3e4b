"""Demo fundraising: a "do it yourself" campaign with every occasion, and a winter polar dip with
teams, pages in each state and gifts, so `make run` shows the feature alive (issue 12)."""

from dataclasses import dataclass
from datetime import timedelta

from crm.accounts.models import User
from crm.catalog.demo import demo_drawing
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, OfflineGiftReport, PageFlag, Team
from crm.fundraising.notifications import COACHING_SEQUENCE, coaching_context, coaching_subject, schedule_event_emails
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.staff import CampaignFields, create_campaign
from crm.images import store_image
from crm.mail.services.sequences import enrol
from crm.payments.services.offline import OfflineGift, record_offline_gift
from crm.payments.services.receipts import local_date
from crm.supporters.services.intake import find_or_create_supporter

DIY = CampaignFields(
    slug="do-it-yourself",
    name_en="Do it yourself",
    name_fr="Faites-le vous-même",
    description_en="Your skills, talents and ideas are a force for change: raise money your own way.",
    description_fr="Vos talents et vos idées sont une force de changement : amassez des fonds à votre façon.",
    goal_cents=5_000_000,
)
POLAR_DIP = CampaignFields(
    slug="polar-dip-2027",
    name_en="Winter Polar Dip 2027",
    name_fr="Plongeon polaire d'hiver 2027",
    description_en="Jump into icy water on February 13 and raise money to keep children safe online.",
    description_fr="Plongez dans l'eau glacée le 13 février et amassez des fonds pour protéger les enfants en ligne.",
    goal_cents=2_500_000,
    suggested_amounts=[2500, 5000, 10000, 25000],
    approve_new_pages=True,
    approve_edits=True,
)


@dataclass
class DemoPage:
    email: str
    first_name: str
    last_name: str
    language: str
    campaign: str  # the campaign's slug
    occasion: str
    slug: str
    title: str
    story: str
    goal_cents: int
    state: str  # draft, pending, live, closed, hidden, or "edited" (live with an edit waiting)
    team: str = ""
    team_status: str = "member"  # or "pending": asking the captain to join
    # (donor email, first name, amount cents, wall name or "" for anonymous, message)
    gifts: tuple = ()
    drawing: tuple | None = None


DEMO_PAGES = [
    DemoPage(
        "fundraiser@demo.example",
        "Jordan",
        "Smith",
        "en",
        "do-it-yourself",
        "birthday",
        "jordans-birthday",
        "Jordan's 30th birthday for child safety",
        "This year, instead of gifts, I am asking you to help keep children safe online.\n\n"
        "**Every $25** pays for an hour of a counsellor's time with a survivor.",
        50000,
        "live",
        gifts=(
            ("priya.patel@demo.example", "Priya", 10000, "Priya P.", "Happy birthday, Jordan!"),
            ("ava.martin@demo.example", "Ava", 5000, "", ""),
            ("noah.wilson@demo.example", "Noah", 15000, "The Wilsons", "Proud of you."),
        ),
        drawing=("BIRTHDAY", "#8a3b12", "heart"),
    ),
    DemoPage(
        "olivia.brown@demo.example",
        "Olivia",
        "Brown",
        "en",
        "do-it-yourself",
        "run_walk",
        "olivia-runs-10k",
        "Olivia runs 10 km for kids",
        "I am running the city 10 km in May. Sponsor me: every kilometre counts.",
        40000,
        "live",
        gifts=(
            ("liam.oconnor@demo.example", "Liam", 25000, "Liam", "Run, Olivia, run!"),
            ("sofia.nguyen@demo.example", "Sofia", 24600, "", ""),
        ),
        drawing=("RUN", "#1d4e89", "heart"),
    ),
    DemoPage(
        "lea.bouchard@demo.example",
        "Léa",
        "Bouchard",
        "fr",
        "do-it-yourself",
        "in_memory",
        "a-la-memoire-de-mamie",
        "À la mémoire de ma grand-mère Thérèse",
        "Ma grand-mère a passé sa vie à protéger les enfants. J'amasse des fonds en son honneur.",
        100000,
        "draft",
    ),
    DemoPage(
        "mathieu.gagnon@demo.example",
        "Mathieu",
        "Gagnon",
        "fr",
        "polar-dip-2027",
        "polar_dip",
        "mathieu-plonge",
        "Mathieu plonge pour les enfants",
        "Le 13 février, je saute dans le lac gelé. Encouragez-moi par un don!",
        75000,
        "live",
        team="frozen-falcons",
        gifts=(
            ("amelie.tremblay@demo.example", "Amélie", 5000, "Amélie", "Bon courage!"),
            ("etienne.cote@demo.example", "Étienne", 2500, "", ""),
            ("chloe.roy@demo.example", "Chloé", 10000, "Chloé R.", ""),
        ),
        drawing=("POLAR DIP", "#133761", "house"),
    ),
    DemoPage(
        "chloe.roy@demo.example",
        "Chloé",
        "Roy",
        "fr",
        "polar-dip-2027",
        "polar_dip",
        "chloe-a-l-eau",
        "Chloé à l'eau glacée",
        "Je plonge avec l'équipe des Faucons gelés. Chaque don me donne du courage.",
        30000,
        "edited",
        team="frozen-falcons",
        gifts=(("mathieu.gagnon@demo.example", "Mathieu", 7500, "Mathieu", "À l'eau, coéquipière!"),),
    ),
    DemoPage(
        "ava.martin@demo.example",
        "Ava",
        "Martin",
        "en",
        "polar-dip-2027",
        "polar_dip",
        "ava-takes-the-plunge",
        "Ava takes the plunge",
        "I have never swum in February. For the kids, I will.",
        25000,
        "pending",
        team="ice-breakers",
        team_status="pending",
    ),
    DemoPage(
        "fundraiser@demo.example",
        "Jordan",
        "Smith",
        "en",
        "polar-dip-2027",
        "polar_dip",
        "jordan-breaks-the-ice",
        "Jordan breaks the ice",
        "I lead the Ice Breakers from the Winnipeg office into the lake. Join us, or cheer us on!",
        30000,
        "live",
        team="ice-breakers",
        gifts=(("priya.patel@demo.example", "Priya", 4000, "", "Stay warm!"),),
    ),
    DemoPage(
        "fundraiser@demo.example",
        "Jordan",
        "Smith",
        "en",
        "do-it-yourself",
        "own_idea",
        "jordans-bake-sale",
        "Jordan's bake sale",
        "Cookies, pies and a good cause: every sale raises money for child safety.",
        20000,
        "draft",
    ),
    DemoPage(
        "fundraiser@demo.example",
        "Jordan",
        "Smith",
        "en",
        "do-it-yourself",
        "run_walk",
        "jordans-walk-last-year",
        "Jordan walks 5 km (last year)",
        "Last spring I walked 5 km around the lake for child safety. Thank you to everyone who gave!",
        25000,
        "closed",
        gifts=(("sofia.nguyen@demo.example", "Sofia", 12000, "Sofia", "Great walk!"),),
    ),
    DemoPage(
        "noah.wilson@demo.example",
        "Noah",
        "Wilson",
        "en",
        "polar-dip-2027",
        "polar_dip",
        "noah-dips",
        "Noah dips for a cause",
        "Buy my old car and I will jump in the lake!",
        20000,
        "hidden",
    ),
    DemoPage(
        "liam.oconnor@demo.example",
        "Liam",
        "O'Connor",
        "en",
        "do-it-yourself",
        "celebration",
        "liam-and-sam-wedding",
        "Liam and Sam's wedding",
        "We asked our guests for gifts to child safety instead of toasters. Thank you all!",
        60000,
        "closed",
        gifts=(("olivia.brown@demo.example", "Olivia", 30000, "Olivia and Ben", "Congratulations!"),),
    ),
]

# (campaign, slug, name, story, goal cents, open to anyone)
DEMO_TEAMS = [
    ("polar-dip-2027", "frozen-falcons", "Frozen Falcons", "We dip together, every winter since 2019.", 150000, True),
    ("polar-dip-2027", "ice-breakers", "Ice Breakers", "A team from the Winnipeg office: ask to join.", 100000, False),
    ("do-it-yourself", "bake-sale-club", "Bake Sale Club", "Bakers of every kind, one big total.", 50000, True),
]


def seed_demo_fundraising(media_root, admin, now):
    """Add the demo campaigns, teams, pages and gifts, once; return False if a campaign is already there."""
    if db.session.scalar(db.select(Campaign.id).limit(1)) is not None:
        return False
    today = local_date(now)
    campaigns = {}
    for fields, drawing in (
        (DIY, ("DO IT YOURSELF", "#6b2d5c", "heart")),
        (POLAR_DIP, ("POLAR DIP", "#0b4f6c", "house")),
    ):
        campaign = create_campaign(fields, admin, image_data=demo_drawing(*drawing), media_root=media_root, now=now)
        campaign.starts_on = today - timedelta(days=30)
        campaigns[campaign.slug] = campaign
    campaigns["polar-dip-2027"].ends_on = today + timedelta(days=70)
    teams = {}
    for campaign_slug, slug, name, story, goal, is_open in DEMO_TEAMS:
        teams[slug] = Team(campaign=campaigns[campaign_slug], slug=slug, name=name, story=story, goal_cents=goal)
        teams[slug].open = is_open
        db.session.add(teams[slug])
    db.session.flush()
    for n, spec in enumerate(DEMO_PAGES):
        page = _demo_page(
            spec, campaigns[spec.campaign], teams.get(spec.team), media_root, now - timedelta(days=20 - n)
        )
        if page.team_status == "member" and page.user_id and teams[spec.team].captain_user_id is None:
            teams[spec.team].captain_user_id = page.user_id
        if page.status == "live":
            _demo_coaching(page, now)
        for donor in spec.gifts:
            _demo_page_gift(page, donor, admin, now)
    _demo_extras(campaigns, admin, now)
    db.session.flush()
    return True


def _demo_page(spec, campaign, team, media_root, created):
    supporter, _created, _conflicts = find_or_create_supporter(
        spec.email, source="fundraiser", now=created, first_name=spec.first_name, last_name=spec.last_name
    )
    supporter.language = supporter.language or spec.language
    user = db.session.scalar(db.select(User).filter_by(email=spec.email))
    occasion = next(occasion for occasion in campaign.occasions if occasion.kind == spec.occasion)
    page = FundraiserPage(
        campaign=campaign,
        occasion=occasion,
        supporter=supporter,
        user=user,
        slug=spec.slug,
        title=spec.title,
        story=spec.story,
        goal_cents=spec.goal_cents,
        currency=campaign.currency,
        event_on=local_date(created) + timedelta(days=occasion.days),
        language=spec.language,
        created_at=created,
    )
    if team is not None:
        page.team, page.team_status = team, spec.team_status
    if spec.drawing:
        stored = store_image(demo_drawing(*spec.drawing), media_root, "fundraising")
        page.photo_name, page.photo_width, page.photo_height = stored.name, stored.width, stored.height
    db.session.add(page)
    db.session.flush()
    if spec.state != "draft":
        page.submit(created)
        if page.status == "pending" and spec.state != "pending":
            page.approve(created)
    if spec.state == "edited":
        page.edit({"title": spec.title + " (avec toute l'équipe)"})
    elif spec.state == "closed":
        page.close(created + timedelta(days=10))
    elif spec.state == "hidden":
        page.hide("The page offers something for sale in exchange for gifts.")
    return page


def _demo_coaching(page, now):
    """The page's fundraiser in the coaching of its occasion, its event's emails planned from today."""
    context, subject = coaching_context(page), coaching_subject(page)
    enrol(page.supporter, COACHING_SEQUENCE, now=page.published_at, context=context, subject_key=subject)
    schedule_event_emails(page, now)


def _demo_page_gift(page, donor, admin, now):
    """A cheque given to a page, credited to it, named on the wall only where the donor chose a name."""
    email, first_name, amount_cents, wall_name, message = donor
    gift = OfflineGift(
        email=email,
        amount_cents=amount_cents,
        received_on=local_date(now),
        method="cheque",
        donor={"first_name": first_name},
    )
    donation = record_offline_gift(gift, admin, page.currency, now=now)
    donation.show_on_wall, donation.wall_name, donation.message = bool(wall_name), wall_name, message
    credit_gift(donation, page.campaign, page, now=now)


def _demo_extras(campaigns, admin, now):
    """A gift straight to the polar dip, two visitors' reports (one acted on), a cash gift waiting for staff."""
    polar_dip = campaigns["polar-dip-2027"]
    gift = OfflineGift(
        email="sofia.nguyen@demo.example", amount_cents=20000, received_on=local_date(now), method="cheque"
    )
    credit_gift(record_offline_gift(gift, admin, polar_dip.currency, now=now), polar_dip, now=now)
    pages = {page.slug: page for page in db.session.scalars(db.select(FundraiserPage))}
    db.session.add(
        PageFlag(
            page=pages["noah-dips"], reason="scam", details="It says gifts buy his car.", status="acted", created_at=now
        )
    )
    db.session.add(
        PageFlag(
            page=pages["olivia-runs-10k"],
            reason="other",
            details="Is this the May run or the September one?",
            created_at=now,
        )
    )
    db.session.add(
        OfflineGiftReport(
            page=pages["mathieu-plonge"],
            reported_by_id=pages["mathieu-plonge"].user_id,
            amount_cents=4000,
            currency=polar_dip.currency,
            received_on=local_date(now),
            method="cash",
            first_name="Gilles",
            last_name="Lavoie",
            email="gilles.lavoie@demo.example",
            created_at=now,
        )
    )
