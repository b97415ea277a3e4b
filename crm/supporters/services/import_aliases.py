"""Column headers other systems write, folded by header_key(), for each field they import as.

People (ALIASES) and gifts (GIFT_ALIASES) side by side, so that one file of gifts with their donors
(a CanadaHelps report, a CiviCRM contribution export) is recognised in one pass. Header names were
taken from the exports themselves: CiviCRM's contribution schema titles, NPSP's DataImport__c labels
and API names, GiveWP's donations exporter, Donorbox's and CanadaHelps' downloads.
"""

# Column headers, folded by header_key(), for each target. Opt-in columns ("Join Mailing List",
# "Would you like to receive updates") are deliberately absent: an export is no proof of the
# wording a person agreed to, so it cannot become express consent. Opt-outs are honoured.
ALIASES = {
    "email": [
        "email", "e mail", "courriel", "adresse courriel", "email address", "e mail address", "adresse email",
        "adresse e mail", "primary email", "donor email", "contact1 email", "contact1 personal email",
        "contact1 work email", "contact1 alternate email", "personal email", "work email", "alternate email",
        "donor email address", "contact email", "email match to contact", "email primary",
    ],
    "first_name": [
        "first name", "firstname", "first", "given name", "prenom", "donor s first name", "contact1 first name",
        "contact1 firstname", "donor first name",
    ],
    "last_name": [
        "last name", "lastname", "last", "surname", "family name", "nom", "nom de famille", "donor s last name",
        "contact1 last name", "contact1 lastname", "donor last name",
    ],
    "full_name": ["name", "full name", "nom complet", "donor name", "donor s name", "contact name"],
    "phone": [
        "phone", "phone number", "telephone", "tel", "numero de telephone", "mobile", "mobile phone", "cell",
        "cellulaire", "home phone", "work phone", "contact1 home phone", "contact1 mobile phone",
        "contact1 work phone", "contact1 other phone", "household phone", "donor phone number", "donor phone",
    ],
    "organization": [
        "organization", "organisation", "organization name", "organisme", "company", "company name",
        "entreprise", "donating company", "employer", "current employer", "account1 name", "account name",
        "donor company name",
    ],
    "address_line1": [
        "address", "adresse", "address line 1", "address 1", "address1", "street", "street address",
        "home street", "mailing street", "rue", "adresse ligne 1", "donor address 1",
    ],
    "address_line2": [
        "address line 2", "address 2", "address2", "supplemental address 1", "adresse 2", "adresse ligne 2",
        "complement d adresse", "donor address 2",
    ],
    "city": ["city", "ville", "town", "municipalite", "home city", "mailing city", "donor city"],
    "region": [
        "province", "state", "region", "state province", "province state", "state or province",
        "home state province", "mailing state province", "donor province state",
    ],
    "postal_code": [
        "postal code", "zip", "zip code", "postcode", "code postal", "zip postal code", "home zip postal code",
        "mailing zip postal code", "donor postal zip code",
    ],
    "country": ["country", "pays", "home country", "mailing country", "donor country"],
    "language": ["language", "langue", "preferred language", "langue preferee", "langue de correspondance"],
    "source": ["source", "contact source", "lead source", "provenance"],
    "tags": ["tags", "tag", "tag s", "groups", "group s", "etiquettes", "mots cles"],
    "opt_out": [
        "do not email", "no bulk emails user opt out", "is opt out", "email opt out", "contact1 email opt out",
        "hasoptedoutofemail", "has opted out of email", "unsubscribed", "opted out", "opt out", "desabonne",
        "ne pas envoyer de courriel",
    ],
    "preferred_email": ["contact1 preferred email", "preferred email"],
    "preferred_phone": ["contact1 preferred phone", "preferred phone"],
}  # fmt: skip

# Gift columns. A header both lists know ("Source") is the gift's in a gift import.
GIFT_ALIASES = {
    "amount": [
        "total amount", "amount", "donation amount", "donation total", "gift amount", "montant", "montant du don",
        "contribution amount", "npsp donation amount c",
    ],
    "currency": ["currency", "currency code", "devise", "monnaie", "donation currency"],
    "received_on": [
        "receive date", "received date", "date received", "contribution date", "donation date", "donated at",
        "gift date", "date", "date du don", "date de reception", "close date", "payment date",
        "npsp donation date c",
    ],
    "received_time": ["donation time", "time", "heure", "heure du don"],
    "status": [
        "contribution status", "donation status", "donation stage", "status", "stage", "payment status", "statut",
        "etat", "npsp donation stage c",
    ],
    "method": [
        "payment method", "payment instrument", "payment type", "method", "mode de paiement", "methode de paiement",
        "npsp payment method c",
    ],
    # What processed the payment (Donorbox "Donation Type": stripe, paypal; GiveWP "Payment Gateway"):
    # the method when no column says it.
    "processor": ["payment gateway", "gateway", "donation type", "card type", "payment processor"],
    "campaign": [
        "campaign", "campaign name", "campaign title", "contribution campaign title", "form title", "donation form",
        "campagne", "donation campaign name", "npsp donation campaign name c",
    ],
    "fund": ["financial type", "fund", "fund name", "designation", "fonds", "gau", "general accounting unit"],
    "appeal": ["appeal", "appeal name", "appeal code", "solicitation", "appel", "appel de fonds"],
    "gift_source": [
        "source", "contribution source", "donation source", "gift source", "provenance du don",
    ],
    # The old system's own id for the gift; the processor's id is the next best.
    "external_id": [
        "contribution id", "donation id", "transaction number", "gift id", "opportunity id", "numero de transaction",
        "numero du don",
    ],
    "transaction_id": [
        "transaction id", "trxn id", "stripe charge id", "charge id", "pay pal transaction id",
        "paypal transaction id", "payment transaction id", "processor transaction id",
    ],
    "recurring_id": [
        "recurring contribution id", "monthly gift id", "recurring plan id", "recurring donation id",
        "subscription id", "recurring id", "elevate recurring id", "npsp donation elevate recurring id c",
    ],
    "recurring": ["recurring donation", "recurring", "is recurring", "monthly gift", "don mensuel"],
    "soft_credit_name": [
        "soft credit to", "soft credit", "soft credit for", "soft credit name", "soft credit contact", "fundraiser",
        "fundraiser name", "credit to", "credit a",
    ],
    "soft_credit_email": ["soft credit email", "soft credit to email", "fundraiser email"],
    "receipt_number": [
        "receipt id", "receipt number", "receipt no", "receipt", "tax receipt number", "invoice number",
        "numero de recu", "recu",
    ],
    "reference": [
        "check number", "cheque number", "payment check reference number", "numero de cheque",
        "npsp payment check reference number c",
    ],
}  # fmt: skip
