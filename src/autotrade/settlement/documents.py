"""Statement downloads: CSV (UTF-8 with BOM, so Excel opens the Chinese text) and PDF (reportlab,
Chinese rendered with the CID font ``STSong-Light``: no font file needed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from autotrade.settlement.models import LineKind, SettlementLine, SettlementStatement
from autotrade.settlement.periods import CHINA

KIND_ZH = {
    LineKind.release: "放款",
    LineKind.refund: "退款",
    LineKind.payout: "结算打款",
    LineKind.adjustment: "调整",
}


def yuan(fen: int) -> str:
    """Fen as yuan text, exactly (integer arithmetic): -12345 → "-123.45"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _summary(st: SettlementStatement, supplier_name: str) -> list[tuple[str, str]]:
    return [
        ("结算单号 Statement", st.number),
        ("供应商 Supplier", supplier_name),
        ("结算期间 Period", st.period_label),
        ("币种 Currency", st.currency),
        ("期初应付 Opening payable", yuan(st.opening_payable_fen)),
        ("放款总额 Released gross", yuan(st.released_gross_fen)),
        ("平台佣金 Commission", yuan(st.commission_fen)),
        ("放款净额 Released net", yuan(st.released_net_fen)),
        ("退款 Refunds", yuan(st.refunds_fen)),
        ("已打款 Payouts", yuan(st.payouts_fen)),
        ("调整 Adjustments", yuan(st.adjustments_fen)),
        ("期末应付 Closing payable", yuan(st.closing_payable_fen)),
        ("应结算金额 Payout due", yuan(st.payout_due_fen)),
        ("状态 Status", "已结账 final" if st.final else "未结账 provisional"),
    ]


LINE_HEADER = ["序号", "类型", "时间", "订单号", "参考号", "金额(元)", "佣金(元)", "应付变动(元)"]


def _line_row(x: SettlementLine) -> list[str]:
    return [
        str(x.position),
        KIND_ZH[x.kind],
        x.occurred_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        x.order_number or "",
        x.reference or "",
        yuan(x.gross_fen),
        yuan(x.commission_fen),
        yuan(x.payable_fen),
    ]


def statement_csv(st: SettlementStatement, lines: Sequence[SettlementLine], supplier_name: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    for k, v in _summary(st, supplier_name):
        w.writerow([k, v])
    w.writerow([])
    w.writerow(LINE_HEADER)
    for x in lines:
        w.writerow(_line_row(x))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


FONT = "STSong-Light"


def statement_pdf(st: SettlementStatement, lines: Sequence[SettlementLine], supplier_name: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"结算单 {st.number}",
        author="autotrade",
        subject=st.number,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=20)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    summary = Table([list(r) for r in _summary(st, supplier_name)], colWidths=[60 * mm, 100 * mm])
    summary.setStyle(grid)
    story = [Paragraph(f"供应商结算单 {st.number}", title), Spacer(1, 6 * mm), summary, Spacer(1, 6 * mm)]
    if lines:
        table = Table([LINE_HEADER] + [_line_row(x) for x in lines], repeatRows=1)
        table.setStyle(grid)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
        story.append(table)
    doc.build(story)
    return buf.getvalue()
