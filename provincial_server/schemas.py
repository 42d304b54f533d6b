"""The protocol's documents (pydantic): the OpenAPI file ``docs/openapi.json`` is generated from
these and the routes, so the server and the file cannot drift apart (a test compares them).

Names follow the national dossier sync (DongBoHoSoMC, CapNhatTienDoHoSoMC); dates are
``yyyyMMddHHmmss`` in Vietnam time (Asia/Ho_Chi_Minh, UTC+7).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Time14 = Annotated[
    str,
    Field(pattern=r"^[0-9]{14}$", description="yyyyMMddHHmmss, giờ Việt Nam", examples=["20260315103000"]),
]
Day8 = Annotated[str, Field(pattern=r"^[0-9]{8}$", description="yyyyMMdd", examples=["20260902"])]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, 64 chữ số hex thường")]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z.\-_]+$")]
Flag = Annotated[int, Field(ge=0, le=1)]
Status = Annotated[int, Field(ge=1, le=10, description="TrangThaiHoSo 1-10 (DVCQG)")]
Text = Annotated[str, Field(max_length=2000)]
#: Catalogue text comes from the province's own catalogue, where a component's name can run to
#: thousands of characters (legal wording): the catalogue carries it whole.
CatalogueText = Annotated[str, Field(max_length=20000)]
Count = Annotated[int, Field(ge=0, le=1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Strict):
    """Every error answer: a machine code, an English and a Vietnamese message."""

    error: str
    message: str
    message_vi: str


class DinhDanh(Strict):
    LoaiDinhDanh: int = Field(ge=1, le=3, description="1 CCCD, 2 CMND, 3 mã số thuế")
    SoDinhDanh: str = Field(min_length=1, max_length=32)


class TaiLieu(Strict):
    """TaiLieuNop: a received component, or (in answers) a file the server holds."""

    MaThanhPhanHoSo: str | None = Field(default=None, max_length=32)
    TenTepDinhKem: Text
    TepDinhKemId: str | None = Field(default=None, max_length=64)
    DuongDanTaiTepTin: str | None = Field(default=None, max_length=500)
    IsDeleted: Flag = 0
    DuocSoHoa: Flag = 0
    DuocTaiSuDung: int = Field(default=0, ge=0, le=2)
    DuocLayTuKhoDMQG: Flag = 0
    MaKetQuaThayThe: str | None = Field(default=None, max_length=64)
    BanChinh: Count = 0
    BanSaoChungThuc: Count = 0
    BanChup: Count = 0


class LePhi(Strict):
    TenPhiLePhi: Text
    MaPhiLePhi: str = Field(default="", max_length=64)
    HinhThucThu: Literal[1, 2, 4] = 1
    Gia: int = Field(ge=0, le=10**12)
    LoaiPhiLePhi: int = Field(default=1, ge=1, le=9)


class Supplement(Strict):
    HoSoBoSungId: str = Field(max_length=64)
    NguoiYeuCauBoSung: Text = ""
    NoiDungBoSung: Text
    NgayBoSung: Time14
    DanhSachGiayToBoSung: list[Text] = Field(default_factory=list, max_length=100)
    NguoiTiepNhanBoSung: Text = ""
    NgayTiepNhanBoSung: Time14 | None = None
    TrangThaiBoSung: int = Field(default=0, ge=0, le=9)
    NgayHenTraTruoc: Time14 | None = Field(default=None, description="the appointment before the supplement")
    NgayHenTraMoi: Time14 | None = Field(default=None, description="the appointment once it was received")
    LanBoSung: int = Field(default=1, ge=1, le=100, description="rank of the request in the dossier")


class GiayToKetQua(Strict):
    TenGiayTo: Text
    MaThanhPhanHoSo: str | None = Field(default=None, max_length=32)
    GiayToId: str = Field(max_length=64)
    DuongDanTepTinKetQua: str | None = Field(default=None, max_length=500)
    MaGiayToKetQua: str | None = Field(default=None, max_length=64)


class DanhGia(Strict):
    """A citizen's rating of one service event of the dossier (MotCua extension)."""

    SuKien: Literal["receive", "supplement", "return"] = Field(description="tiếp nhận, bổ sung, trả kết quả")
    MucDo: int = Field(ge=1, le=3, description="3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng")
    LyDo: Text = ""
    ThoiDiem: Time14


