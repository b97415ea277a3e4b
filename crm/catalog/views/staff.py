"""Staff screens of the catalog (admin role): items in page order, an item's form, categories."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import role_required
from crm.catalog.forms.items import CategoryForm, ItemForm, MoveForm
from crm.catalog.models import Category, Item
from crm.catalog.services import CatalogError
from crm.catalog.services.items import (
    IMAGE_FOLDER,
    catalog_groups,
    create_category,
    create_item,
    list_categories,
    move_category,
    move_item,
    update_category,
    update_item,
)
from crm.catalog.views import bp
from crm.extensions import db
from crm.forms import form_status
from crm.images import ImageError, discard_image

admin_required = role_required("admin")


def _item_form(item=None):
    form = ItemForm()
    form.set_categories(list_categories(), str(get_locale()))
    if item is not None and not form.is_submitted():
        form.fill(item)
    return form


def _show_error(form, error):
    # Put the message next to the field it is about, or above the form.
    db.session.rollback()
    field = getattr(error, "field", None)
    (form[field].errors if field in form else form.form_errors).append(str(error))


@bp.get("/staff/catalog/")
@admin_required
def staff_items():
    return render_template("catalog/staff/items.html", groups=catalog_groups())


@bp.route("/staff/catalog/items/new", methods=["GET", "POST"])
@admin_required
def staff_item_new():
    form = _item_form()
    if form.validate_on_submit():
        media = current_app.config["MEDIA_ROOT"]
        try:
            item = create_item(form.item_fields(), current_user, form.image_data(), media, request.remote_addr)
        except (CatalogError, ImageError) as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The item was added."), "success")
            return redirect(url_for(".staff_items", _anchor=f"item-{item.id}"))
    return render_template("catalog/staff/item_form.html", form=form, item=None), form_status(form)


@bp.route("/staff/catalog/items/<int:item_id>", methods=["GET", "POST"])
@admin_required
def staff_item(item_id):
    item = db.get_or_404(Item, item_id)
    form = _item_form(item)
    if form.validate_on_submit():
        media, old_image = current_app.config["MEDIA_ROOT"], item.image_name
        try:
            update_item(
                item, form.item_fields(), current_user, form.image_data(), media, form.place(), request.remote_addr
            )
        except (CatalogError, ImageError) as error:
            _show_error(form, error)
            item = db.get_or_404(Item, item_id)
        else:
            db.session.commit()
            if old_image != item.image_name:
                discard_image(old_image, media, IMAGE_FOLDER)  # only once the new name is committed
            flash(_("The item was saved."), "success")
            return redirect(url_for(".staff_items", _anchor=f"item-{item.id}"))
    return render_template("catalog/staff/item_form.html", form=form, item=item), form_status(form)


@bp.post("/staff/catalog/items/<int:item_id>/move")
@admin_required
def staff_item_move(item_id):
    item = db.get_or_404(Item, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Choose up or down."), "error")
        return render_template("catalog/staff/items.html", groups=catalog_groups()), 400
    move_item(item, form.direction.data, current_user, request.remote_addr)
    db.session.commit()
    return redirect(url_for(".staff_items", _anchor=f"item-{item.id}"))


@bp.route("/staff/catalog/categories", methods=["GET", "POST"])
@admin_required
def staff_categories():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            create_category(form.name_en.data, form.name_fr.data, current_user, request.remote_addr)
        except CatalogError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The category was added."), "success")
            return redirect(url_for(".staff_categories"))
    status = form_status(form)
    return render_template("catalog/staff/categories.html", form=form, categories=list_categories()), status


@bp.route("/staff/catalog/categories/<int:category_id>", methods=["GET", "POST"])
@admin_required
def staff_category(category_id):
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            update_category(category, form.name_en.data, form.name_fr.data, current_user, request.remote_addr)
        except CatalogError as error:
            _show_error(form, error)
            category = db.get_or_404(Category, category_id)
        else:
            db.session.commit()
            flash(_("The category was saved."), "success")
            return redirect(url_for(".staff_categories"))
    status = form_status(form)
    return render_template("catalog/staff/category_form.html", form=form, category=category), status


@bp.post("/staff/catalog/categories/<int:category_id>/move")
@admin_required
def staff_category_move(category_id):
    category = db.get_or_404(Category, category_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Choose up or down."), "error")
        return render_template(
            "catalog/staff/categories.html",
            form=CategoryForm(formdata=None),
            categories=list_categories(),
        ), 400
    move_category(category, form.direction.data, current_user, request.remote_addr)
    db.session.commit()
    return redirect(url_for(".staff_categories"))
