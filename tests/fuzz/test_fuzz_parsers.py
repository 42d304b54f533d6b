"""Bad input, tried: every parser of outside data fails only with the application's own errors.

CCCD QR payloads (``app.core.cccd``), imported images and PDFs (``app.scanning.loading``: truncated,
huge, wrong type, decompression bombs), the catalogue and applicant files an administrator feeds
``motcua``, and backup manifests. Whatever the bytes, the result is a value or a
:class:`MotCuaError` (which carries a Vietnamese message); never another exception, never a hang.
"""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.catalogue import load_catalogue
from app.core.cccd import applicant_from_qr, extract_cccd_qr, looks_like_cccd_qr, parse_cccd_qr
from app.core.errors import MotCuaError, ValidationError
from app.scanning.errors import ImageTooLargeError, ScanError
from app.scanning.loading import count_pages, load_page
from app.services.reception import applicant_from_dict
from app.store.backup_manifest import BackupError, Manifest, ManifestFile, manifest_bytes, parse_manifest
from tests.timing import budget

# Pillow warns about the damaged files it reads; that is what these tests feed it.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CARD = "079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|12 Lê Lợi, Phường Sài Gòn|01072021"
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=4), max_leaves=12)


# --------------------------------------------------------------------------- CCCD QR payloads


@FUZZ
@given(st.text(max_size=300))
def test_qr_detection_never_raises(text: str) -> None:
    payload = extract_cccd_qr(text)
    assert looks_like_cccd_qr(text) == (payload is not None)
    if payload is not None:
        try:
            applicant_from_qr(parse_cccd_qr(payload))
        except ValidationError as exc:
            assert exc.message_vi


@FUZZ
@given(st.integers(0, len(CARD)), st.text(max_size=5),
       st.sampled_from(["", "\x00", "\r\n", "\u202e", "|" * 50]))
def test_damaged_card_payloads(cut: int, noise: str, junk: str) -> None:
    damaged = CARD[:cut] + noise + junk + CARD[cut:]
    try:
        qr = parse_cccd_qr(damaged)
    except ValidationError as exc:
        assert exc.message_vi
    else:
        assert qr.raw == damaged and qr.id_number.isdigit()


def test_huge_payloads_are_fast() -> None:
    for payload in (CARD + "|" * 1_000_000, "0" * 1_000_000, CARD.replace("Hà", "Hà" * 200_000),
                    ("079190001234|" * 100_000)):
        started = time.perf_counter()
        try:
            parse_cccd_qr(payload)
            looks_like_cccd_qr(payload)
        except ValidationError:
            pass
        assert time.perf_counter() - started < budget(2.0)  # linear, not quadratic: ms, not minutes


# --------------------------------------------------------------------------- images and PDFs


def _png(width: int, height: int, data: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _samples() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    for fmt in ("PNG", "JPEG", "TIFF", "WEBP", "BMP", "PDF"):
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        out[fmt] = buffer.getvalue()
    return out


SAMPLES = _samples()


def _load(path: Path) -> None:
    try:
        for index in range(min(count_pages(path), 3)):
            load_page(path, index)
    except MotCuaError as exc:
        assert exc.message_vi
        assert isinstance(exc, ScanError), type(exc)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-images")


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.data())
def test_truncated_and_mangled_images(folder: Path, fmt: str, data: st.DataObject) -> None:
    raw = bytearray(SAMPLES[fmt])
    cut = data.draw(st.integers(1, len(raw)), label="cut")
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=4))
    for at, value in flips:
        raw[at] = value
    path = folder / f"page.{data.draw(st.sampled_from(['jpg', 'png', 'pdf', 'txt']))}"
    path.write_bytes(bytes(raw[:cut]))
    _load(path)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff",
                                                  b"II*\x00", b"RIFF\x00\x00\x00\x00WEBP"]))
def test_random_bytes_with_magic_numbers(folder: Path, body: bytes, magic: bytes) -> None:
    assume(magic or body)
    path = folder / "random.bin"
    path.write_bytes(magic + body)
    _load(path)


def test_decompression_bombs_are_refused_before_decoding(folder: Path) -> None:
    bombs = {
        "declared-huge.png": _png(100_000, 100_000, zlib.compress(b"\0" * 1000)),
        "zip-bomb.png": _png(20_000, 20_000, zlib.compress(b"\0" * (20_001 * 2000), 9)),  # 400 MP of zeros
    }
    for name, raw in bombs.items():
        path = folder / name
        path.write_bytes(raw)
        started = time.perf_counter()
        with pytest.raises(ImageTooLargeError):
            load_page(path)
        assert time.perf_counter() - started < budget(2.0), name


