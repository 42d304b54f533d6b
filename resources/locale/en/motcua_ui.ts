<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="vi">
<context>
    <name>menu</name>
    <message>
        <source>&amp;Hồ sơ</source>
        <translation>&amp;Dossiers</translation>
    </message>
    <message>
        <source>&amp;Tiếp nhận hồ sơ…</source>
        <translation>&amp;Receive a dossier…</translation>
    </message>
    <message>
        <source>T&amp;rả kết quả…</source>
        <translation>&amp;Return a result…</translation>
    </message>
    <message>
        <source>&amp;Quét tài liệu…</source>
        <translation>&amp;Scan documents…</translation>
    </message>
    <message>
        <source>Số hóa theo &amp;lô…</source>
        <translation>Batch &amp;digitisation…</translation>
    </message>
    <message>
        <source>&amp;Kho dữ liệu điện tử…</source>
        <translation>Electronic data &amp;warehouse…</translation>
    </message>
    <message>
        <source>&amp;Số hoá kết quả…</source>
        <translation>Digitise the &amp;result…</translation>
    </message>
    <message>
        <source>Làm mới danh sách</source>
        <translation>Refresh the list</translation>
    </message>
    <message>
        <source>Tìm kiếm</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Đồn&amp;g bộ</source>
        <translation>Syn&amp;c</translation>
    </message>
    <message>
        <source>Đồng bộ &amp;ngay</source>
        <translation>Synchronise &amp;now</translation>
    </message>
    <message>
        <source>&amp;Trung tâm đồng bộ…</source>
        <translation>Synchronisation &amp;centre…</translation>
    </message>
    <message>
        <source>&amp;Quản trị</source>
        <translation>&amp;Administration</translation>
    </message>
    <message>
        <source>Đặt &amp;mã khôi phục dữ liệu…</source>
        <translation>Set the data &amp;recovery secret…</translation>
    </message>
    <message>
        <source>&amp;Báo cáo</source>
        <translation>&amp;Reports</translation>
    </message>
    <message>
        <source>&amp;Bảng điều khiển chỉ số…</source>
        <translation>Indicator &amp;dashboard…</translation>
    </message>
    <message>
        <source>&amp;Sổ theo dõi hồ sơ…</source>
        <translation>Dossier &amp;register…</translation>
    </message>
    <message>
        <source>&amp;Nhật ký kiểm tra…</source>
        <translation>&amp;Audit log…</translation>
    </message>
    <message>
        <source>Màn hình đánh giá của &amp;công dân</source>
        <translation>&amp;Citizens' rating screen</translation>
    </message>
    <message>
        <source>&amp;Mời công dân đánh giá hồ sơ đang xem</source>
        <translation>&amp;Invite the citizen to rate the dossier shown</translation>
    </message>
    <message>
        <source>&amp;Trợ giúp</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <source>Thu thập thông tin chẩn đoán…</source>
        <translation>Collect diagnostic information…</translation>
    </message>
    <message>
        <source>&amp;Thiết lập máy trạm…</source>
        <translation>Station &amp;set-up…</translation>
    </message>
</context>
</TS>