class DossierIn(Strict):
    """A dossier as the counter sends it (DongBoHoSoMC fields; NguoiTiepNhan, DiaChiChuHoSo,
    DiaChiNhanKetQua, SoBoHoSo, DanhGiaHaiLong and the paper counts of TaiLieuNop are MotCua extensions)."""

    MaHoSo: Code
    MaTTHC: Code
    TenTTHC: Text
    KenhThucHien: int = Field(ge=1, le=3, description="1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích")
    ChuHoSo: str = Field(min_length=1, max_length=500)
    LoaiDoiTuong: int = Field(ge=1, le=4)
    MaDoiTuong: str = Field(default="", max_length=64)
    SoGiayToChuHoSo: str = Field(default="", max_length=64)
    SoDienThoai: str = Field(default="", max_length=64)
    Email: str = Field(default="", max_length=254)
    DiaChiChuHoSo: Text = ""
    TrichYeuHoSo: str = Field(default="", max_length=1000)
    NgayNopHoSo: Time14
    NgayTiepNhan: Time14
    NgayHenTra: Time14
    TrangThaiHoSo: Status
    NgayTra: Time14 | None = None
    ThongTinTra: Text = ""
    HinhThuc: Flag = 0
    DiaChiNhanKetQua: Text = ""
    HoSoCoThanhPhanSoHoa: Flag = 0
    TaiKhoanDuocXacThucVoiVNeID: Flag = 0
    DuocThanhToanTrucTuyen: int = Field(default=0, ge=0, le=2)
    NguoiTiepNhan: Text = ""
    SoBoHoSo: int = Field(default=1, ge=1, le=100)
    DinhDanhCHS: list[DinhDanh] = Field(default_factory=list, max_length=10)
    TaiLieuNop: list[TaiLieu] = Field(default_factory=list, max_length=200)
    DanhSachLePhi: list[LePhi] = Field(default_factory=list, max_length=50)
    DanhGiaHaiLong: list[DanhGia] = Field(default_factory=list, max_length=10)


class Dossier(DossierIn):
    """A dossier as the province holds it: the counter's fields, the province's (status, appointment,
    supplement requests, results) and the files received (in TaiLieuNop, with TepDinhKemId)."""

    PhienBan: int = Field(ge=1, description="version, +1 at every change")
    NgayCapNhat: Time14
    DanhSachHoSoBoSung: list[Supplement] = Field(default_factory=list)
    DanhSachGiayToKetQua: list[GiayToKetQua] = Field(default_factory=list)


class UpsertResult(Strict):
    MaHoSo: str
    PhienBan: int
    TaoMoi: bool = Field(description="true when this request created the dossier")
    TrangThaiHoSo: Status


class TienDo(Strict):
    """One step made at the counter (CapNhatTienDoHoSoMC) with the status it started from; a step
    may keep the status (a postponement) and carry a new appointment (``NgayHenTra``) or a
    supplement request or receipt (``HoSoBoSung``, a DanhSachHoSoBoSung entry)."""

    MaHoSo: Code
    TrangThaiTruoc: Status
    TrangThaiHoSo: Status
    ThoiDiemXuLy: Time14
    NguoiXuLy: Text = ""
    NoiDungXuLy: Text = ""
    HanhDong: str = Field(default="", max_length=32, description="the counter's action (extension)")
    PhongBanXuLy: Text = ""
    NgayBatDau: Time14 | None = None
    NgayKetThucTheoQuyDinh: Time14 | None = None
    NgayHenTra: Time14 | None = Field(default=None, description="the new appointment, when the step set one")
    HoSoBoSung: Supplement | None = None
    NgayTra: Time14 | None = None
    ThongTinTra: Text | None = None
    HinhThuc: Flag | None = None


class StatusResult(Strict):
    MaHoSo: str
    ApDung: bool = Field(description="false when the dossier already had this status (a repeat)")
    HoSo: Dossier


class Conflict(Error):  # noqa: N818 - a response body, not an exception
    """409 on a status change: the province changed the dossier meanwhile; its current state."""

    HoSo: Dossier


class UploadIn(Strict):
    MaHoSo: Code
    TenTep: str = Field(min_length=1, max_length=255)
    KichThuoc: int = Field(ge=0, le=4 * 1024**3)
    SHA256: Sha256
    LoaiTep: str = Field(default="application/octet-stream", max_length=128)
    MaThanhPhanHoSo: str | None = Field(default=None, max_length=32)
    SoTrang: int = Field(default=0, ge=0, le=100000)
    DaKySo: bool = False


class UploadState(Strict):
    MaTaiLen: str
    MaHoSo: str
    KichThuoc: int
    DaNhan: int = Field(description="bytes the server holds: the next chunk starts there")
    TrangThai: Literal["dang_tai", "hoan_tat"]
    KichThuocPhanGoiY: int = Field(description="suggested chunk size in bytes")
    TepDinhKemId: str | None = None
    DuongDanTaiTepTin: str | None = None


