"""Staff screens: the outbox, the copy of each message, and the sequences."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, role_required, staff_required
from crm.audit import record_audit
from crm.extensions import db
from crm.forms import filter_status
from crm.lists import page_number, paginate
from crm.mail.forms import (
    EMAIL_STATUS_LABELS,
    ActionForm,
    EmailCopyForm,
    EventStepForm,
    OutboxSearchForm,
    PreviewForm,
    SequenceForm,
    StepForm,
)
from crm.mail.models import EMAIL_STATUSES, Enrolment, OutboundEmail, Sequence, SequenceStep
from crm.mail.services import editor
from crm.mail.services.outbox import (
    MailError,
    OutboxFilter,
    cancel_email,
    outbox_query,
    retry_email,
    status_counts,
)
from crm.mail.services.rendering import RenderError, build_message, template_names
from crm.mail.services.sequences import sequence_counts, set_enrolment_state
from crm.mail.views import bp

# Marketing owns what is said and when; admin and staff steer single messages.
WRITERS = ("admin", "staff", "marketing")
# The preview is framed by our own page: no scripts, inline styles only, nothing fetched.
PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


def _framed(html):
    g.csp_policy, g.frame_options = PREVIEW_POLICY, "SAMEORIGIN"
    return html


@bp.get("/staff/outbox/")
@staff_required
def outbox():
    form = OutboxSearchForm(formdata=request.args)
    form.offer("template", template_names())
    status = filter_status(form, request.args)
    criteria = OutboxFilter.from_args(request.args)
    page = paginate(outbox_query(criteria), page_number(request.args))
    return render_template(
        "mail/staff/outbox.html", form=form, criteria=criteria, page=page, counts=status_counts(),
        statuses=EMAIL_STATUSES, labels=EMAIL_STATUS_LABELS,
    ), status  # fmt: skip


@bp.get("/staff/outbox/<int:email_id>")
@staff_required
def outbox_message(email_id):
    g.csp_extra = {"frame-src": ["'self'"]}
    return render_template("mail/staff/message.html", email=db.get_or_404(OutboundEmail, email_id), form=ActionForm())


@bp.get("/staff/outbox/<int:email_id>/preview")
@staff_required
def outbox_preview(email_id):
    email = db.get_or_404(OutboundEmail, email_id)
    try:
        return _framed(build_message(email).get_body(("html",)).get_content())
    except RenderError as error:
        return _framed(render_template("mail/staff/cannot_render.html", error=str(error)))


@bp.post("/staff/outbox/<int:email_id>/<any(retry, cancel):action>")
@editor_required
def outbox_action(email_id, action):
    email = db.get_or_404(OutboundEmail, email_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        (retry_email if action == "retry" else cancel_email)(email)
    except MailError as error:
        flash(str(error), "error")
        return redirect(url_for("mail.outbox_message", email_id=email.id))
    record_audit(current_user, f"email_{action}", "outbound_email", email.id, ip_address=request.remote_addr)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("mail.outbox_message", email_id=email.id))


@bp.get("/staff/email-copy/")
@staff_required
def copies():
    return render_template("mail/staff/copies.html", templates=template_names(), edited=editor.edited_copies())


def _preview_form(templates):
    """Whom the preview is for (language, a page's occasion...), read from the query string."""
    return PreviewForm.for_choices(editor.preview_choices(templates), formdata=request.args)


@bp.route("/staff/email-copy/<template>/<language>", methods=["GET", "POST"])
@role_required(*WRITERS)
def edit_copy(template, language):
    try:
        subject, body = editor.current_copy(template, language)
    except MailError:
        abort(404)
    form, picked = EmailCopyForm(subject=subject, body=body), _preview_form([template]).picked
    shown = None
    if form.validate_on_submit():
        try:
            shown = editor.preview(template, language, form.subject.data, form.body.data, picked)
            if form.submit.data:
                editor.save_email_copy(template, language, form.subject.data, form.body.data, current_user)
                where = {"template": template, "language": language}
                record_audit(current_user, "email_copy_saved", "email_copy", None, where)
                db.session.commit()
                flash(_("The new copy is saved; it applies to messages sent from now on."), "success")
                return redirect(url_for("mail.edit_copy", template=template, language=language, **picked))
        except RenderError as error:
            form.body.errors.append(_("This copy cannot be rendered: %(error)s", error=error))
            shown = None
    status = 400 if form.is_submitted() and form.errors else 200
    g.csp_extra = {"frame-src": ["'self'"]}
    page = render_template(
        "mail/staff/edit_copy.html", form=form, template=template, language=language, shown=shown,
        preview=_preview_form([template]), picked=picked,
    )  # fmt: skip
    return page, status


@bp.get("/staff/email-copy/<template>/<language>/preview")
@staff_required
def copy_preview(template, language):
    try:
        return _framed(editor.preview(template, language, picked=_preview_form([template]).picked)[2])
    except (MailError, RenderError):
        abort(404)


@bp.post("/staff/email-copy/<template>/<language>/reset")
@role_required(*WRITERS)
def reset_copy(template, language):
    try:
        editor.reset_email_copy(template, language)
    except MailError:
        abort(404)
    record_audit(current_user, "email_copy_reset", "email_copy", None, {"template": template, "language": language})
    db.session.commit()
    flash(_("Back to the original copy."), "success")
    return redirect(url_for("mail.edit_copy", template=template, language=language))


@bp.get("/staff/sequences/")
@staff_required
def sequences():
    rows = db.session.scalars(db.select(Sequence).order_by(Sequence.name)).all()
    return render_template("mail/staff/sequences.html", sequences=rows, counts=sequence_counts())


@bp.get("/staff/sequences/<int:sequence_id>")
@staff_required
def sequence(sequence_id):
    item = db.get_or_404(Sequence, sequence_id)
    enrolments = db.session.scalars(
        db.select(Enrolment).filter_by(sequence_id=item.id).order_by(Enrolment.started_at.desc()).limit(100)
    ).all()
    forms = {step.id: _step_form(step) for step in item.steps}
    g.csp_extra = {"frame-src": ["'self'"]}
    return render_template(
        "mail/staff/sequence.html", sequence=item, enrolments=enrolments, step_forms=forms,
        form=SequenceForm(active=item.active), action=ActionForm(), counts=sequence_counts().get(item.id, {}),
        preview=_preview_form([step.template for step in item.steps]),
    )  # fmt: skip


@bp.post("/staff/sequences/<int:sequence_id>/settings")
@role_required(*WRITERS)
def sequence_settings(sequence_id):
    item = db.get_or_404(Sequence, sequence_id)
    form = SequenceForm()
    if form.validate_on_submit():
        item.active = form.active.data
        record_audit(current_user, "sequence_changed", "sequence", item.id, {"active": item.active})
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("mail.sequence", sequence_id=item.id))


