"""QR codes as inline SVG (segno): the trace code on a product page, a VietQR transfer on an order, the
counter's VietQR for a sale. One renderer, so every code has the same error correction and looks alike."""
from __future__ import annotations

import segno


def qr_svg(text: str, title: str, scale: int = 5, dark: str = "#000") -> str:
    return segno.make(text, error="m").svg_inline(scale=scale, dark=dark, title=title)
