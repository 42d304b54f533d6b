"""The spool sealed at rest (app/scanning/spool.py with app/store/sealer.py): pages decoded from
bytes, files bound to their spool name, wrong keys refused in Vietnamese, plain files of an older
version still read, and hot-folder adoption that neither loses nor doubles a page whatever moment
the process dies at."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core import sealing
from app.core.sealing import PLAIN, SealedFileError
from app.scanning import spool as spool_module
from app.scanning.loading import count_pages, load_page
from app.scanning.profile import ScanProfile
from app.scanning.source_uri import SpooledFileSource
from app.scanning.sources import HotFolderSource, SourcePage, spooled_file_pages
from app.scanning.spool import Spool, SpoolBatch
from app.store import crypto
from app.store.data_key import DataKeys, KeyFile
from app.store.sealer import SpoolSealer
from tests.scanning.scan_helpers import save, text_page

MARKER = b"CCCD 079303001234"


class Crash(BaseException):
    """The process dying at a chosen line."""


def sealer(tmp_path: Path, key: bytes | None = None) -> SpoolSealer:
    key = key or crypto.new_data_key()
    kid = crypto.key_id(key)
    return SpoolSealer(DataKeys(tmp_path, KeyFile("test-folder", kid), {kid: key}))


def jpeg_with_marker(path: Path) -> Path:
    """A JPEG page whose comment segment holds a CCCD number (found in the raw bytes if plain)."""
    Image.fromarray(text_page(lines=4)).save(path, "JPEG", quality=60, dpi=(200, 200), comment=MARKER)
    assert MARKER in path.read_bytes()
    return path


def text_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pageCompression=0)
    c.drawString(72, 720, MARKER.decode())
    c.showPage()
    c.save()
    return out.getvalue()


# --------------------------------------------------------------------------- the loader


def test_pages_load_from_bytes_as_from_files(tmp_path: Path) -> None:
    """JPEG (kept as sent), PNG, multi-page TIFF, an image-only PDF and a text PDF (rasterised by
    pdftoppm through a pipe) decode the same from their bytes as from their files."""
    page = text_page(lines=3)
    jpeg = jpeg_with_marker(tmp_path / "a.jpg")
    png = save(page, tmp_path / "b.png", dpi=(200, 200))
    tiff = tmp_path / "c.tif"
    first, second = Image.fromarray(page), Image.fromarray(255 - page)
    first.save(tiff, save_all=True, append_images=[second], dpi=(200, 200))
    image_pdf = tmp_path / "d.pdf"
    Image.open(jpeg).save(image_pdf, "PDF", resolution=200)
    words_pdf = tmp_path / "e.pdf"
    words_pdf.write_bytes(text_pdf())
    profile = ScanProfile(dpi=100)
    for path in (jpeg, png, tiff, image_pdf, words_pdf):
        data = path.read_bytes()
        count = count_pages(path, profile)
        assert count_pages(data, profile, name=path.name) == count
        for index in range(count):
            from_file = load_page(path, index, profile)
            from_bytes = load_page(data, index, profile, name=path.name)
            assert np.array_equal(from_file.image, from_bytes.image), path.name
            assert from_file.dpi == from_bytes.dpi and from_file.jpeg == from_bytes.jpeg
    assert load_page(jpeg.read_bytes()).jpeg == jpeg.read_bytes()
    with pytest.raises(Exception, match=r"empty file: x\.png"):
        load_page(b"", name="x.png")


# --------------------------------------------------------------------------- sealed files


def test_spool_files_are_sealed_and_read_back(tmp_path: Path) -> None:
    """Every page and the batch's metadata are sealed (no image magic, no marker in the raw bytes);
    the batch reads them back; pages are decoded from memory."""
    spool = Spool(tmp_path / "spool", sealer(tmp_path))
    batch = spool.new_batch()
    jpeg = jpeg_with_marker(tmp_path / "in.jpg").read_bytes()
    files = [batch.put(text_page(lines=2), 200), batch.put_bytes(jpeg, ".jpg"),
             batch.add(text_pdf(), "cccd.pdf")]
    batch.write_meta({"code": "000.00.00.H00-250318-0001", "note": MARKER.decode()})
    assert [p.name for p in batch.pages()] == ["00001.png", "00002.jpg", "00003.pdf"]
    for path in [*files, batch.path / ".batch.json"]:
        raw = path.read_bytes()
        assert raw.startswith(sealing.SEALED_MAGIC) and MARKER not in raw
        with pytest.raises(Exception):  # noqa: B017 - whatever Pillow raises: not an image
            Image.open(io.BytesIO(raw))
    assert batch.read(files[1]) == jpeg and MARKER in batch.read(files[2])
    assert batch.read_meta() == {"code": "000.00.00.H00-250318-0001", "note": MARKER.decode()}
    assert spool.read(files[1]) == jpeg  # the spool reads its batches' files by path
    items = list(spooled_file_pages(batch, files[1], "scanner", ScanProfile()))
    assert isinstance(items[0], SourcePage) and items[0].jpeg == jpeg and items[0].spool_path == files[1]
    assert sealing.SEALED_MAGIC == crypto.MAGIC


def test_wrong_key_moved_or_renamed_files_are_refused_in_vietnamese(tmp_path: Path) -> None:
    key = crypto.new_data_key()
    spool = Spool(tmp_path / "spool", sealer(tmp_path, key))
    batch, other = spool.new_batch(), spool.new_batch()
    page = batch.put_bytes(jpeg_with_marker(tmp_path / "in.jpg").read_bytes(), ".jpg")
    wrong = SpoolBatch(batch.path, sealer(tmp_path))  # another data folder's key
    with pytest.raises(SealedFileError) as refused:
        wrong.read(page)
    assert "khóa không đúng" in refused.value.message_vi and "hàng đợi quét" in refused.value.message_vi
    failure = next(iter(spooled_file_pages(wrong, page, "scanner", ScanProfile())))
    assert not isinstance(failure, SourcePage) and "khóa không đúng" in failure.error_vi
    with pytest.raises(SealedFileError) as refused:
        SpoolBatch(batch.path).read(page)  # no key at all
    assert "không có khóa" in refused.value.message_vi
    (other.path / page.name).write_bytes(page.read_bytes())  # moved into another batch
    page.rename(batch.path / "00009.jpg")  # or renamed
    for moved in (other.path / page.name, batch.path / "00009.jpg"):
        with pytest.raises(SealedFileError) as refused:
            SpoolBatch(moved.parent, sealer(tmp_path, key)).read(moved)
        assert "bị chuyển" in refused.value.message_vi


def test_plain_files_of_an_older_version_are_still_read(tmp_path: Path) -> None:
    """Pages and metadata written plain (before sealing, or by the plain sealer) are read by a
    sealed spool; files given with a reader are decoded from what it returns."""
    plain = Spool(tmp_path / "spool").new_batch()
    assert plain.sealer is PLAIN
    page = plain.put(text_page(lines=2), 200)
    plain.write_meta({"kind": "scan_station"})
    assert page.read_bytes().startswith(b"\x89PNG")
    sealed = Spool(tmp_path / "spool", sealer(tmp_path))
    [batch] = sealed.pending()
    assert batch.read_meta() == {"kind": "scan_station"} and batch.read(page) == page.read_bytes()
    items = list(SpooledFileSource([page], ScanProfile(), None, reader=sealed.read).pages())
    assert isinstance(items[0], SourcePage) and items[0].dpi == pytest.approx(200, abs=0.5)


# --------------------------------------------------------------------------- hot folder


def _hot_folder(inbox: Path, batch: SpoolBatch) -> HotFolderSource:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    return HotFolderSource(inbox, batch, settle_seconds=1.0, poll_seconds=0.5, idle_seconds=2.0,
                           clock=lambda: clock[0], sleep=sleep)


def _all_pages(spool: Spool) -> list[bytes]:
    batches = [SpoolBatch(d, spool.sealer) for d in sorted(spool.root.iterdir())]
    return [b.read(p) for b in batches for p in b.pages()]


def test_hot_folder_pages_are_sealed_and_the_original_removed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    original = jpeg_with_marker(inbox / "Nguyen Van A.jpg").read_bytes()
    spool = Spool(tmp_path / "spool", sealer(tmp_path))
    batch = spool.new_batch()
    items = list(_hot_folder(inbox, batch).pages())
    assert len(items) == 1 and isinstance(items[0], SourcePage) and items[0].jpeg == original
    assert list(inbox.iterdir()) == []
    assert [p.name for p in batch.path.iterdir()] == ["00001.jpg"]  # no note, no pending file, no name
    raw = batch.pages()[0].read_bytes()
    assert raw.startswith(sealing.SEALED_MAGIC) and MARKER not in raw
    assert batch.read(batch.pages()[0]) == original


@pytest.mark.parametrize("dies_in", ["unlink", "fsync_dir", "replace", "after"])
def test_hot_folder_adoption_killed_at_any_step_loses_and_doubles_nothing(
        tmp_path: Path, dies_in: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a hot-folder page being adopted into a sealed batch WHEN the process dies before the
    original is deleted, after it, before or after the sealed page is put in place THEN the next
    session (which settles interrupted adoptions first) ends with the page exactly once, sealed, and
    the original gone."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    original = jpeg_with_marker(inbox / "scan0001.jpg").read_bytes()
    spool = Spool(tmp_path / "spool", sealer(tmp_path))
    crashed = spool.new_batch()
    real_unlink, real_replace, real_fsync = Path.unlink, Path.replace, spool_module.fsync_dir

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if dies_in == "unlink" and self.parent == inbox:
            raise Crash
        real_unlink(self, missing_ok=missing_ok)

    def fsync_dir(path: Path) -> None:
        if dies_in == "fsync_dir" and path == inbox:
            raise Crash
        real_fsync(path)

    def replace(self: Path, target: Path) -> Path:
        if dies_in == "replace" and self.name.startswith(sealing.PENDING_PREFIX):
            raise Crash
        result = real_replace(self, target)
        if dies_in == "after" and self.name.startswith(sealing.PENDING_PREFIX):
            raise Crash
        return result

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", unlink)
        patch.setattr(Path, "replace", replace)
        patch.setattr(spool_module, "fsync_dir", fsync_dir)
        with pytest.raises(Crash):
            crashed.adopt(inbox / "scan0001.jpg")
    # the next session: a new batch watching the same folder
    again = Spool(tmp_path / "spool", sealer=spool.sealer)
    list(_hot_folder(inbox, again.new_batch()).pages())
    again.pending()
    assert _all_pages(again) == [original]
    assert list(inbox.iterdir()) == []
    pending = again.root.rglob(f"{sealing.PENDING_PREFIX}*")
    leftovers = [p.name for p in pending if p.is_file() and not p.name.endswith(".json")]
    assert leftovers == []


def test_a_settled_adoption_is_finished_by_the_adopting_process(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process settles the batch while the page is being adopted (its sealed file put in
    place or dropped): the adopting process still ends with the page in place, once."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    original = jpeg_with_marker(inbox / "scan.jpg").read_bytes()
    batch = Spool(tmp_path / "spool", sealer(tmp_path)).new_batch()
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if self.name.startswith(sealing.PENDING_PREFIX):
            self.unlink()  # a concurrent settling dropped it (the original was still there then)
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    target = batch.adopt(inbox / "scan.jpg")
    monkeypatch.undo()
    assert [p.name for p in batch.pages()] == [target.name] and batch.read(target) == original
    assert not (inbox / "scan.jpg").exists()


def test_an_adoption_refused_by_the_writer_leaves_the_original(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The scanner still holds the file (Windows refuses the deletion): nothing enters the batch."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    jpeg_with_marker(inbox / "scan.jpg")
    batch = Spool(tmp_path / "spool", sealer(tmp_path)).new_batch()
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.parent == inbox:
            raise PermissionError(13, "in use")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(PermissionError):
        batch.adopt(inbox / "scan.jpg")
    monkeypatch.undo()
    assert (inbox / "scan.jpg").exists() and list(batch.path.iterdir()) == []
