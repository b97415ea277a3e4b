"""Staff duplicate detection and merge of two supporter records."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.errors import UserError, render_error
from crm.extensions import db
from crm.forms import form_status
from crm.supporters.forms.merge import MergeForm
from crm.supporters.models import Supporter
from crm.supporters.models.people import FIELD_LABELS
from crm.supporters.services.merging import (
    MERGE_FIELDS,
    check_mergeable,
    default_choices,
    find_duplicates,
    merge_supporters,
)
from crm.supporters.views import bp


@bp.get("/staff/supporters/duplicates")
@staff_required
def duplicates():
    pairs, more = find_duplicates()
    return render_template("supporters/staff/duplicates.html", pairs=pairs, more=more)


@bp.get("/staff/supporters/merge/<int:a>/<int:b>")
@staff_required
def merge(a, b):
    return _merge(a, b)


# Marketing reads the comparison; admin and staff merge.
@bp.post("/staff/supporters/merge/<int:a>/<int:b>")
@editor_required
def merge_post(a, b):
    return _merge(a, b)


def _merge(a, b):
    first, second = db.get_or_404(Supporter, a), db.get_or_404(Supporter, b)
    try:
        check_mergeable(first, second)
    except UserError as error:
        return render_error(409, _("These records cannot be merged"), str(error))
    defaults = {name: "a" if record is first else "b" for name, record in default_choices(first, second).items()}
    form = MergeForm(data={"survivor": defaults["email"], **defaults})
    form.label_choices(first, second, blank=_("(blank)"))
    status = form_status(form)
    if form.validate_on_submit():
        survivor, absorbed, choices = form.choices_for(first, second)
        try:
            merge_supporters(
                survivor, absorbed, choices, current_user._get_current_object(), ip_address=request.remote_addr
            )
        except UserError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            status = 409
        else:
            db.session.commit()
            flash(_("Record #%(old)d was merged into this record.", old=absorbed.id), "success")
            return redirect(url_for(".show", supporter_id=survivor.id))
    context = {"first": first, "second": second, "fields": MERGE_FIELDS, "labels": FIELD_LABELS}
    return render_template("supporters/staff/merge.html", form=form, **context), status
