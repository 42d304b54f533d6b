"""A batch page's stored image and thumbnail, read back from the spool folder."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from app.core.errors import MotCuaError
from app.core.sealing import Sealer, spool_name
from app.scanning.encode import EncodedPage
from app.scanning.loading import load_page
from app.scanning.profile import ScanProfile
from app.scanning.spool import SpoolBatch
from app.services.batch.outcome import STATE_FAILED
from app.services.context import AppContext
from app.store.paths import BATCH_SPOOL_DIR_NAME
from app.store.repositories import (
    BatchPageRecord,
    BatchRecord,
)

logger = logging.getLogger(__name__)


SPOOL_FOLDER = BATCH_SPOOL_DIR_NAME  # "batch-spool"
DEFAULT_PROFILE_SMALL = ScanProfile(name="thumbnail", dpi=50)


def spool_root(ctx: AppContext) -> Path:
    return ctx.data_dir / SPOOL_FOLDER


def batch_spool(ctx: AppContext, batch: BatchRecord) -> SpoolBatch:
    """The batch's spool folder, its files sealed with the data folder's key."""
    return SpoolBatch(spool_root(ctx) / batch.name, ctx.db.spool_sealer())


def read_sealed(path: Path, sealer: Sealer) -> bytes:
    """A file of a batch's spool folder, decrypted in memory."""
    return sealer.open(path.read_bytes(), spool_name(path))


def arrived_page(folder: Path, sealer: Sealer, page: BatchPageRecord) -> tuple[Path | bytes, str]:
    """The page as it arrived, to load it again: a file of the batch's spool ``folder`` (a
    scanner's page, decrypted in memory; found by name, so a moved data folder does not matter),
    or the input file where it is."""
    where = Path(page.spool_file or page.origin)
    if page.spool_file and where.parent.name == folder.name and where.parent.parent.name == SPOOL_FOLDER:
        return read_sealed(folder / where.name, sealer), where.name
    return where, where.name


def spool_file_name(seq: int, what: EncodedPage | str) -> str:
    media = what.media_type if isinstance(what, EncodedPage) else what
    return f"{seq:06d}.page.{'tif' if media == 'image/tiff' else 'jpg'}"


def page_image_path(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord) -> Path:
    """Where the stored image of ``page`` is kept in the spool, sealed (it may be gone: check it);
    read it with :func:`page_image`."""
    return spool_root(ctx) / batch.name / spool_file_name(page.seq, page.media_type)


def page_image(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord) -> bytes | None:
    """The stored image of ``page`` (JPEG or TIFF bytes), decrypted in memory and checked against
    its SHA-256; ``None`` when it is gone, cannot be opened or does not match."""
    if page.sha256 is None:
        return None
    try:
        data = read_sealed(page_image_path(ctx, batch, page), ctx.db.spool_sealer())
    except (OSError, MotCuaError):
        return None
    return data if hashlib.sha256(data).hexdigest() == page.sha256 else None


def page_thumbnail(ctx: AppContext, batch: BatchRecord, page: BatchPageRecord, width: int = 96) -> bytes:
    """A small PNG of a page for the batch screen: the stored image, or the page as it arrived
    (separators, unreadable pages give an empty result)."""
    import io

    from PIL import Image

    try:
        stored = page_image(ctx, batch, page)
        if stored is not None:
            with Image.open(io.BytesIO(stored)) as im:
                im.draft("L" if im.mode == "L" else "RGB", (width * 2, width * 3))
                picture = im.convert("RGB")
        elif page.state != STATE_FAILED:
            source, name = arrived_page(spool_root(ctx) / batch.name, ctx.db.spool_sealer(), page)
            loaded = load_page(source, page.origin_index, DEFAULT_PROFILE_SMALL, name=name)
            picture = Image.fromarray(loaded.image).convert("RGB")
        else:
            return b""
    except (OSError, MotCuaError, ValueError):
        return b""
    picture.thumbnail((width, round(width * 1.5)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
