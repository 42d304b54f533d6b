"""Every setting of a station in one typed registry: its key, type, default, who may change it and
whether its value is secret.

Settings are stored as text in the store's settings table. The services read them through this
registry (:mod:`app.services.admin.settings` for people, the key constants of each service for the
code), and ``motcua settings`` lists it. A default here is what an unset setting means; none of them
comes from the demo data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.core.codes import FULL_BLOCK
from app.core.errors import NotFoundError, ValidationError


class SettingType(StrEnum):
    """How a setting's text is read."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    TIMESTAMP = "timestamp"  # ISO 8601
    JSON = "json"


class Editor(StrEnum):
    """Who may change a setting."""

    ADMIN = "admin"  # an administrator (``motcua settings set``)
    SYSTEM = "system"  # the application itself (cursors, last run times): read-only for people


_YES = frozenset({"1", "true", "yes", "on", "có"})
_NO = frozenset({"0", "false", "no", "off", "không"})


@dataclass(frozen=True)
class Setting:
    """One setting: its ``key`` in the settings table, what its value is and who may change it.

    ``seeded`` settings are written with their default by ``motcua init`` (the station's identity);
    the others mean their default while unset. ``secret`` values are never shown."""

    key: str
    type: SettingType
    default: str | None
    label_vi: str
    label_en: str
    editor: Editor = Editor.ADMIN
    secret: bool = False
    seeded: bool = False

    def parse(self, text: str) -> str:
        """``text`` checked against the type, as it will be stored (:class:`ValidationError` if it
        cannot be read as one)."""
        value = text.strip()
        if self.type is SettingType.INT:
            if not value.lstrip("-").isdigit():
                raise self._invalid(text, "a whole number", "một số nguyên")
            return str(int(value))
        if self.type is SettingType.NUMBER:
            try:
                return str(float(value)) if "." in value else str(int(value))
            except ValueError:
                raise self._invalid(text, "a number", "một số") from None
        if self.type is SettingType.BOOL:
            if value.lower() in _YES:
                return "1"
            if value.lower() in _NO:
                return "0"
            raise self._invalid(text, "yes or no", "có (yes) hoặc không (no)")
        if self.type is SettingType.TIMESTAMP:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise self._invalid(text, "a date and time (YYYY-MM-DDTHH:MM)",
                                    "ngày giờ (YYYY-MM-DDTHH:MM)") from None
        if self.type is SettingType.JSON:
            try:
                json.loads(value)
            except ValueError:
                raise self._invalid(text, "JSON", "JSON") from None
        return value

    def _invalid(self, text: str, what_en: str, what_vi: str) -> ValidationError:
        return ValidationError(f"{self.key} must be {what_en}, not {text!r}",
                               f"“{self.label_vi}” ({self.key}) phải là {what_vi}, không phải “{text}”.",
                               field=self.key)


_REGISTRY: dict[str, Setting] = {}


def _define(key: str, type_: SettingType, default: str | None, label_vi: str, label_en: str, *,
            editor: Editor = Editor.ADMIN, secret: bool = False, seeded: bool = False) -> Setting:
    setting = Setting(key, type_, default, label_vi, label_en, editor, secret, seeded)
    _REGISTRY[key] = setting
    return setting


_T, _I, _B = SettingType.TEXT, SettingType.INT, SettingType.BOOL
_TS, _J = SettingType.TIMESTAMP, SettingType.JSON
_SYS = Editor.SYSTEM

# --------------------------------------------------------------------------- the office and station
AGENCY_CODE = _define("agency.code", _T, None, "Mã định danh điện tử của cơ quan", "Agency's electronic code")
AGENCY_NAME = _define("agency.name", _T, None, "Tên cơ quan", "Agency name")
PLACE_NAME = _define("agency.place", _T, None, "Địa bàn (phường/xã, tỉnh/thành phố)",
                     "Place (ward, province)")
STATION_ID = _define("station.id", _T, "1", "Số máy trạm", "Station number", seeded=True)
STATION_BLOCK = _define("station.block", _T, str(FULL_BLOCK), "Khoảng số hồ sơ của máy trạm",
                        "The station's block of dossier numbers", seeded=True)
OFFICE_HOURS = _define("calendar.office_hours", _T, None, "Giờ làm việc", "Office hours")
# --------------------------------------------------------------------------- printed slips
FORM_SET = _define("forms.set", _T, None, "Bộ biểu mẫu phiếu (để trống: theo ngày tiếp nhận)",
                   "Form set forced on every new dossier (unset: by the receipt date)")
