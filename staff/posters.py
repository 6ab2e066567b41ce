"""Printed matter for the one-stop shop: the counter poster (PDF, A4) with a standing
survey QR code. The receipt slip is an HTML page printed from the browser."""

from __future__ import annotations

import io

from surveys import links
from surveys.report import find_font


def counter_poster(*, commune: str, counter: str, qr_data: str, code: str) -> bytes:
    """An A4 poster: who asks, the QR code, and the typed code for those who cannot scan."""
    from fpdf import FPDF

    regular, bold = find_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold or regular))
    pdf.set_font("body", "B", 22)
    pdf.set_y(22)
    pdf.multi_cell(0, 11, commune.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("body", "B", 28)
    pdf.multi_cell(
        0,
        13,
        "Ông/bà hài lòng với việc giải quyết thủ tục?",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("body", "", 16)
    pdf.multi_cell(
        0,
        8,
        "Xin ông/bà dành 1 phút đánh giá. Phiếu ẩn danh: cán bộ không biết ai đã đánh giá.",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    png = links.qr_png(qr_data, scale=12)
    size = 110
    pdf.image(io.BytesIO(png), x=(210 - size) / 2, y=pdf.get_y() + 8, w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 14)
    pdf.set_font("body", "", 15)
    pdf.multi_cell(
        0,
        8,
        "Quét mã QR bằng camera điện thoại, hoặc nhắn mã dưới đây cho trợ lý của xã:",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("body", "B", 30)
    pdf.cell(0, 16, code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 14)
    pdf.cell(0, 10, f"Quầy: {counter}", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
