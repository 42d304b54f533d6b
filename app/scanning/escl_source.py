"""Network scanners over eSCL (AirScan, Mopria): plain HTTP and XML, no driver to install.

The exchange (as in NAPS2's and sane-airscan's clients): ``GET ScannerCapabilities`` tells which
inputs (Platen, Adf), resolutions, colour modes and formats the scanner has; ``POST ScanJobs`` with
a ``scan:ScanSettings`` document starts a job and answers ``201 Created`` with the job's URL in
``Location``; ``GET <job>/NextDocument`` returns one page per call, ``503`` while the page is not
ready yet (we wait, longer each time) and ``404`` when the job has no more pages (the feeder is
empty, the flatbed page was delivered); ``DELETE <job>`` cancels. A ``404`` after a paper jam
looks like the end of the batch, so the scanner's status (``ScannerStatus``, ``AdfState``) is read
before a feeder batch is taken as finished.

Only the standard library is used (``http.client``, ``xml.etree``). ``https`` URLs verify the
certificate; most scanners have a self-signed one, for which ``?verify=no`` turns the check off.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from app.core.progress import CancelledError, CancelToken
from app.scanning.devices import DeviceError, DeviceFault, DevicePage, DeviceSettings, DeviceSource
from app.scanning.profile import ColorMode, ScanProfile
from app.scanning.spool import SpoolBatch

logger = logging.getLogger(__name__)

SCAN_NS = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS = "http://www.pwg.org/schemas/2010/12/sm"
_NS = {"scan": SCAN_NS, "pwg": PWG_NS}
MAX_XML = 1 << 20  # a capabilities document is a few kilobytes
MAX_PAGE = 256 << 20
_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf", "image/tiff": ".tif"}
_FORMAT_PREFERENCE = ("image/jpeg", "image/png", "application/pdf")
_ADF_FAULTS = {
    "ScannerAdfEmpty": DeviceFault.FEEDER_EMPTY,
    "ScannerAdfJam": DeviceFault.JAM,
    "ScannerAdfMispick": DeviceFault.JAM,
    "ScannerAdfDoorOpen": DeviceFault.COVER_OPEN,
    "ScannerAdfHatchOpen": DeviceFault.COVER_OPEN,
    "ScannerAdfMultipickDetected": DeviceFault.DOUBLE_FEED,
}


@dataclass(frozen=True)
class InputCaps:
    """What one input (Platen or Adf) can do. Lengths in 1/300 inch."""

    resolutions: tuple[int, ...] = ()
    color_modes: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    max_width: int | None = None
    max_height: int | None = None


@dataclass(frozen=True)
class EsclCapabilities:
    version: str = "2.6"
    make_model: str = ""
    platen: InputCaps | None = None
    adf: InputCaps | None = None
    adf_duplex: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _text(node: ET.Element | None, path: str) -> str:
    found = None if node is None else node.find(path, _NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def _input_caps(node: ET.Element | None) -> InputCaps | None:
    if node is None:
        return None
    resolutions: set[int] = set()
    for value in node.iterfind(".//scan:DiscreteResolution/scan:XResolution", _NS):
        if (value.text or "").strip().isdigit():
            resolutions.add(int(value.text.strip()))  # type: ignore[union-attr]
    for span in node.iterfind(".//scan:ResolutionRange/scan:XResolutionRange", _NS):
        low, high = _text(span, "scan:Min"), _text(span, "scan:Max")
        if low.isdigit() and high.isdigit():
            resolutions.update(r for r in (int(low), 75, 100, 150, 200, 300, 400, 600, int(high))
                               if int(low) <= r <= int(high))
    modes = tuple(dict.fromkeys(m.text.strip() for m in node.iterfind(".//scan:ColorMode", _NS) if m.text))
    formats = [f.text.strip() for tag in ("pwg:DocumentFormat", "scan:DocumentFormatExt")
               for f in node.iterfind(f".//{tag}", _NS) if f.text]
    width, height = _text(node, "scan:MaxWidth"), _text(node, "scan:MaxHeight")
    return InputCaps(tuple(sorted(resolutions)), modes, tuple(dict.fromkeys(formats)),
                     int(width) if width.isdigit() else None, int(height) if height.isdigit() else None)


def parse_capabilities(data: bytes) -> EsclCapabilities:
    root = ET.fromstring(data)
    adf = root.find("scan:Adf", _NS)
    simplex = None if adf is None else adf.find("scan:AdfSimplexInputCaps", _NS)
    return EsclCapabilities(
        version=_text(root, "pwg:Version") or "2.6",
        make_model=_text(root, "pwg:MakeAndModel"),
        platen=_input_caps(root.find("scan:Platen/scan:PlatenInputCaps", _NS)),
        adf=_input_caps(simplex if simplex is not None else adf),
        adf_duplex=adf is not None and adf.find("scan:AdfDuplexInputCaps", _NS) is not None,
    )


def settings_xml(*, version: str, source: str, dpi: int, color_mode: str, document_format: str,
                 width: int, height: int, duplex: bool) -> bytes:
    """The ``scan:ScanSettings`` document of a job (region in 1/300 inch)."""
    def tag(ns: str, name: str, text: object = None) -> ET.Element:
        element = ET.Element(f"{{{_NS[ns]}}}{name}")
        if text is not None:
            element.text = str(text)
        return element

    ET.register_namespace("scan", SCAN_NS)
    ET.register_namespace("pwg", PWG_NS)
    root = tag("scan", "ScanSettings")
    root.append(tag("pwg", "Version", version))
    regions = tag("pwg", "ScanRegions")
    region = tag("pwg", "ScanRegion")
    for name, value in (("ContentRegionUnits", "escl:ThreeHundredthsOfInches"), ("XOffset", 0),
                        ("YOffset", 0), ("Width", width), ("Height", height)):
        region.append(tag("pwg", name, value))
    regions.append(region)
    root.append(regions)
    root.append(tag("pwg", "InputSource", source))
    if source == "Feeder":
        root.append(tag("scan", "Duplex", "true" if duplex else "false"))
    root.append(tag("scan", "ColorMode", color_mode))
    root.append(tag("scan", "XResolution", dpi))
    root.append(tag("scan", "YResolution", dpi))
    root.append(tag("pwg", "DocumentFormat", document_format))
    root.append(tag("scan", "DocumentFormatExt", document_format))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)


def choose_resolution(available: tuple[int, ...], wanted: int) -> int:
    """The smallest offered resolution at least ``wanted``, else the finest offered."""
    if not available:
        return wanted
    finer = [r for r in available if r >= wanted]
    return min(finer) if finer else max(available)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class EsclClient:
    """HTTP requests to one scanner; a new connection per request (scanners' keep-alive is shaky)."""

    def __init__(self, base_url: str, *, timeout: float = 60.0, verify: bool = True) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.timeout = timeout
        self.verify = verify

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def request(self, method: str, url: str, body: bytes | None = None, *,
                limit: int = MAX_XML) -> Response:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context()
            if not self.verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            connection = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read(limit + 1)
            if len(data) > limit:
                raise DeviceError(DeviceFault.OTHER, reply.status, f"{method} {path}: reply too large")
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)
        except (OSError, http.client.HTTPException) as exc:
            raise DeviceError(DeviceFault.OFFLINE, None, f"{method} {url}: {exc}") from None
        finally:
            connection.close()


