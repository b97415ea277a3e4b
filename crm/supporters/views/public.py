"""Public supporter forms: newsletter, fundraiser interest, media and events inquiries, the guide."""

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from crm.accounts.access import public
from crm.extensions import db
from crm.forms import form_status
from crm.supporters.attribution import capture_attribution, current_visit
from crm.supporters.forms.public import EventsInquiryForm, FundraiserInterestForm, MediaInquiryForm, NewsletterForm
from crm.supporters.guide import GUIDE, build_guide_pdf, guide_text
from crm.supporters.services import SupporterError
from crm.supporters.services.signups import receive_inquiry, register_fundraiser_interest, sign_up_for_newsletter
from crm.supporters.spam import looks_like_spam, public_form_limit
from crm.supporters.views import bp

bp.before_app_request(capture_attribution)


def _handle(form, thanks, service):
    """Run `service` on the visit and a valid form's answers, and commit; bots get the thanks page.

    Return a redirect, or None to show the form again (with errors when it was sent).
    """
    if form.is_submitted() and looks_like_spam(form):
        return redirect(url_for(thanks))
    if not form.validate_on_submit():
        return None
    try:
        service(current_visit(), **form.arguments())
    except SupporterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return None
    db.session.commit()
    return redirect(url_for(thanks))


def _show(template, form):
    return render_template(template, form=form), form_status(form)


@bp.route("/newsletter", methods=["GET", "POST"])
@public_form_limit
@public
def newsletter():
    form = NewsletterForm()
    done = _handle(form, ".newsletter_thanks", sign_up_for_newsletter)
    return done or _show("supporters/newsletter.html", form)


@bp.get("/newsletter/thanks")
@public
def newsletter_thanks():
    return render_template("supporters/newsletter_thanks.html")


@bp.route("/fundraise/learn-more", methods=["GET", "POST"])
@public_form_limit
@public
def fundraiser_interest():
    form = FundraiserInterestForm()
    done = _handle(form, ".fundraiser_interest_thanks", register_fundraiser_interest)
    return done or _show("supporters/fundraiser_interest.html", form)


@bp.get("/fundraise/learn-more/thanks")
@public
def fundraiser_interest_thanks():
    return render_template(
        "supporters/fundraiser_interest_thanks.html", guide_title=guide_text(str(get_locale()))["title"]
    )


@bp.route("/contact/media", methods=["GET", "POST"])
@public_form_limit
@public
def media_inquiry():
    form = MediaInquiryForm()
    done = _handle(form, ".media_inquiry_thanks", receive_inquiry)
    return done or _show("supporters/media_inquiry.html", form)


@bp.get("/contact/media/thanks")
@public
def media_inquiry_thanks():
    return render_template("supporters/media_inquiry_thanks.html")


@bp.route("/contact/events", methods=["GET", "POST"])
@public_form_limit
@public
def events_inquiry():
    form = EventsInquiryForm()
    done = _handle(form, ".events_inquiry_thanks", receive_inquiry)
    return done or _show("supporters/events_inquiry.html", form)


@bp.get("/contact/events/thanks")
@public
def events_inquiry_thanks():
    return render_template("supporters/events_inquiry_thanks.html")


@bp.get("/guide")
@public
def guide():
    return render_template("supporters/guide.html", guide=guide_text(str(get_locale())))


@bp.get("/guide.pdf")
@public
def guide_pdf():
    language = request.args.get("lang")
    if language not in GUIDE:
        language = str(get_locale())
    pdf = build_guide_pdf(language, current_app.config["CHARITY_NAME"])
    filename = "25-conseils-collecte-de-fonds.pdf" if language == "fr" else "25-tips-novice-fundraiser.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})
