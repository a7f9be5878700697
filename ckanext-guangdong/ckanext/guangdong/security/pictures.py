"""Avatars and organisation / group logos (``image_upload`` of user_create / user_update,
group_* and organization_* create and update, patch through them) are served to anyone at
``/uploads/user|group/…`` without a scan or a review: a PNG could carry text chunks with
personal data and a whole ZIP after its end (attack trial a10, M5). Every uploaded picture is
re-encoded with Pillow before CKAN stores it: the same pixels in the same format, no metadata
chunks, nothing after the image. A file Pillow cannot read as a picture is refused with a
zh/en message. docs/security.md "Avatars and logos"."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

ACTIONS = ("user_create", "user_update", "group_create", "group_update",
           "organization_create", "organization_update")
# what Pillow writes back, by the format it read (CKAN's default upload types and WebP)
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WEBP"}
_MAX_PIXELS = 40_000_000  # far above any avatar or logo; a decompression bomb is refused


def _refusal() -> str:
    return tk._("The picture could not be read: upload a PNG, JPEG, GIF or WebP image")


def reencoded(raw: bytes) -> bytes:
    """The picture in ``raw`` written anew: its pixels only (ValueError when it is none)."""
    from PIL import Image
    try:
        with Image.open(io.BytesIO(raw)) as image:
            fmt = _FORMATS.get(str(image.format))
            if fmt is None or image.width * image.height > _MAX_PIXELS:
                raise ValueError(image.format)
            frames = getattr(image, "n_frames", 1)
            image.load()
            image.info = {}  # text chunks, EXIF, ICC, comments: not written back
            out = io.BytesIO()
            options: dict[str, Any] = {"save_all": True} if fmt in ("GIF", "WEBP") and frames > 1 else {}
            if fmt == "JPEG":
                options["quality"] = 90
            image.save(out, fmt, **options)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValueError(str(error)) from None


def _clean_upload(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
    upload = data_dict.get("image_upload") if isinstance(data_dict, dict) else None
    if isinstance(upload, FileStorage) and upload.filename:
        limit = int(tk.config.get("ckan.max_image_size") or 2) * 2 ** 20
        raw = upload.stream.read(limit + 1)
        try:
            # a larger file goes on as it is: CKAN refuses it with its own message
            clean = raw if len(raw) > limit else reencoded(raw)
        except ValueError:
            raise tk.ValidationError({"image_upload": [_refusal()]}) from None
        data_dict = {**data_dict, "image_upload": FileStorage(
            stream=io.BytesIO(clean), filename=upload.filename, name=upload.name,
            content_type=upload.content_type)}
    return next_action(context, data_dict)


def actions(existing: dict[str, Any]) -> dict[str, Any]:
    from ckanext.guangdong.security.guards import in_front
    return {name: in_front(_clean_upload, name, existing) for name in ACTIONS}
