"""Uploaded pictures (catalog items today, fundraiser photos next): checked, re-encoded from pixels only
(no EXIF, so no location), resized and stored under MEDIA_ROOT/<folder>/ with a random name.

Each feature passes its own folder and serves its own pictures by name (IMAGE_NAME) only.
"""

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from crm.errors import UserError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# About a 24-megapixel camera; checked from the header, before any pixel is decoded (decompression bombs).
MAX_IMAGE_PIXELS = 24_000_000
MAX_WIDTH = 1200
MAX_HEIGHT = 1200
JPEG_QUALITY = 85
# Pillow's names; MPO is what it calls a JPEG from a camera that stores a second picture inside.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED_OPENED = {"JPEG", "MPO", "PNG", "WEBP"}
# What a stored image is called, and all a feature's image route serves.
IMAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}\.(jpg|png|webp)$")
# What Pillow raises on a truncated or malformed file, besides its own errors.
DECODE_ERRORS = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError)


class ImageError(UserError):
    """An upload that is not an image we take; the message says why."""

    field = "image"


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


def image_folder(media_root, folder):
    """Return a feature's folder of images under MEDIA_ROOT ("catalog", "fundraising")."""
    if not re.fullmatch(r"[a-z_]+", folder):
        raise ValueError(f"not a folder name: {folder!r}")
    return Path(media_root) / folder


def store_image(data, media_root, folder):
    """Check an upload, re-encode it without metadata, save it under MEDIA_ROOT/<folder>; return its name and size.

    Raise ImageError (nothing saved) for an empty, oversize, huge, damaged or unsupported file.
    """
    picture = _open(data)
    try:
        clean, extension = _clean_pixels(picture)
    finally:
        picture.close()
    buffer = io.BytesIO()
    if extension == "png":
        clean.save(buffer, "PNG", optimize=True)
    else:
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    target = image_folder(media_root, folder)
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(16)}.{extension}"
    (target / name).write_bytes(buffer.getvalue())
    return StoredImage(name, clean.width, clean.height)


def discard_image(name, media_root, folder):
    """Remove a stored image that nothing uses any more (a replaced one); ignore odd or missing names."""
    if name and IMAGE_NAME.match(name):
        (image_folder(media_root, folder) / name).unlink(missing_ok=True)


def _open(data):
    if not data:
        raise ImageError(_l("The file is empty. Choose a JPEG, PNG or WebP image."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(_l("The image is larger than 5 MB. Choose a smaller file."))
    try:
        # Only the header is read here; Pillow's own bomb check may warn (an error under tests) or raise.
        picture = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except DECODE_ERRORS as error:
        raise _not_an_image() from error
    if picture.format not in ACCEPTED_OPENED:
        picture.close()
        raise _not_an_image()
    width, height = picture.size
    if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
        picture.close()
        raise _too_many_pixels()
    try:
        picture.load()
    except DECODE_ERRORS as error:
        picture.close()
        raise _not_an_image() from error
    return picture


def _not_an_image():
    return ImageError(_l("This file is not a JPEG, PNG or WebP image, or it is damaged. Choose another file."))


def _too_many_pixels():
    return ImageError(_l("The image has too many pixels (at most 24 megapixels). Choose a smaller image."))


def _clean_pixels(picture):
    """Return a fresh image holding only the upright, sRGB, resized pixels, and the extension to save it as."""
    try:
        upright = ImageOps.exif_transpose(picture)
        upright = _to_srgb(upright)
        rgb, extension = _flatten(upright)
        if rgb.width > MAX_WIDTH or rgb.height > MAX_HEIGHT:
            rgb.thumbnail((MAX_WIDTH, MAX_HEIGHT), Image.Resampling.LANCZOS)
        # A new image from the raw pixels: no EXIF, ICC, XMP or text chunk can come along.
        return Image.frombytes(rgb.mode, rgb.size, rgb.tobytes()), extension
    except DECODE_ERRORS as error:
        raise _not_an_image() from error


def _to_srgb(picture):
    # Stripping the ICC profile would shift the colours of, say, a Display P3 photo: convert them first.
    profile = picture.info.get("icc_profile")
    if not profile or picture.mode not in ("RGB", "RGBA"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"), outputMode=picture.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture


def _flatten(picture):
    # PNG only when some pixel is really see-through; everything else becomes a JPEG.
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            return rgba, "png"
        return rgba.convert("RGB"), "jpg"
    return picture.convert("RGB"), "jpg"
