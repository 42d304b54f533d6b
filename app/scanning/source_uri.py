"""Page sources named by a URI, as ``motcua scan --source`` and the scan settings take them.

=================================  ==========================================================
``sane:DEVICE``                    a SANE scanner (``sane:test:0``; ``sane:`` the first one)
``escl:URL``                       an eSCL/AirScan network scanner (``escl:http://10.0.0.7/eSCL``)
``wia:NAME`` / ``twain:NAME``      a WIA or TWAIN scanner (Windows only; ``wia:`` the first one)
``camera:N`` / ``camera:FILE``     camera number N, or a video file read as one (tests)
``folder:PATH``                    the image/PDF files of a folder, in name order, read once
``file:PATH``                      one image or PDF file
=================================  ==========================================================

Scanners take options after ``?``: ``source=flatbed|adf|duplex``, ``mode=color|gray|bw``,
``resolution=200`` change the scan profile; ``shots=N`` and ``frames=N`` the camera's shots;
``verify=no`` accepts an eSCL scanner's self-signed certificate; any other ``name=value`` of a SANE
URI is set as that SANE option (``sane:test?source=adf&test-picture=Grid``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from app.core.errors import MotCuaError
from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.scanning.errors import ScanError
from app.scanning.pipeline import PageFailure
from app.scanning.profile import DEFAULT_PROFILE, ColorMode, ScanProfile
from app.scanning.sources import IMAGE_SUFFIXES, CameraSource, PageSource, SourceItem, file_pages
from app.scanning.spool import SpoolBatch

SCHEMES = ("sane", "escl", "wia", "twain", "camera", "folder", "file")
_WITH_OPTIONS = frozenset({"sane", "escl", "wia", "twain", "camera"})
_PROFILE_KEYS = frozenset({"source", "mode", "resolution", "dpi", "duplex"})
_SOURCES = {"flatbed": (False, False), "platen": (False, False), "adf": (True, False),
            "feeder": (True, False), "duplex": (True, True)}
_YES = frozenset({"1", "yes", "true", "on", "có"})
_NO = frozenset({"0", "no", "false", "off", "không"})


def _bad(uri: str, why_en: str, why_vi: str) -> ScanError:
    return ScanError(f"invalid scan source {uri!r}: {why_en}", f"Nguồn quét “{uri}” không hợp lệ: {why_vi}.")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source URI: ``scheme:target?options``."""

    uri: str
    scheme: str
    target: str
    options: dict[str, str] = field(default_factory=dict)

    def profile(self, base: ScanProfile) -> ScanProfile:
        """``base`` changed by the options ``source``, ``mode``, ``resolution`` and ``duplex``."""
        changes: dict[str, Any] = {}
        opts = self.options
        if "source" in opts:
            key = opts["source"].lower()
            if key not in _SOURCES:
                raise _bad(self.uri, f"unknown source {opts['source']!r} (flatbed, adf, duplex)",
                           f"không có khay “{opts['source']}” (flatbed, adf, duplex)")
            changes["use_feeder"], changes["duplex"] = _SOURCES[key]
        if "duplex" in opts:
            changes["duplex"] = _flag(self.uri, "duplex", opts["duplex"])
            if changes["duplex"]:
                changes["use_feeder"] = True  # only a feeder scans both sides
        if "mode" in opts:
            changes.update(_mode(self.uri, opts["mode"], base))
        resolution = opts.get("resolution", opts.get("dpi"))
        if resolution is not None:
            if not resolution.isdigit():
                raise _bad(self.uri, f"resolution {resolution!r} is not a number",
                           f"độ phân giải “{resolution}” không phải là số")
            changes["dpi"] = int(resolution)
        return replace(base, **changes) if changes else base

    def device_options(self) -> dict[str, str]:
        """The options that are not about the profile (SANE options, camera shots, ``verify``)."""
        return {k: v for k, v in self.options.items() if k not in _PROFILE_KEYS}


def _flag(uri: str, name: str, value: str) -> bool:
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise _bad(uri, f"{name} must be yes or no", f"{name} phải là yes hoặc no")


def _mode(uri: str, value: str, base: ScanProfile) -> dict[str, Any]:
    key = value.lower()
    if key in ("color", "colour", "rgb", "màu"):
        return {"scan_mode": ColorMode.COLOR}
    if key in ("gray", "grey", "grayscale", "xám"):
        keep = base.color_mode if base.color_mode in (ColorMode.AUTO, ColorMode.GRAY, ColorMode.BW) \
            else ColorMode.GRAY
        return {"scan_mode": ColorMode.GRAY, "color_mode": keep}
    if key in ("bw", "lineart", "black-white", "đen-trắng"):
        return {"scan_mode": ColorMode.GRAY, "color_mode": ColorMode.BW}
    raise _bad(uri, f"unknown mode {value!r} (color, gray, bw)", f"không có chế độ màu “{value}”")


def _path_target(target: str) -> str:
    """``file:///C:/scans/a.jpg`` style URLs as well as plain paths."""
    if target.startswith("//"):
        parts = urlsplit("file:" + target)
        path = unquote(parts.path)
        if re.match(r"^/[A-Za-z]:", path):  # file:///C:/... on Windows
            path = path[1:]
        return path
    return target