TT03_2025_FROM = _define("forms.tt03_2025_from", _T, "2025-10-31",
                         "Ngày bắt đầu dùng biểu mẫu Thông tư 03/2025/TT-VPCP",
                         "First receipt date of Circular 03/2025's forms")
PARENT_AGENCY = _define("agency.parent", _T, None, "Tên cơ quan chủ quản (dòng 1 của tiêu đề)",
                        "Parent agency (header line 1; default: the agency name upper-cased)")
UNIT_NAME = _define("agency.unit", _T, "BỘ PHẬN MỘT CỬA", "Tên đơn vị (dòng 2 của tiêu đề)",
                    "Unit name (header line 2)")
DATE_PLACE = _define("agency.date_place", _T, None, "Địa danh ở dòng ngày tháng",
                     "Place of the date line (default: from agency.place)")
AGENCY_PHONE = _define("agency.phone", _T, "028 3829 1234", "Số điện thoại", "Phone")
AGENCY_WEBSITE = _define("agency.website", _T, "dichvucong.gov.vn", "Trang thông tin điện tử", "Website")
AGENCY_ADDRESS = _define("agency.address", _T, None, "Địa chỉ", "Address")
DISPLAY_NAME = _define("agency.display_name", _T, None, "Tên bộ phận trong văn bản",
                       "The unit's name in running text")
HEAD_TITLE = _define("agency.head_title", _T, "CHỦ TỊCH", "Chức danh người ký Mẫu 04", "Who signs form 04")
HEAD_NAME = _define("agency.head_name", _T, None, "Họ tên người ký Mẫu 04", "Name of who signs form 04")
REGISTER_BOOK = _define("forms.register_book", _T, None, "Quyển số của sổ theo dõi ({year} = năm tiếp nhận)",
                        "Register book number printed on form 01 ({year} = the receipt year)")
DEFAULT_OFFICER = _define("cli.default_officer", _T, None, "Cán bộ tiếp nhận mặc định của dòng lệnh",
                          "The command line's default receiving officer")
STATION_NAME = _define("station.name", _T, None, "Tên máy trạm", "Station name")
STATION_PRINTER = _define("station.printer", _T, None, "Máy in (để trống: chỉ xuất PDF)",
                          "Printer (unset: PDF only)")
STATION_SCANNER = _define("station.scanner", _T, None, "Máy quét (địa chỉ nguồn quét)",
                          "Scanner (source URI)")
STATION_CONFIGURED_AT = _define("station.configured_at", SettingType.TIMESTAMP, None,
                                "Thời điểm thiết lập máy trạm", "Station set up at", editor=Editor.SYSTEM)
CALENDAR_CONFIRMED_YEAR = _define("calendar.confirmed_year", SettingType.INT, None,
                                  "Năm lịch làm việc đã xác nhận", "Year whose calendar was confirmed")
# --------------------------------------------------------------------------- set-up and demo data
INITIALISED_AT = _define("app.initialised_at", _TS, None, "Thời điểm khởi tạo", "Initialised at", editor=_SYS)
DEMO_SEEDED_AT = _define("demo.seeded_at", _TS, None, "Thời điểm thêm dữ liệu mẫu", "Demo data added at",
                         editor=_SYS)
DEMO_COUNT = _define("demo.count", _I, None, "Số hồ sơ mẫu", "Demo dossiers added", editor=_SYS)
# --------------------------------------------------------------------------- digital signatures
SIGNING_MODE = _define("signing.mode", _T, "pkcs11", "Cách ký số (pkcs11: USB token, pkcs12: tệp .p12)",
                       "Signing mode (pkcs11 token or pkcs12 file)")
SIGNING_MODULE = _define("signing.pkcs11_module", _T, None, "Thư viện PKCS#11 của USB token",
                         "PKCS#11 module of the token (default: a known driver of this system)")
SIGNING_TOKEN_LABEL = _define("signing.token_label", _T, None, "Nhãn USB token", "Token label")
SIGNING_KEY_LABEL = _define("signing.key_label", _T, None, "Nhãn khóa ký", "Key label")
SIGNING_KEY_ID = _define("signing.key_id", _T, None, "Mã khóa ký (hex)", "Key id (hex)")
SIGNING_PKCS12_PATH = _define("signing.pkcs12_path", _T, None, "Tệp chứng thư .p12", "PKCS#12 file")
SIGNING_TRUST_ROOTS_DIR = _define("signing.trust_roots_dir", _T, None, "Thư mục chứng thư gốc tin cậy",
                                  "Trust roots folder (default: <data folder>/trust_roots)")
