"""The recovery secret slip (PHIẾU MÃ KHÔI PHỤC DỮ LIỆU): one A4 page the administrator prints once
and keeps in the office safe.

It carries the office header, the data folder's id, the date, the secret in large monospace and
what to do with it. Pure function: values in, PDF bytes out; nothing is written to disk and the
secret is in no PDF metadata (only in the page content).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table

from app.documents.fonts import MONO_BOLD
from app.documents.formatting import clean, esc
from app.documents.layout import (
    FRAME_WIDTH,
    PdfMeta,
    Signer,
    Styles,
    build_pdf,
    header,
    signatures,
    table_style,
    title_block,
)
from app.documents.profile import OfficeProfile

TITLE = "Mã khôi phục dữ liệu"
SECRET_SIZE = 22.0  # 29 characters of Liberation Mono Bold: 383 pt of the 468 pt frame
RECOVER_COMMAND = "motcua keys recover --secret-env MA_KHOI_PHUC"
RESTORE_COMMAND = "motcua restore &lt;thư mục sao lưu&gt; --secret-env MA_KHOI_PHUC"


@dataclass(frozen=True)
class RecoverySlip:
    """What the slip shows. ``secret`` is printed as given (the grouping is part of the secret)."""

    profile: OfficeProfile
    folder_id: str
    data_dir: str
    secret: str
    day: date
    admin_name: str = ""


def _secret_box(st: Styles, secret: str) -> Table:
    style = ParagraphStyle("secret", fontName=MONO_BOLD, fontSize=SECRET_SIZE, leading=SECRET_SIZE * 1.25,
                           alignment=TA_CENTER)
    table = Table([[Paragraph(esc(secret), style)]], colWidths=[FRAME_WIDTH])
    table.setStyle(table_style([("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                                ("TOPPADDING", (0, 0), (-1, -1), 9),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 11)]))
    return table


def _heading(st: Styles, text: str) -> Paragraph:
    return st.p(f"<b>{esc(text)}</b>", st.line)


def _story(st: Styles, slip: RecoverySlip) -> list[Flowable]:
    groups = clean(slip.secret).count("-") + 1
    story: list[Flowable] = [header(st, slip.profile, None, slip.day), st.gap(0.6)]
    story += title_block(st, TITLE, "<i>(Tài liệu mật — cất trong tủ hoặc két có khóa của cơ quan)</i>")
    story += [
        st.p(f"Cơ quan: <b>{esc(slip.profile.counter_name)}</b>", st.line),
        st.p(f"Mã thư mục dữ liệu: <b>{esc(slip.folder_id)}</b>", st.line),
        st.p(f"Thư mục dữ liệu trên máy: {esc(slip.data_dir)}", st.line),
        st.p(f"Ngày tạo mã: <b>{slip.day:%d/%m/%Y}</b>", st.line),
    ]
    if clean(slip.admin_name).strip():
        story.append(st.p(f"Quản trị viên tạo mã: {esc(slip.admin_name)}", st.line))
    story += [
        st.gap(0.6),
        _secret_box(st, slip.secret),
        st.p(f"<i>Mã gồm {groups} nhóm, đọc và gõ lại đúng từng ký tự, kể cả các dấu gạch ngang. Mã chỉ có "
             "chữ in hoa và chữ số từ 2 đến 9 (không có chữ I, O và số 0, 1).</i>", st.small_center),
        st.gap(0.5),
        _heading(st, "Vì sao mã này quan trọng"),
        st.p("Hồ sơ và bản quét giấy tờ của người dân trong MotCua Desk được mã hóa. Khóa mở dữ liệu được "
             "giữ trong kho khóa của hệ điều hành trên máy này. Khi máy hỏng, phải thay ổ cứng, "
             "cài lại hệ điều hành "
             "hoặc chuyển dữ liệu (kể cả bản sao lưu) sang máy khác, <b>chỉ mã khôi phục này mở lại được dữ "
             "liệu</b>. Mất cả máy lẫn mã này thì không ai lấy lại được hồ sơ, kể cả nhà cung cấp phần mềm."),
        _heading(st, "Cất giữ"),
        st.p("– Cất tờ này trong tủ hoặc két có khóa của cơ quan, tách khỏi máy tính và ổ sao lưu. Không dán "
             "cạnh máy, không chụp ảnh, không gửi qua thư điện tử hay tin nhắn."),
        st.p("– Khi đặt mã mới, vẫn giữ tờ cũ: các bản sao lưu làm trước ngày đổi mã vẫn cần mã cũ."),
        _heading(st, "Khi cần khôi phục"),
        st.p("1. Cài MotCua Desk và chép thư mục dữ liệu (có tệp motcua.key) hoặc bản sao lưu vào máy."),
        st.p("2. Đặt mã vào biến môi trường MA_KHOI_PHUC rồi chạy lệnh "
             f"<font name='{MONO_BOLD}'>{RECOVER_COMMAND}</font> (khôi phục từ bản sao lưu: "
             f"<font name='{MONO_BOLD}'>{RESTORE_COMMAND}</font>).",
             ParagraphStyle("commands", parent=st.body, alignment=TA_LEFT)),
        st.p("3. Mở lại MotCua Desk: dữ liệu mở được như trước."),
        st.gap(0.8),
        signatures(st, Signer("NGƯỜI LẬP", name=slip.admin_name), Signer("NGƯỜI NHẬN CẤT GIỮ"),
                   space_lines=2.6),
    ]
    return story


def render_recovery_slip(slip: RecoverySlip) -> bytes:
    """The slip as a one-page A4 PDF (the bundled fonts embedded)."""
    meta = PdfMeta(title=TITLE, subject=f"Thư mục dữ liệu {clean(slip.folder_id)}",
                   author=clean(slip.admin_name) or "MotCua Desk", keywords="motcua recovery")
    return build_pdf(lambda st: [_story(st, slip)], meta)
