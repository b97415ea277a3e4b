"""The free guide "25 Tips for the Novice Fundraiser", in English and French, as a page and a PDF.

The text is data, not gettext strings: it is long-form writing, edited as a whole in each language.
"""

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from crm.pdf import new_document

GUIDE = {
    "en": {
        "title": "25 Tips for the Novice Fundraiser",
        "intro": (
            "Thank you for thinking about raising money to protect children online. You do not need any "
            "experience: most of our fundraisers are doing it for the first time. These tips come from people "
            "who have done it before you."
        ),
        "tips": [
            (
                "Choose an event you will enjoy",
                "Pick something that fits your life: a birthday, a polar dip, a run or a walk, or a day in memory "
                "of someone you love. When you enjoy it, your energy shows, and people give to people who care. "
                "A small event done well raises real money.",
            ),
            (
                "Set a realistic goal",
                "Start with a goal you can reach, such as $500 or $1,000; you can raise it once you pass it. "
                "Count roughly how many people might give and how much each could afford. A reachable goal gives "
                "your donors the pleasure of helping you cross the line.",
            ),
            (
                "Tell your personal why",
                "In a few honest sentences, say why protecting children online matters to you. A personal reason, "
                "as a parent, a teacher, a coach or a friend, moves people more than any statistic. Keep it short "
                "and write it in your own voice.",
            ),
            (
                "Make the first gift yourself",
                "Give to your own fundraiser first, even a small amount. It shows that you believe in the cause "
                "and that your page is real. A page that already has one gift attracts the next one sooner.",
            ),
            (
                "Share early with your closest circle",
                "Before you post publicly, send your page to five or ten close friends and family members and ask "
                "them personally. Their early gifts build momentum: a page that is already a quarter of the way to "
                "its goal looks like a winner, and others join in.",
            ),
            (
                "Ask one person at a time",
                "A personal message or a phone call works far better than a general post. Use the person's name "
                "and tell them why you thought of them. Make the ask clear, with your link and a suggested amount.",
            ),
            (
                "Suggest an amount",
                "Many people do not know how much to give. Suggest two or three amounts and say what each one "
                "helps to do. A suggestion is not a rule: every gift counts.",
            ),
            (
                "Never post identifiable photos of children",
                "Use a photo of yourself or of your event, never of a child who could be identified without the "
                "written consent of a parent or guardian, and even then think twice. Leave out names, schools, "
                "uniforms and locations. Protecting children online starts with our own pages.",
            ),
            (
                "Protect your own privacy",
                "Do not share your home address, your phone number or your daily routine on your page. Turn off "
                "location data on your photos and check who can see your posts. If a message ever feels wrong, "
                "stop the conversation and tell us.",
            ),
            (
                "Post regular updates",
                "Share your progress every week or so: your training, your preparations, the total so far. Updates "
                "give people a reason to come back and remind those who meant to give. Keep them short and add a "
                "picture when you can.",
            ),
            (
                "Use the milestone moments",
                "Celebrate when you reach a quarter, half and three quarters of your goal. Each milestone is a "
                "natural moment to ask again: \u201cWe are halfway there, can you help us reach 75%?\u201d People "
                "love to push a goal over the line.",
            ),
            (
                "Thank every donor quickly",
                "Thank each donor within a day or two, personally if you can. A quick, warm thank-you makes people "
                "feel part of your effort and more likely to share your page. Thank them publicly only if they "
                "agree.",
            ),
            (
                "Ask about matching gifts",
                "Many employers match their employees' donations, sometimes dollar for dollar. Ask your own "
                "employer and remind your donors to check with theirs. One email to human resources can double a "
                "gift.",
            ),
            (
                "Welcome offline gifts",
                "Some people prefer to give cash or a cheque. Write down who gave what, with their contact details, "
                "and send the money to us promptly so every gift is recorded and receipted. Do not keep cash at home "
                "longer than you need to.",
            ),
            (
                "Use every channel you have",
                "Email, text messages, social media, your workplace, your team, your club, your place of worship: "
                "each one reaches different people. Adapt your message to each. Many people need to see your page "
                "two or three times before they give.",
            ),
            (
                "Set a deadline",
                "A date creates urgency: \u201cHelp me reach my goal before my birthday on the 12th.\u201d Without a "
                "deadline, good intentions wait forever. Plan a last push for the final three days.",
            ),
            (
                "Follow up kindly",
                "People are busy and miss messages. A friendly reminder a week later is not rude, and many gifts "
                "come after the second ask. Stop after two or three reminders.",
            ),
            (
                "Team up",
                "Invite friends, classmates or colleagues to fundraise with you. A team reaches more people and "
                "keeps everyone motivated, and a little friendly competition helps. Share the work: one person can "
                "handle photos, another the thank-yous.",
            ),
            (
                "Explain the cause simply",
                "Learn a few facts about how we protect children online and use our materials rather than guessing. "
                "Say what a gift actually does. If you are asked something you cannot answer, send the person to "
                "us.",
            ),
            (
                "Stay positive and hopeful",
                "Talk about solutions and hope, not only about harm. Avoid graphic details: they upset people and "
                "can hurt survivors. People give to be part of something that works.",
            ),
            (
                "Make giving easy",
                "Put the link to your page everywhere, short and clear. Try it on a phone before you share it. "
                "Every extra step loses a donor.",
            ),
            (
                "Ask for shares, not only gifts",
                "Some people cannot give, but they can share your page with their own friends. Ask them to, "
                "explicitly. One share can bring several gifts.",
            ),
            (
                "Keep the money official",
                "All gifts go to the charity through your official page, never through your personal bank account "
                "or payment apps. That way every donor gets an official receipt and knows where the money went.",
            ),
            (
                "Hold your event safely",
                "Follow the rules for your activity: permission for public places, a buddy and a warm-up plan for a "
                "polar dip, water and first aid for a run. Check the weather and keep a plan B. A safe event makes "
                "the best story afterwards.",
            ),
            (
                "Report back and thank everyone again",
                "After the event, tell everyone the final total and what it will make possible. Share a last "
                "(safe!) photo and a final thank-you. People who feel appreciated will be there for you next year.",
            ),
        ],
        "closing": (
            "Questions along the way? Our events team is here to help, from your first idea to the final thank-you."
        ),
        "page": "Page {n} of {total}",
    },
    "fr": {
        "title": "25 conseils pour votre première collecte de fonds",
        "intro": (
            "Merci de penser à amasser des fonds pour protéger les enfants en ligne. Aucune expérience n'est "
            "nécessaire : la plupart de nos collecteurs et collectrices le font pour la première fois. Ces conseils "
            "viennent de personnes qui sont passées par là avant vous."
        ),
        "tips": [
            (
                "Choisissez une activité qui vous plaît",
                "Choisissez ce qui vous ressemble : un anniversaire, une baignade polaire, une course ou une marche, "
                "ou une journée à la mémoire d'une personne aimée. Quand vous y prenez plaisir, votre énergie se "
                "voit, et les gens donnent aux gens qui ont du cœur. Une petite activité bien menée rapporte de "
                "vrais dons.",
            ),
            (
                "Fixez un objectif réaliste",
                "Commencez par un objectif atteignable, comme 500 $ ou 1 000 $; vous pourrez le relever une fois "
                "dépassé. Estimez combien de personnes pourraient donner et combien chacune peut se permettre. Un "
                "objectif atteignable donne à vos donateurs le plaisir de vous aider à franchir la ligne.",
            ),
            (
                "Racontez votre pourquoi",
                "En quelques phrases sincères, dites pourquoi la protection des enfants en ligne vous tient à cœur. "
                "Une raison personnelle, comme parent, enseignant, entraîneuse ou ami, touche davantage que toutes "
                "les statistiques. Restez bref et écrivez avec vos propres mots.",
            ),
            (
                "Faites le premier don vous-même",
                "Donnez d'abord à votre propre collecte, même un petit montant. Cela montre que vous croyez à la "
                "cause et que votre page est bien réelle. Une page qui a déjà un don en attire un deuxième plus "
                "vite.",
            ),
            (
                "Commencez par vos proches",
                "Avant de publier largement, envoyez votre page à cinq ou dix proches et demandez-leur "
                "personnellement. Leurs premiers dons créent un élan : une page déjà au quart de son objectif "
                "inspire confiance, et d'autres suivent.",
            ),
            (
                "Sollicitez une personne à la fois",
                "Un message personnel ou un appel fonctionne bien mieux qu'une publication générale. Utilisez le "
                "prénom de la personne et dites-lui pourquoi vous avez pensé à elle. Soyez clair : votre lien et un "
                "montant suggéré.",
            ),
            (
                "Suggérez un montant",
                "Bien des gens ne savent pas combien donner. Proposez deux ou trois montants et dites ce que chacun "
                "permet de faire. Une suggestion n'est pas une règle : chaque don compte.",
            ),
            (
                "Ne publiez jamais de photos où l'on peut reconnaître un enfant",
                "Utilisez une photo de vous ou de votre activité, jamais d'un enfant reconnaissable sans le "
                "consentement écrit d'un parent ou tuteur, et même alors, réfléchissez-y deux fois. Évitez les noms, "
                "les écoles, les uniformes et les lieux. La protection des enfants en ligne commence par nos propres "
                "pages.",
            ),
            (
                "Protégez votre propre vie privée",
                "Ne publiez pas votre adresse, votre numéro de téléphone ni votre routine quotidienne. Désactivez "
                "la localisation de vos photos et vérifiez qui peut voir vos publications. Si un message vous semble "
                "déplacé, coupez court à la conversation et prévenez-nous.",
            ),
            (
                "Donnez des nouvelles régulièrement",
                "Partagez vos progrès environ chaque semaine : votre entraînement, vos préparatifs, le total amassé. "
                "Ces nouvelles donnent une raison de revenir et rappellent à ceux qui voulaient donner de le faire. "
                "Restez bref et ajoutez une photo quand vous le pouvez.",
            ),
            (
                "Profitez des étapes importantes",
                "Célébrez le quart, la moitié et les trois quarts de votre objectif. Chaque étape est une occasion "
                "naturelle de relancer : « Nous sommes à mi-chemin, pouvez-vous nous aider à atteindre 75 % ? » "
                "Les gens adorent faire franchir la ligne d'arrivée à un objectif.",
            ),
            (
                "Remerciez chaque donateur rapidement",
                "Remerciez chaque personne dans un jour ou deux, personnellement si possible. Un merci rapide et "
                "chaleureux donne le sentiment de faire partie de votre effort et l'envie de partager votre page. "
                "Ne remerciez publiquement que les personnes qui sont d'accord.",
            ),
            (
                "Renseignez-vous sur les dons jumelés",
                "Beaucoup d'employeurs égalent les dons de leur personnel, parfois dollar pour dollar. Informez-vous "
                "auprès de votre employeur et invitez vos donateurs à faire de même. Un seul courriel aux ressources "
                "humaines peut doubler un don.",
            ),
            (
                "Acceptez les dons hors ligne",
                "Certaines personnes préfèrent donner en argent comptant ou par chèque. Notez qui a donné quoi, avec "
                "ses coordonnées, et faites-nous parvenir l'argent rapidement pour que chaque don soit enregistré et "
                "reçoive son reçu. Ne gardez pas d'argent comptant chez vous plus longtemps que nécessaire.",
            ),
            (
                "Utilisez tous vos réseaux",
                "Courriel, texto, réseaux sociaux, travail, équipe sportive, club, communauté de foi : chacun "
                "rejoint des personnes différentes. Adaptez votre message à chacun. Bien des gens doivent voir votre "
                "page deux ou trois fois avant de donner.",
            ),
            (
                "Fixez une date limite",
                "Une date crée un sentiment d'urgence : « Aidez-moi à atteindre mon objectif avant mon anniversaire, "
                "le 12. » Sans échéance, les bonnes intentions attendent indéfiniment. Prévoyez un dernier effort "
                "pendant les trois derniers jours.",
            ),
            (
                "Relancez avec gentillesse",
                "Les gens sont occupés et manquent des messages. Un rappel amical une semaine plus tard n'a rien "
                "d'impoli, et bien des dons arrivent après la deuxième demande. Arrêtez-vous après deux ou trois "
                "rappels.",
            ),
            (
                "Faites équipe",
                "Invitez des amis, des camarades ou des collègues à amasser des fonds avec vous. Une équipe rejoint "
                "plus de monde et garde tout le monde motivé, et une petite compétition amicale aide. Partagez les "
                "tâches : une personne s'occupe des photos, une autre des remerciements.",
            ),
            (
                "Expliquez la cause simplement",
                "Apprenez quelques faits sur notre travail de protection des enfants en ligne et servez-vous de nos "
                "documents plutôt que de deviner. Dites ce qu'un don permet concrètement. Si on vous pose une "
                "question à laquelle vous ne savez pas répondre, dirigez la personne vers nous.",
            ),
            (
                "Restez positif et porteur d'espoir",
                "Parlez de solutions et d'espoir, pas seulement des dangers. Évitez les détails crus : ils "
                "bouleversent et peuvent blesser les personnes survivantes. Les gens donnent pour faire partie de "
                "quelque chose qui fonctionne.",
            ),
            (
                "Rendez le don facile",
                "Mettez le lien vers votre page partout, court et clair. Essayez-le sur un téléphone avant de le "
                "partager. Chaque étape de trop fait perdre un donateur.",
            ),
            (
                "Demandez des partages, pas seulement des dons",
                "Certaines personnes ne peuvent pas donner, mais peuvent partager votre page avec leurs amis. "
                "Demandez-le-leur clairement. Un seul partage peut rapporter plusieurs dons.",
            ),
            (
                "Passez toujours par la voie officielle",
                "Tous les dons vont à l'organisme par votre page officielle, jamais par votre compte bancaire "
                "personnel ou une application de paiement. Ainsi, chaque donateur reçoit un reçu officiel et sait "
                "où va son argent.",
            ),
            (
                "Organisez votre activité en toute sécurité",
                "Respectez les règles de votre activité : autorisation pour les lieux publics, un partenaire et un "
                "plan pour se réchauffer lors d'une baignade polaire, de l'eau et les premiers soins pour une "
                "course. Vérifiez la météo et prévoyez un plan B. Une activité sécuritaire donne les plus belles "
                "histoires.",
            ),
            (
                "Donnez des nouvelles et remerciez encore",
                "Après l'activité, annoncez le total final et ce qu'il rendra possible. Partagez une dernière photo "
                "(sécuritaire!) et un dernier merci. Les personnes qui se sentent appréciées seront au rendez-vous "
                "l'an prochain.",
            ),
        ],
        "closing": (
            "Des questions en chemin? Notre équipe des événements est là pour vous aider, de votre première idée "
            "jusqu'au dernier merci."
        ),
        "page": "Page {n} de {total}",
    },
}