SUPPLEMENT_TIME_RULE = _define("lifecycle.supplement_time_rule", _T, None,
                               "Thời hạn sau khi nhận bổ sung (resume: tính tiếp, restart: tính lại)",
                               "Appointment after a supplement (resume or restart)")
# --------------------------------------------------------------------------- backups and the camera
BACKUP_FOLDER = _define("backup.folder", _T, None, "Thư mục sao lưu hằng ngày", "Daily backup folder")
BACKUP_KEEP = _define("backup.keep", _I, "7", "Số bản sao lưu giữ lại", "Backups kept")
BACKUP_LAST_AT = _define("backup.last_at", _TS, None, "Lần sao lưu gần nhất", "Last backup", editor=_SYS)
CAMERA_SOURCE = _define("camera.source", _T, "camera:0", "Camera đọc mã QR", "QR camera (camera:N or a URL)")
# --------------------------------------------------------------------------- sync with the province
SYNC_SERVER_URL = _define("sync.server_url", _T, None, "Địa chỉ máy chủ tỉnh", "Provincial server URL")
SYNC_ADAPTER = _define("sync.adapter", _T, "reference", "Bộ chuyển đổi đồng bộ", "Sync adapter")
SYNC_LAST_SUCCESS = _define("sync.last_success", _TS, None, "Lần đồng bộ thành công gần nhất",
                            "Last successful sync", editor=_SYS)
SYNC_LAST_ATTEMPT = _define("sync.last_attempt", _TS, None, "Lần thử đồng bộ gần nhất", "Last sync attempt",
                            editor=_SYS)
SYNC_LAST_ERROR = _define("sync.last_error", _T, None, "Lỗi đồng bộ gần nhất", "Last sync error", editor=_SYS)
SYNC_LAST_ERROR_VI = _define("sync.last_error_vi", _T, None, "Lỗi đồng bộ gần nhất (tiếng Việt)",
                             "Last sync error (Vietnamese)", editor=_SYS)
SYNC_ONLINE = _define("sync.online", _B, None, "Đang kết nối máy chủ tỉnh", "Online", editor=_SYS)
SYNC_CLOCK_OFFSET = _define("sync.clock_offset", _T, None, "Độ lệch đồng hồ với máy chủ (giây)",
                            "Clock offset to the server (seconds)", editor=_SYS)
SYNC_CLOCK_WARNING_MINUTES = _define("sync.clock_warning_minutes", SettingType.NUMBER, "5",
                                     "Cảnh báo khi đồng hồ lệch quá (phút)",
                                     "Warn when the clock is off by more than (minutes)")
SYNC_IN_FLIGHT = _define("sync.in_flight", _I, None, "Số mục gửi cùng lúc",
                         "Outbox items sent at once (default: the adapter's)")
SYNC_CHANGES_CURSOR = _define("sync.changes_cursor", _T, None, "Vị trí nhận thay đổi", "Changes cursor",
                              editor=_SYS)
SYNC_CATALOGUE_ETAG = _define("sync.catalogue_etag", _T, None, "Phiên bản danh mục đã nhận",
                              "Catalogue version pulled", editor=_SYS)
SYNC_CALENDAR_PULLED = _define("sync.calendar_pulled", _J, None, "Lịch đã nhận theo năm",
                               "Calendar pulled per year", editor=_SYS)


def all_settings() -> list[Setting]:
    """Every setting, in key order."""
    return sorted(_REGISTRY.values(), key=lambda s: s.key)


def setting(key: str) -> Setting:
    """The setting named ``key`` (:class:`NotFoundError` if there is none)."""
    found = _REGISTRY.get(key.strip())
    if found is None:
        raise NotFoundError(f"unknown setting {key!r} (see `motcua settings list`)",
                            f"Không có thiết lập “{key}” (xem “motcua settings list”).")
    return found


def defaults(*, seeded_only: bool = False) -> dict[str, str]:
    """``key → default`` of the settings that have one (only those ``motcua init`` writes, with
    ``seeded_only``)."""
    return {s.key: s.default for s in all_settings()
            if s.default is not None and (s.seeded or not seeded_only)}
