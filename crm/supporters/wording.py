"""The exact words of each consent box, versioned. A record stores the text and version shown.

Never edit a published version's text: add a new version and point CURRENT at it, so every
consent record keeps pointing at the words the person actually saw.
"""

WORDING = {
    ("newsletter", "2026-11-v1"): {
        "en": "Yes, email me news and updates about protecting children online. I can unsubscribe at any time.",
        "fr": (
            "Oui, envoyez-moi par courriel des nouvelles et des mises à jour sur la protection des enfants en "
            "ligne. Je peux me désabonner en tout temps."
        ),
    },
    ("fundraising_news", "2026-11-v1"): {
        "en": "Yes, email me about fundraising campaigns and ways to give. I can unsubscribe at any time.",
        "fr": (
            "Oui, envoyez-moi par courriel des nouvelles sur les campagnes de financement et les façons de donner. "
            "Je peux me désabonner en tout temps."
        ),
    },
    ("fundraiser_tips", "2026-11-v1"): {
        "en": "Yes, email me tips and help for running my fundraiser. I can unsubscribe at any time.",
        "fr": (
            "Oui, envoyez-moi par courriel des conseils et de l'aide pour organiser ma collecte de fonds. "
            "Je peux me désabonner en tout temps."
        ),
    },
}

# The newest version of each purpose (versions sort by date).
CURRENT = dict(sorted(WORDING))


def consent_wording(purpose, language, version=None):
    """Return (text, version) of the consent box for `purpose` in `language` (English if missing)."""
    version = version or CURRENT[purpose]
    texts = WORDING[(purpose, version)]
    return texts.get(language) or texts["en"], version