def guide_text(language):
    """Return the guide in `language` (English if it has no translation)."""
    return GUIDE.get(language) or GUIDE["en"]


class _GuidePDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-15)
        self.set_font("DejaVu", size=9)
        self.set_text_color(74, 83, 96)
        self.cell(0, 10, self.footer_text.format(n=self.page_no(), total="{nb}"), align="C")


def build_guide_pdf(language, charity_name="", compress=True):
    """Return the guide as PDF bytes, with an embedded Unicode font and one bookmark per tip."""
    text = guide_text(language)
    lang = "fr" if text is GUIDE["fr"] else "en"
    pdf = new_document(text["title"], lang, charity_name or "", compress=compress, cls=_GuidePDF)
    pdf.footer_text = f"{charity_name} · {text['page']}" if charity_name else text["page"]
    pdf.add_page()

    pdf.set_text_color(29, 78, 137)
    pdf.set_font("DejaVu", "B", 20)
    pdf.start_section(text["title"])
    pdf.multi_cell(0, 10, text["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, text["intro"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for number, (heading, body) in enumerate(text["tips"], start=1):
        # Keep a heading with the start of its text.
        if pdf.will_page_break(24):
            pdf.add_page()
        pdf.start_section(f"{number}. {heading}", level=1)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, f"{number}. {heading}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 6, body, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, text["closing"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
