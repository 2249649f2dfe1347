"""A class's join link and its QR code, for the class page and the printed login cards."""

from __future__ import annotations

import segno
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .models import Classroom


def join_link(classroom: Classroom) -> str:
    """The full address that joins `classroom`, in the language of the page the teacher reads."""
    return url_for("classes.join", code=classroom.join_code, _external=True)


def join_qr(classroom: Classroom) -> Markup | None:
    """The join link as a QR code, or None while joining is closed (the code would let nobody in).

    One inline SVG path of about 2 KB, without width or height so that CSS sizes it, black on a white
    quiet zone whatever the background. segno raises the error correction as far as the size allows.
    """
    if not classroom.joining_open:
        return None
    svg = segno.make_qr(join_link(classroom), error="m").svg_inline(
        omitsize=True, title=_("QR code of the join link"), svgclass="qr", lineclass=None, dark="#000",
        light="#fff")
    # segno names the drawing through <title>; role="img" makes it one image for screen readers
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
