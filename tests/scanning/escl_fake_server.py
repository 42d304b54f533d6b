"""A small eSCL (AirScan) scanner on 127.0.0.1, for the tests: real HTTP on the loopback.

It answers ``ScannerCapabilities`` (Platen and Adf, 100-600 dpi, RGB24/Grayscale8, JPEG and PDF),
``ScannerStatus``, ``POST ScanJobs`` (201 with an absolute ``Location``), ``NextDocument`` (one
JPEG page per call at the requested resolution and colour mode: one page for a Platen job,
``feeder_pages`` for a Feeder job, then 404) and ``DELETE`` of a job. Knobs for the unhappy paths:
``busy_replies`` (503 before each page), ``jam_after`` (the feeder jams after that many pages: 404
with ``AdfState`` = ``ScannerAdfJam``), an empty feeder (``feeder_pages=0``: POST answers 409).
"""

from __future__ import annotations

import io
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parents[2] / "resources" / "fonts" / "LiberationSerif-Regular.ttf"
SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG = "http://www.pwg.org/schemas/2010/12/sm"
NS = {"scan": SCAN, "pwg": PWG}

LINES = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân phường Bến Nghé",
         "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn Đức")


def _input_caps(max_width: int = 2550, max_height: int = 3508) -> str:
    resolutions = "".join(f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
                          f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
                          for r in (100, 150, 200, 300, 600))
    return (f"<scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>{max_width}</scan:MaxWidth>"
            f"<scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>{max_height}</scan:MaxHeight>"
            "<scan:SettingProfiles><scan:SettingProfile><scan:ColorModes>"
            "<scan:ColorMode>BlackAndWhite1</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode>"
            "<scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>"
            "<scan:DocumentFormats><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat>"
            "<pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>"
            "<scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt></scan:DocumentFormats>"
            f"<scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}"
            "</scan:DiscreteResolutions></scan:SupportedResolutions></scan:SettingProfile>"
            "</scan:SettingProfiles>")


def capabilities(*, adf: bool = True) -> bytes:
    feeder = (f"<scan:Adf><scan:AdfSimplexInputCaps>{_input_caps()}</scan:AdfSimplexInputCaps>"
              "<scan:FeederCapacity>50</scan:FeederCapacity></scan:Adf>") if adf else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><scan:ScannerCapabilities xmlns:scan="{SCAN}" '
            f'xmlns:pwg="{PWG}"><pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>MotCua Fake eSCL'
            f"</pwg:MakeAndModel><scan:Platen><scan:PlatenInputCaps>{_input_caps()}"
            f"</scan:PlatenInputCaps></scan:Platen>{feeder}</scan:ScannerCapabilities>").encode()


def page_jpeg(number: int, dpi: int, color_mode: str, width: int, height: int) -> bytes:
    """A text page of ``width`` x ``height`` (1/300 inch) at ``dpi``, with JFIF density."""
    size = (round(width * dpi / 300), round(height * dpi / 300))
    im = Image.new("RGB", size, (247, 246, 242))
    draw = ImageDraw.Draw(im)
    face = ImageFont.truetype(str(FONT), max(8, round(dpi * 0.14)))
    y = round(size[1] * 0.08)
    for line in (*LINES, f"Trang {number}"):
        draw.text((round(size[0] * 0.1), y), line, font=face, fill=(25, 25, 25))
        y += round(dpi * 0.25)
    if color_mode != "RGB24":
        im = im.convert("L")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80, dpi=(dpi, dpi))
    return out.getvalue()


@dataclass
class Job:
    id: str
    source: str
    dpi: int
    color_mode: str
    width: int
    height: int
    pages: int
    delivered: int = 0
    busy_left: int = 0
    deleted: bool = False