class OffsetMismatch(Error):  # noqa: N818 - a response body, not an exception
    DaNhan: int


class ThanhToanTrucTuyen(Strict):
    """A fee paid online through the national (1) or provincial (2) payment platform."""

    SoTien: int = Field(ge=0, le=10**12)
    HinhThuc: int = Field(ge=1, le=2, description="DuocThanhToanTrucTuyen: 1 quốc gia, 2 tỉnh")
    SoBienLai: str = Field(default="", max_length=64)


class Change(Strict):
    """A change made upstream (by the province), in the order it was made (Seq)."""

    Seq: int
    MaHoSo: str
    Loai: Literal["TrangThai", "BoSung", "KetQua", "HenTra", "TrucTuyen", "ThanhToan"]
    ThoiDiem: Time14
    NguoiXuLy: str = ""
    NoiDung: str = ""
    TrangThaiHoSo: Status
    NgayHenTra: Time14 | None = None
    HoSoBoSung: Supplement | None = None
    DanhSachGiayToKetQua: list[GiayToKetQua] | None = None
    ThanhToan: ThanhToanTrucTuyen | None = None


class ChangePage(Strict):
    ThayDoi: list[Change]
    TiepTheo: int = Field(description="cursor for the next call (since=TiepTheo)")
    ConNua: bool = Field(description="more changes wait: call again at once")


class ThoiHan(Strict):
    SoLuong: float = Field(ge=0)
    DonVi: Literal["NgayLamViec", "GioLamViec", "TrongNgay"]
    SoLuongTrucTuyen: float | None = None


class ThanhPhan(Strict):
    MaThanhPhanHoSo: str
    TenThanhPhanHoSo: CatalogueText
    BanChinh: Count = 0
    BanSaoChungThuc: Count = 0
    BanChup: Count = 0
    BatBuoc: bool = True
    TruongHop: CatalogueText = ""
    MaKetQuaThayThe: list[str] = Field(default_factory=list)


class LePhiTTHC(Strict):
    TenPhiLePhi: Text
    Gia: int = Field(ge=0)
    KenhThucHien: int | None = None
    GhiChu: CatalogueText = ""


class KetQuaTTHC(Strict):
    MaKetQua: str
    TenKetQua: Text


class ThuTuc(Strict):
    MaTTHC: Code
    TenTTHC: Text
    TenLinhVuc: Text = ""
    CapThucHien: Text = ""
    ThoiHanGiaiQuyet: ThoiHan
    GioTiepNhanToiDa: str | None = Field(default=None, pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    ThanhPhanHoSo: list[ThanhPhan] = Field(default_factory=list)
    DanhSachLePhi: list[LePhiTTHC] = Field(default_factory=list)
    DanhSachKetQua: list[KetQuaTTHC] = Field(default_factory=list)
    CanCuPhapLy: list[Text] = Field(default_factory=list)
    DichVuThietYeu: bool = False


class Catalogue(Strict):
    DanhSachTTHC: list[ThuTuc]
    PhienBan: str = Field(description="the catalogue's version, also sent as ETag")


class NgayLich(Strict):
    Ngay: Day8
    Loai: Literal["Nghi", "LamViec"]
    GhiChu: Text = ""


class Calendar(Strict):
    Nam: int
    DanhSachNgay: list[NgayLich]


class ServerTime(Strict):
    ThoiGianMayChu: Time14
    EpochMs: int
    MuiGio: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"


class StationInfo(Strict):
    MaTram: int
    TenTram: str
    MaDonVi: str
    HetHan: Time14 | None = None


class TepNop(Strict):
    """A file the citizen attaches to an online dossier (base64, at most about 10 MB)."""

    TenTep: str = Field(min_length=1, max_length=255)
    MaThanhPhanHoSo: str | None = Field(default=None, max_length=32)
    NoiDung: str = Field(max_length=14_000_000, description="the file's bytes, base64")


class OnlineDossierIn(Strict):
    """A dossier submitted online by a citizen (channel 2, status 1): the portal's side."""

    MaTTHC: Code
    NguoiNop: dict[str, str | None] = Field(
        description="the applicant, with the keys of the counter's applicant JSON (full_name, id_number...)"
    )
    TepDinhKem: list[TepNop] = Field(default_factory=list, max_length=50)
    XacThucVNeID: Flag = 0


class OnlineDossierCreated(Strict):
    MaHoSo: str


class OnlineDossier(Strict):
    """An online dossier as the station takes it in: the record, the applicant, VNeID."""

    HoSo: Dossier
    NguoiNop: dict[str, str | None]
    XacThucVNeID: Flag = 0