def test_wrong_types_and_empty_files(folder: Path) -> None:
    cases = {"empty.jpg": b"", "text.png": "Đây là văn bản".encode(), "zip.pdf": b"PK\x03\x04" + b"\0" * 100,
             "html.jpg": b"<html><script>x</script></html>", "pdf-no-pages.pdf": b"%PDF-1.4\n%%EOF\n"}
    for name, raw in cases.items():
        path = folder / name
        path.write_bytes(raw)
        with pytest.raises(ScanError):
            load_page(path)


# --------------------------------------------------------------------------- files from administrators


@FUZZ
@given(JSON)
def test_catalogue_files(folder: Path, document: object) -> None:
    path = folder / "procedures.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        load_catalogue(path)
    except ValidationError as exc:
        assert exc.message_vi


@FUZZ
@given(st.binary(max_size=500))
def test_catalogue_files_of_random_bytes(folder: Path, raw: bytes) -> None:
    path = folder / "procedures.json"
    path.write_bytes(raw)
    try:
        load_catalogue(path)
    except ValidationError as exc:
        assert exc.message_vi


@FUZZ
@given(st.dictionaries(st.sampled_from(["id_number", "full_name", "birth_date", "sex", "address", "kind",
                                        "phone", "email", "tax_code", "qr_raw", "id_issue_date", "other"]),
                       JSON, max_size=8) | JSON)
def test_applicant_files(data: object) -> None:
    try:
        applicant_from_dict(data)  # type: ignore[arg-type]
    except ValidationError as exc:
        assert exc.message_vi


# --------------------------------------------------------------------------- backup manifests

SHA = "ab" * 32
VALID = Manifest(created_at=__import__("datetime").datetime(2026, 11, 20, 16, 30), app_version="0.1.0",
                 dialect="sqlite", db_revision="0002", database="motcua.db",
                 files=(ManifestFile("motcua.db", SHA, 10), ManifestFile(f"blobs/ab/ab/{SHA}", SHA, 3)),
                 counts={"dossiers": 1, "blobs": 1})


def test_manifest_round_trip() -> None:
    assert parse_manifest(manifest_bytes(VALID)) == VALID


@FUZZ
@given(st.binary(max_size=1000))
def test_manifest_random_bytes(raw: bytes) -> None:
    with pytest.raises(BackupError):
        parse_manifest(raw)


@FUZZ
@given(st.sampled_from(["format", "version", "created_at", "dialect", "database", "encryption", "counts",
                        "files", "db_revision", "app_version"]), JSON)
def test_manifest_with_a_field_replaced(key: str, value: object) -> None:
    data = json.loads(manifest_bytes(VALID))
    data[key] = value
    try:
        manifest = parse_manifest(json.dumps(data).encode())
    except BackupError as exc:
        assert exc.message_vi
    else:  # accepted: then it is still a manifest this version can restore
        assert manifest.database in {f.path for f in manifest.files}


@FUZZ
@given(st.text(max_size=80), JSON)
def test_manifest_with_a_hostile_file_entry(path: str, other: object) -> None:
    data = json.loads(manifest_bytes(VALID))
    data["files"].append({"path": path, "sha256": SHA, "size": 1})
    data["files"].append(other)
    try:
        manifest = parse_manifest(json.dumps(data).encode())
    except BackupError:
        return
    for f in manifest.files:  # nothing accepted can point outside the backup folder
        assert ".." not in f.path.split("/") and not f.path.startswith("/") and "\\" not in f.path


@pytest.mark.parametrize("target", ["cccd", "manifest", "image", "applicant_json", "separator",
                                    "sync_change"])
def test_atheris_targets_run(target: str) -> None:
    """The coverage-guided targets (``tests/fuzz/atheris_targets.py``) run clean for a moment."""
    import subprocess
    import sys

    pytest.importorskip("atheris", reason="atheris is in the test extras (pip install 'atheris>=2.3')")
    script = Path(__file__).with_name("atheris_targets.py")
    result = subprocess.run([sys.executable, str(script), target, "-atheris_runs=1500"], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
