"""Pictures in rendered documents: ``Image(png_bytes, width_mm)`` as a context value.

An ``Image`` renders as an inline drawing while a document is rendered; the render engine
collects the pictures used (``IMAGE_STATE``) so the zip writer can add their files and
relationships to the package.
"""
from __future__ import annotations

import contextvars
import io
import struct
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from docgen.core.errors import InvalidValueError
from docgen.documents.messages import MESSAGES

__all__ = ["Image", "ImageState", "IMAGE_STATE", "has_images"]


@dataclass
class ImageState:
    """Per-render bookkeeping of pictures: relationship ids and drawing ids handed out."""

    rids: dict[int, tuple[str, str, "Image"]] = field(default_factory=dict)
    next_docpr: int = 9000
    enabled: bool = True


IMAGE_STATE: contextvars.ContextVar[ImageState | None] = contextvars.ContextVar("docgen_image_state", default=None)


def _image_size(data: bytes) -> tuple[str, int, int]:
    """Return (extension, width px, height px) of PNG or JPEG bytes; raise ValueError otherwise."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:3] == b"\xff\xd8\xff":
        from PIL import Image as PILImage  # Pillow ships with matplotlib

        with PILImage.open(io.BytesIO(data)) as img:
            return "jpeg", img.width, img.height
    raise MESSAGES.error(InvalidValueError, "image-format")


class Image:
    """A context value that renders as an inline picture: ``Image(png_bytes, width_mm)``.

    Use ``{{ chart }}`` alone in a paragraph of the main document body. The height follows the
    picture's aspect ratio unless ``height_mm`` is given. Raises ``ValueError`` for bytes that
    are neither PNG nor JPEG.
    """

    def __init__(self, data: bytes, width_mm: float, height_mm: float | None = None, *, name: str = "image") -> None:
        self.data = bytes(data)
        self.ext, px_w, px_h = _image_size(self.data)
        if width_mm <= 0:
            raise MESSAGES.error(InvalidValueError, "image-width")
        self.width_emu = int(width_mm * 36000)
        self.height_emu = int((height_mm if height_mm else width_mm * px_h / max(px_w, 1)) * 36000)
        self.name = name

    def __html__(self) -> str:
        state = IMAGE_STATE.get()
        if state is None or not state.enabled:
            raise MESSAGES.error(InvalidValueError, "image-outside-body")
        entry = state.rids.get(id(self))
        if entry is None:
            rid = f"rIdDocgenImg{len(state.rids) + 1}"
            target = f"media/docgen-image{len(state.rids) + 1}.{self.ext}"
            entry = state.rids[id(self)] = (rid, target, self)
        state.next_docpr += 1
        docpr = state.next_docpr
        cx, cy = self.width_emu, self.height_emu
        name = Markup.escape(self.name)
        return (
            '</w:t></w:r><w:r><w:drawing>'
            '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
            'distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{docpr}" name="{name} {docpr}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:nvPicPr><pic:cNvPr id="0" name="{name}.{self.ext}"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:embed="{entry[0]}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r><w:r><w:t xml:space="preserve">'
        )

    def __str__(self) -> str:
        return self.__html__()


def has_images(value: Any) -> bool:
    """Return True when ``value`` (a render context, or any list or dict in it) holds an ``Image``."""
    if isinstance(value, Image):
        return True
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return False
    # Each value looked at inline, a call only for a nested list or mapping: called for every
    # document, and a call per value cost more than the rest of the look.
    for item in items:
        if isinstance(item, Image):
            return True
        if isinstance(item, (dict, list, tuple)) and has_images(item):
            return True
    return False