@dataclass
class FakeScanner:
    """State and knobs of the fake scanner (tests read ``jobs`` and ``settings`` afterwards)."""

    feeder_pages: int = 3
    adf: bool = True
    busy_replies: int = 0
    jam_after: int | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    settings: list[dict[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    adf_state: str = "ScannerAdfLoaded"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?><scan:ScannerStatus xmlns:scan="{SCAN}" '
                f'xmlns:pwg="{PWG}"><pwg:Version>2.63</pwg:Version><pwg:State>Idle</pwg:State>'
                f"<scan:AdfState>{self.adf_state}</scan:AdfState></scan:ScannerStatus>").encode()


class _Handler(BaseHTTPRequestHandler):
    server: EsclServer

    def log_message(self, *_args: object) -> None:  # quiet
        pass

    def _reply(self, status: int, body: bytes = b"", content_type: str = "text/xml",
               headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        scanner = self.server.scanner
        scanner.requests.append(f"GET {self.path}")
        if self.path == "/eSCL/ScannerCapabilities":
            return self._reply(200, capabilities(adf=scanner.adf))
        if self.path == "/eSCL/ScannerStatus":
            return self._reply(200, scanner.status())
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["eSCL", "ScanJobs"] and parts[3] == "NextDocument":
            return self._next_document(parts[2])
        return self._reply(404)

    def _next_document(self, job_id: str) -> None:
        scanner = self.server.scanner
        with scanner.lock:
            job = scanner.jobs.get(job_id)
            if job is None or job.deleted or job.delivered >= job.pages:
                return self._reply(404)
            if scanner.jam_after is not None and job.delivered >= scanner.jam_after:
                scanner.adf_state = "ScannerAdfJam"
                return self._reply(404)
            if job.busy_left > 0:
                job.busy_left -= 1
                return self._reply(503, headers={"Retry-After": "1"})
            job.delivered += 1
            job.busy_left = scanner.busy_replies
            number = job.delivered
            if job.source == "Feeder" and job.delivered >= job.pages:
                scanner.adf_state = "ScannerAdfEmpty"
        body = page_jpeg(number, job.dpi, job.color_mode, job.width, job.height)
        self._reply(200, body, "image/jpeg")

    def do_POST(self) -> None:
        scanner = self.server.scanner
        scanner.requests.append(f"POST {self.path}")
        if self.path != "/eSCL/ScanJobs":
            return self._reply(404)
        root = ET.fromstring(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        settings = {tag: (root.findtext(f".//{tag}", namespaces=NS) or "") for tag in (
            "pwg:InputSource", "scan:ColorMode", "scan:XResolution", "scan:YResolution", "pwg:Width",
            "pwg:Height", "pwg:DocumentFormat", "scan:Duplex", "pwg:ContentRegionUnits")}
        scanner.settings.append(settings)
        source = settings["pwg:InputSource"]
        if source == "Feeder" and (not scanner.adf or scanner.feeder_pages == 0):
            scanner.adf_state = "ScannerAdfEmpty"
            return self._reply(409)
        job = Job(uuid.uuid4().hex[:12], source, int(settings["scan:XResolution"]),
                  settings["scan:ColorMode"], int(settings["pwg:Width"]), int(settings["pwg:Height"]),
                  scanner.feeder_pages if source == "Feeder" else 1, busy_left=scanner.busy_replies)
        scanner.jobs[job.id] = job
        location = f"http://127.0.0.1:{self.server.server_port}/eSCL/ScanJobs/{job.id}"
        self._reply(201, headers={"Location": location})

    def do_DELETE(self) -> None:
        scanner = self.server.scanner
        scanner.requests.append(f"DELETE {self.path}")
        job = scanner.jobs.get(self.path.rstrip("/").split("/")[-1])
        if job is None:
            return self._reply(404)
        job.deleted = True
        self._reply(200)


class EsclServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scanner: FakeScanner) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scanner = scanner
        self._thread = threading.Thread(target=self.serve_forever, name="fake-escl", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/eSCL"

    def __enter__(self) -> EsclServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