def _step_form(step, **kwargs):
    """The timing form of a step: hours after the start, or hours before or after the event."""
    if step.from_event:
        return EventStepForm.for_step(step, prefix=f"step{step.id}", **kwargs)
    return StepForm(prefix=f"step{step.id}", delay_hours=step.delay_hours, **kwargs)


@bp.post("/staff/sequences/steps/<int:step_id>")
@role_required(*WRITERS)
def sequence_step(step_id):
    step = db.get_or_404(SequenceStep, step_id)
    form = _step_form(step)
    if form.validate_on_submit():
        delay = form.delay_hours if step.from_event else form.delay_hours.data
        change = {"delay_hours": [step.delay_hours, delay]}
        step.delay_hours = delay
        record_audit(current_user, "sequence_step_changed", "sequence_step", step.id, change)
        db.session.commit()
        flash(_("Saved. New timings apply to steps not yet queued."), "success")
    else:
        flash(_("The delay must be a whole number of hours from 0 to 8760."), "error")
    return redirect(url_for("mail.sequence", sequence_id=step.sequence_id))


@bp.post("/staff/sequences/enrolments/<int:enrolment_id>/<any(paused, active, stopped):state>")
@role_required(*WRITERS)
def enrolment_state(enrolment_id, state):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        set_enrolment_state(enrolment, state)
    except ValueError:
        flash(_("That change is not possible now."), "error")
    else:
        record_audit(current_user, f"enrolment_{state}", "sequence_enrolment", enrolment.id)
        db.session.commit()
        flash(_("Done."), "success")
    return redirect(url_for("mail.sequence", sequence_id=enrolment.sequence_id))