class EsclDevice:
    """One eSCL scanner as a :class:`~app.scanning.devices.ScanDevice`."""

    def __init__(self, base_url: str, *, timeout: float = 60.0, verify: bool = True,
                 page_wait: float = 120.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = EsclClient(base_url, timeout=timeout, verify=verify)
        self.name = base_url
        self.page_wait = page_wait  # longest time to wait for one page through 503 replies
        self._sleep = sleep
        self._cancel = CancelToken()
        self.capabilities: EsclCapabilities | None = None
        self.job_url: str | None = None
        self.feeder = False
        self._done = False

    def start(self, settings: DeviceSettings, cancel: CancelToken) -> None:
        self._cancel = cancel
        reply = self.client.request("GET", self.client.url("ScannerCapabilities"))
        if reply.status != 200:
            raise DeviceError(DeviceFault.OTHER, reply.status, "cannot read ScannerCapabilities")
        try:
            caps = parse_capabilities(reply.body)
        except ET.ParseError as exc:
            raise DeviceError(DeviceFault.OTHER, None, f"bad ScannerCapabilities: {exc}") from None
        self.capabilities = caps
        if caps.make_model:
            self.name = f"{caps.make_model} ({self.client.base_url})"
        feeder = settings.feeder or caps.platen is None
        inputs = caps.adf if feeder else caps.platen
        if inputs is None:
            raise DeviceError(DeviceFault.NO_FEEDER, None, "the scanner has no document feeder")
        self.feeder = feeder
        document_format = next((f for f in _FORMAT_PREFERENCE if f in inputs.formats),
                               inputs.formats[0] if inputs.formats else "image/jpeg")
        wanted_mode = "RGB24" if settings.color is ColorMode.COLOR else "Grayscale8"
        modes = inputs.color_modes or (wanted_mode,)
        color_mode = wanted_mode if wanted_mode in modes else ("RGB24" if "RGB24" in modes else modes[0])
        width = round(settings.width_mm / 25.4 * 300)
        height = round(settings.height_mm / 25.4 * 300)
        body = settings_xml(
            version=caps.version, source="Feeder" if feeder else "Platen",
            dpi=choose_resolution(inputs.resolutions, settings.dpi), color_mode=color_mode,
            document_format=document_format, width=min(width, inputs.max_width or width),
            height=min(height, inputs.max_height or height), duplex=settings.duplex and caps.adf_duplex)
        reply = self.client.request("POST", self.client.url("ScanJobs"), body)
        if reply.status in (409, 503):  # an empty or jammed feeder, or another job running
            fault = self._adf_fault() if feeder else None
            raise DeviceError(fault or DeviceFault.BUSY, reply.status, "the scanner refused the job")
        location = reply.headers.get("location")
        if reply.status != 201 or not location:
            raise DeviceError(DeviceFault.OTHER, reply.status, "the scanner did not create the job")
        self.job_url = urljoin(self.client.base_url, location).rstrip("/") + "/"
        self._done = False
        logger.info("eSCL job %s started (%s)", self.job_url, "Feeder" if feeder else "Platen")

    def next_page(self) -> DevicePage | None:
        if self.job_url is None or self._done:
            return None
        waited, delay = 0.0, 0.25
        while True:
            reply = self.client.request("GET", self.job_url + "NextDocument", limit=MAX_PAGE)
            if reply.status == 200:
                media = reply.headers.get("content-type", "image/jpeg").split(";")[0].strip().lower()
                return DevicePage(reply.body, _SUFFIXES.get(media, ".jpg"))
            if reply.status == 404:  # no more pages: the end of the job, or a jam that looks like it
                self._done = True
                fault = self._adf_fault() if self.feeder else None
                if fault is not None and fault is not DeviceFault.FEEDER_EMPTY:
                    raise DeviceError(fault, 404, "the job stopped")
                return None
            if reply.status != 503:
                fault = self._adf_fault() if self.feeder else None
                raise DeviceError(fault or DeviceFault.OTHER, reply.status, "NextDocument failed")
            if waited >= self.page_wait:  # the page never became ready
                raise DeviceError(DeviceFault.BUSY, 503, f"no page after {waited:.0f} s")
            if self._cancel.cancelled:
                self.cancel()
                raise CancelledError
            self._sleep(delay)
            waited += delay
            delay = min(delay * 2, 2.0)

    def _adf_fault(self) -> DeviceFault | None:
        """The feeder's state from ``ScannerStatus`` (``None`` when fine or not told)."""
        try:
            reply = self.client.request("GET", self.client.url("ScannerStatus"))
            if reply.status != 200:
                return None
            state = _text(ET.fromstring(reply.body), "scan:AdfState")
        except (DeviceError, ET.ParseError):
            return None
        return _ADF_FAULTS.get(state)

    def cancel(self) -> None:
        if self.job_url is not None and not self._done:
            self._done = True
            reply = self.client.request("DELETE", self.job_url.rstrip("/"))
            logger.info("eSCL job %s cancelled (HTTP %d)", self.job_url, reply.status)

    def close(self) -> None:
        if self.job_url is not None and not self._done:
            try:
                self.cancel()
            except DeviceError as exc:
                logger.warning("could not delete eSCL job %s: %s", self.job_url, exc)


def escl_source(url: str, profile: ScanProfile, batch: SpoolBatch, *, options: dict[str, str] | None = None,
                timeout: float = 60.0, sleep: Callable[[float], None] = time.sleep) -> DeviceSource:
    """A page source over the eSCL scanner at ``url`` (e.g. ``http://192.168.1.20/eSCL``)."""
    options = dict(options or {})
    verify = options.pop("verify", "yes").lower() not in ("no", "0", "false")
    device = EsclDevice(url, timeout=timeout, verify=verify, sleep=sleep)
    return DeviceSource(device, profile, batch, scheme="escl", options=options, sleep=sleep)
