"""A person's privacy export and erasure (staff)."""

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required
from crm.errors import UserError
from crm.extensions import db
from crm.forms import form_status
from crm.supporters.forms.privacy import EraseForm
from crm.supporters.models import Supporter
from crm.supporters.services.privacy import erase_supporter, export_personal_data, privacy_summary
from crm.supporters.views import bp


@bp.get("/staff/supporters/<int:supporter_id>/privacy")
@editor_required
def privacy(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    return render_template("supporters/staff/privacy.html", supporter=supporter, counts=privacy_summary(supporter))


@bp.get("/staff/supporters/<int:supporter_id>/privacy-export.json")
@editor_required
def privacy_export(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    data = export_personal_data(supporter, current_user._get_current_object(), ip_address=request.remote_addr)
    db.session.commit()
    filename = f"supporter-{supporter.id}-privacy-export.json"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers=headers)


@bp.route("/staff/supporters/<int:supporter_id>/erase", methods=["GET", "POST"])
@editor_required
def erase(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    form = EraseForm()
    status = form_status(form)
    if form.validate_on_submit():
        try:
            erase_supporter(supporter, current_user._get_current_object(), ip_address=request.remote_addr)
        except UserError as error:
            form.form_errors.append(str(error))
            status = 409
        else:
            db.session.commit()
            flash(_("The person's data was erased. Their address stays on the suppression list."), "success")
            return redirect(url_for(".privacy", supporter_id=supporter.id))
    page = render_template(
        "supporters/staff/erase.html", supporter=supporter, form=form, counts=privacy_summary(supporter)
    )
    return page, status
