"""Session fixtures of the signing tests: a test CA, a real SoftHSM2 token holding the officer's key
(generated on the token) and certificate, a PKCS#12 software key, and a PDF made by the app's own
PDF assembly (``app.scanning.pdf``). No SoftHSM2 means failure, not a skip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.scanning.encode import encode_page
from app.scanning.pdf import PdfMetadata, build_pdf
from app.scanning.profile import ColorMode
from app.services.admin.auth import Officer, Role
from app.services.admin.setup import init
from app.services.context import AppContext
from app.services.reception import receive as reception
from app.services.scanning.dossier_scan import scan_into_dossier
from app.services.warehouse import pdf_signing as signing_service
from tests.scanning.scan_helpers import save, text_page
from tests.signing.pki import OFFICER_CN, TestCa, Token, make_pkcs12, make_token

P12_PASS = "mật-khẩu-thử"
QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
OFFICER = Officer("huong", OFFICER_CN, Role.OFFICER)
CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)


@pytest.fixture(scope="session")
def ca() -> TestCa:
    return TestCa.create()


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory, ca: TestCa) -> Token:
    try:
        return make_token(tmp_path_factory.mktemp("softhsm"), ca)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def trust_dir(tmp_path_factory: pytest.TempPathFactory, ca: TestCa) -> Path:
    folder = tmp_path_factory.mktemp("trust")
    ca.write_pem(folder)
    return folder


@pytest.fixture(scope="session")
def p12(tmp_path_factory: pytest.TempPathFactory, ca: TestCa) -> Path:
    path = tmp_path_factory.mktemp("p12") / "can-bo.p12"
    make_pkcs12(path, ca, P12_PASS)
    return path


def _page(seed: int):  # type: ignore[no-untyped-def]
    import numpy as np

    rng = np.random.default_rng(seed)
    image = np.full((800, 600, 3), 245, np.uint8)
    image[100:700:40, 60:540] = rng.integers(0, 80, (15, 480, 3), dtype=np.uint8)
    return encode_page(image, ColorMode.COLOR, 200.0)


@pytest.fixture(scope="session")
def app_pdf() -> bytes:
    """A 2-page PDF/A-2b made by the app's own assembly."""
    meta = PdfMetadata("Giấy khai sinh", "000.00.22.H12-261120-0001", "Bản sao giấy khai sinh",
                       "Trần Thị Bích Ngọc",
                       datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=7))))
    data, pdfa = build_pdf([_page(1), _page(2)], meta)
    assert pdfa
    return data


@pytest.fixture(scope="module")
def page_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    save(text_page(lines=8, seed=4), folder / "trang1.png", dpi=(200, 200))
    return folder


@pytest.fixture
def ctx(tmp_path: Path, trust_dir: Path, token: Token) -> Iterator[AppContext]:
    context = AppContext.open(tmp_path / "data")
    init(context, now=datetime(2026, 11, 20, 9, 0))
    signing_service.save_signing_settings(context, OFFICER, module=str(token.module), token_label=token.label,
                                  key_label=token.key_label, trust_roots_dir=str(trust_dir))
    yield context
    context.close()


@pytest.fixture
def scanned(ctx: AppContext, page_folder: Path):  # type: ignore[no-untyped-def]
    request = reception.ReceiveRequest("1.001193", applicant_from_qr(parse_cccd_qr(QR)),
                                       received_at=datetime(2026, 11, 20, 10, 30))
    code = reception.receive_dossier(ctx, request, OFFICER).code
    return scan_into_dossier(ctx, f"folder:{page_folder}", code, 0, CLERK)
