"""Staff screens for supporter records: list, profile, edits, tags, notes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.extensions import db
from crm.forms import filter_status, form_status
from crm.lists import page_number
from crm.supporters.forms.staff import ConfirmForm, NoteForm, SupporterEditForm, SupporterSearchForm, TagForm
from crm.supporters.models import Supporter
from crm.supporters.panels import profile_panels
from crm.supporters.services import SupporterError
from crm.supporters.services.records import (
    EDITABLE_FIELDS,
    EmailError,
    add_note,
    add_tag,
    all_tags,
    list_supporters,
    remove_tag,
    supporter_profile,
    update_supporter,
)
from crm.supporters.services.search import SupporterFilter
from crm.supporters.views import bp


@bp.get("/staff/supporters/")
@staff_required
def index():
    form = SupporterSearchForm(formdata=request.args)
    form.offer("tag", [tag.name for tag in all_tags()])
    status = filter_status(form, request.args)
    criteria = SupporterFilter.from_args(request.args)
    page = list_supporters(criteria, page_number(request.args))
    return render_template("supporters/staff/index.html", form=form, page=page, criteria=criteria), status


def _render_profile(supporter_id, status=200, tag_form=None, note_form=None):
    profile = supporter_profile(supporter_id)
    if profile is None:
        abort(404)
    forms = {"tag_form": tag_form or TagForm(formdata=None), "note_form": note_form or NoteForm(formdata=None)}
    panels = profile_panels(profile.supporter)
    return render_template(
        "supporters/staff/show.html", profile=profile, confirm_form=ConfirmForm(), panels=panels, **forms
    ), status


@bp.get("/staff/supporters/<int:supporter_id>")
@staff_required
def show(supporter_id):
    return _render_profile(supporter_id)


@bp.route("/staff/supporters/<int:supporter_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    form = SupporterEditForm(obj=supporter)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in EDITABLE_FIELDS}
        try:
            changes = update_supporter(supporter, values, current_user, ip_address=request.remote_addr)
        except EmailError as error:
            form.email.errors.append(str(error))
        except SupporterError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Changes saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("supporters.show", supporter_id=supporter.id))
    status = form_status(form)
    return render_template("supporters/staff/edit.html", form=form, supporter=supporter), status


@bp.post("/staff/supporters/<int:supporter_id>/tags")
@editor_required
def add_tag_view(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    form = TagForm()
    if form.validate_on_submit():
        try:
            tag, added = add_tag(supporter, form.name.data, current_user, ip_address=request.remote_addr)
        except SupporterError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            message = _("Tag added: %(name)s", name=tag.name) if added else _("Already tagged: %(name)s", name=tag.name)
            flash(message, "success")
            return redirect(url_for("supporters.show", supporter_id=supporter.id, _anchor="tags"))
    return _render_profile(supporter.id, 400, tag_form=form)


@bp.post("/staff/supporters/<int:supporter_id>/tags/<int:tag_id>/remove")
@editor_required
def remove_tag_view(supporter_id, tag_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        tag = remove_tag(supporter, tag_id, current_user, ip_address=request.remote_addr)
    except SupporterError as error:
        flash(str(error), "error")
    else:
        if tag is None:
            abort(404)
        db.session.commit()
        flash(_("Tag removed: %(name)s", name=tag.name), "success")
    return redirect(url_for("supporters.show", supporter_id=supporter.id, _anchor="tags"))


@bp.post("/staff/supporters/<int:supporter_id>/notes")
@editor_required
def add_note_view(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(supporter, form.body.data, current_user, ip_address=request.remote_addr)
        except SupporterError as error:
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Note added."), "success")
            return redirect(url_for("supporters.show", supporter_id=supporter.id, _anchor="notes"))
    return _render_profile(supporter.id, 400, note_form=form)
