"""The public catalog: the grid, an item's page, the cart, and the items' images."""

import re
from pathlib import Path

from flask import abort, current_app, send_from_directory

from crm.catalog.views import bp

IMAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}\.(jpg|png|webp)$")


def image_folder():
    """Return the folder of the catalog's re-encoded images (under MEDIA_ROOT)."""
    return Path(current_app.config["MEDIA_ROOT"]) / "catalog"


@bp.get("/catalog/images/<name>")
def image(name):
    if not IMAGE_NAME.match(name):
        abort(404)
    return send_from_directory(image_folder(), name, max_age=86400)