def parse_source_uri(uri: str) -> SourceSpec:
    text = (uri or "").strip()
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in SCHEMES:
        raise _bad(text, f"expected one of {', '.join(s + ':' for s in SCHEMES)}",
                   f"phải bắt đầu bằng một trong {', '.join(s + ':' for s in SCHEMES)}")
    options: dict[str, str] = {}
    if scheme in _WITH_OPTIONS and "?" in rest:
        rest, _, query = rest.partition("?")
        for key, value in parse_qsl(query, keep_blank_values=True):
            options[key.strip().lower().replace("-", "_")] = value.strip()
    if scheme in ("file", "folder"):
        rest = _path_target(rest)
        if not rest:
            raise _bad(text, "no path given", "chưa có đường dẫn")
    if scheme == "escl" and not rest.lower().startswith(("http://", "https://")):
        raise _bad(text, "escl: needs an http:// or https:// URL", "escl: cần địa chỉ http:// hoặc https://")
    return SourceSpec(text, scheme, rest, options)


def _natural(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def folder_files(folder: Path) -> list[Path]:
    """The image and PDF files of ``folder`` (not hidden, not in sub-folders), in name order
    (``trang2`` before ``trang10``)."""
    if not folder.is_dir():
        raise ScanError(f"folder not found: {folder}", f"Không tìm thấy thư mục {folder}.")
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~"))
             and p.suffix.lower() in IMAGE_SUFFIXES]
    if not files:
        raise ScanError(f"no image or PDF file in {folder}",
                        f"Thư mục {folder} không có tệp ảnh hoặc PDF nào.")
    return sorted(files, key=_natural)


class SpooledFileSource:
    """Files read once, in order, each first copied into the spool batch (when there is one) so
    that the pages can be finished after a crash even if the originals are moved away; the pages
    are decoded from the bytes read, not from the (sealed) copy.

    ``reader`` reads files that are themselves in a spool (pages resumed after a crash): it gets
    their plain content (e.g. :meth:`app.scanning.spool.Spool.read`, which decrypts in memory); a
    file it cannot open (wrong key, altered) comes out as a failure."""

    def __init__(self, paths: Sequence[Path], profile: ScanProfile, batch: SpoolBatch | None,
                 reader: Callable[[Path], bytes] | None = None) -> None:
        self.paths = [Path(p) for p in paths]
        self.profile = profile
        self.batch = batch
        self.reader = reader

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        cancel = cancel or CancelToken()
        total = len(self.paths)
        for done, path in enumerate(self.paths):
            cancel.raise_if_cancelled()
            progress(ProgressUpdate(done, total, f"Đang đọc {path.name}"))
            if self.batch is not None and path.is_file():
                try:
                    data = path.read_bytes()
                    local = self.batch.add(data, path.name)
                except OSError as exc:
                    yield PageFailure(str(path), 0, f"cannot copy {path} to the spool: {exc}",
                                      f"không chép được tệp {path.name} vào hàng đợi quét", "spool")
                    continue
                yield from file_pages(data, str(path), self.profile, spool_path=local, name=path.name)
            elif self.reader is not None and path.is_file():
                try:
                    data = self.reader(path)
                except (MotCuaError, OSError) as exc:
                    yield PageFailure(str(path), 0, getattr(exc, "message_en", str(exc)),
                                      getattr(exc, "message_vi", f"không đọc được tệp {path.name}"), "open")
                    continue
                yield from file_pages(data, str(path), self.profile, spool_path=path, name=path.name)
            else:
                yield from file_pages(path, str(path), self.profile)
        progress(ProgressUpdate(total, total, "Đã đọc xong"))


def _camera(spec: SourceSpec, batch: SpoolBatch) -> CameraSource:
    device: int | str = int(spec.target) if spec.target.strip().isdigit() else _path_target(spec.target)
    if device == "":
        device = 0
    options = spec.options
    shots_text = options.get("shots", "1")
    try:
        shots = None if shots_text in ("0", "all") else int(shots_text)
        frames = int(options.get("frames", "5"))
    except ValueError:
        raise _bad(spec.uri, "shots and frames must be numbers", "shots và frames phải là số") from None
    return CameraSource(device, batch, shots=shots, frames_per_shot=frames)


def _sane_value(text: str) -> Any:
    if text.lower() in _YES - {"1"}:
        return True
    if text.lower() in _NO - {"0"}:
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def open_source(uri: str | SourceSpec, *, profile: ScanProfile = DEFAULT_PROFILE,
                spool: SpoolBatch | None = None, timeout: float = 60.0) -> PageSource:
    """The page source ``uri`` names. ``profile`` should already carry the URI's options
    (:meth:`SourceSpec.profile`); applying them again changes nothing. Scanners and cameras need
    ``spool`` (every page they capture is written there first); files are copied into it when given."""
    spec = uri if isinstance(uri, SourceSpec) else parse_source_uri(uri)
    profile = spec.profile(profile)
    if spec.scheme == "file":
        return SpooledFileSource([Path(spec.target)], profile, spool)
    if spec.scheme == "folder":
        return SpooledFileSource(folder_files(Path(spec.target)), profile, spool)
    if spool is None:
        raise ScanError(f"{spec.scheme}: sources need a spool batch",
                        "Nguồn quét này cần thư mục hàng đợi quét (spool).")
    options = spec.device_options()
    if spec.scheme == "sane":
        from app.scanning.sane_source import SaneSource

        sane_options = {k: _sane_value(v) for k, v in options.items()}
        return SaneSource(profile, spool, spec.target or None, options=sane_options)
    if spec.scheme == "escl":
        from app.scanning.escl_source import escl_source

        return escl_source(spec.target, profile, spool, options=options, timeout=timeout)
    if spec.scheme == "camera":
        return _camera(spec, spool)
    from app.scanning import windows_sources

    if spec.scheme == "wia":
        return windows_sources.wia_source(spec.target, profile, spool, options)
    return windows_sources.twain_source(spec.target, profile, spool, options)
