"""Item images: re-encoded from pixels (no EXIF, no GPS), upright, resized; anything odd refused with a message."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import url_for
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from crm.catalog.models import Item
from crm.extensions import db
from crm.images import MAX_IMAGE_BYTES
from tests.helpers import csrf_token

NEW = "/staff/catalog/items/new"


def item_form(**overrides):
    data = {
        "name_en": "A night in a safe house",
        "name_fr": "Une nuit en maison d'hébergement",
        "price": "85",
        "fmv": "0",
        "active": "y",
        "receiptable": "y",
    }
    data.update(overrides)
    return data


def post_item(client, url=NEW, image=None, filename="photo.jpg", **overrides):
    data = {**item_form(**overrides), "csrf_token": csrf_token(client, url)}
    if image is not None:
        data["image"] = FileStorage(io.BytesIO(image), filename, content_type="application/octet-stream")
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def picture_bytes(size=(400, 200), kind="JPEG", mode="RGB", colour=(200, 40, 40), exif=None):
    picture = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    picture.save(buffer, kind, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: the stored image must be turned upright
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 30.0, 17.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (73.0, 34.0, 11.0),
    }
    return exif


def png_header(width, height):
    """A PNG that only declares its size: what a decompression bomb looks like before decoding."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def stored_item(app):
    with app.app_context():
        item = db.session.scalar(db.select(Item))
        return None if item is None else (item.id, item.image_name, item.image_width, item.image_height)


def stored_path(app, name):
    return Path(app.config["MEDIA_ROOT"]) / "catalog" / name


def test_gps_and_all_exif_are_gone_and_the_image_is_upright_and_served(app, make_client):
    client, _ = make_client(role="admin")
    upload = picture_bytes(exif=gps_exif())
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload has a location
    response = post_item(client, image=upload)
    assert response.status_code == 302, response.get_data(as_text=True)
    _, name, width, height = stored_item(app)
    assert name.endswith(".jpg") and (width, height) == (200, 400)  # orientation 6 applied
    data = stored_path(app, name).read_bytes()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and stored.size == (200, 400)
    assert not stored.getexif() and "exif" not in stored.info and "icc_profile" not in stored.info
    assert b"Exif" not in data and b"PhoneMaker" not in data
    with app.test_request_context():
        url = url_for("catalog.image", name=name)
    with client.get(url) as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.data == data


def test_large_image_is_resized_and_transparency_kept_as_png(app, make_client):
    client, _ = make_client(role="admin")
    assert post_item(client, image=picture_bytes((3000, 1500))).status_code == 302
    item_id, name, width, height = stored_item(app)
    assert (width, height) == (1200, 600)
    with Image.open(stored_path(app, name)) as stored:
        assert stored.size == (1200, 600)
    see_through = picture_bytes((300, 300), "PNG", "RGBA", (0, 128, 0, 100))
    response = post_item(client, f"/staff/catalog/items/{item_id}", image=see_through, filename="logo.png")
    assert response.status_code == 302
    _, new_name, _, _ = stored_item(app)
    assert new_name.endswith(".png")
    with Image.open(stored_path(app, new_name)) as stored:
        assert stored.mode == "RGBA"
    # The replaced file is removed once the new one is committed.
    assert not stored_path(app, name).exists()
    webp = picture_bytes((120, 80), "WEBP")
    assert post_item(client, f"/staff/catalog/items/{item_id}", image=webp, filename="pic.webp").status_code == 302
    assert stored_item(app)[1].endswith(".jpg")


JPEG = picture_bytes()
REFUSED = {
    "oversize": (JPEG + b"\0" * MAX_IMAGE_BYTES, "big.jpg", "larger than 5 MB"),
    "too many pixels": (png_header(6000, 5000), "wide.png", "too many pixels"),
    "over Pillow's warning": (png_header(10000, 10000), "bomb.png", "too many pixels"),
    "decompression bomb": (png_header(30000, 30000), "bomb.png", "too many pixels"),
    "text": (b"Dear friends,\nthank you.\n", "notes.txt", "not a JPEG, PNG or WebP image"),
    "text named .jpg": (b"This is not a picture at all.\n" * 20, "photo.jpg", "not a JPEG, PNG or WebP image"),
    "gif": (picture_bytes(kind="GIF", mode="P"), "anim.gif", "not a JPEG, PNG or WebP image"),
    "truncated jpeg": (picture_bytes((800, 600))[:600], "cut.jpg", "not a JPEG, PNG or WebP image"),
    "empty": (b"", "empty.jpg", None),
}


@pytest.mark.parametrize("case", REFUSED)
def test_bad_files_are_refused_with_a_message(app, case, make_client):
    data, filename, message = REFUSED[case]
    client, _ = make_client(role="admin")
    response = post_item(client, image=data, filename=filename)
    if message is None:  # no file at all: the item is saved without an image
        assert response.status_code == 302
        assert stored_item(app)[1] == ""
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and 'id="image-error"' in page
    assert stored_item(app) is None
    assert not (Path(app.config["MEDIA_ROOT"]) / "catalog").exists() or not any(
        (Path(app.config["MEDIA_ROOT"]) / "catalog").iterdir()
    )


def test_a_refused_replacement_keeps_the_saved_image(app, make_client):
    client, _ = make_client(role="admin")
    assert post_item(client, image=picture_bytes()).status_code == 302
    item_id, name, _, _ = stored_item(app)
    url = f"/staff/catalog/items/{item_id}"
    response = post_item(client, url, image=b"GIF89a not really", filename="x.png", price="99")
    assert response.status_code == 400
    assert stored_item(app)[1] == name and stored_path(app, name).exists()
    with app.app_context():
        assert db.session.get(Item, item_id).price_cents == 8500
