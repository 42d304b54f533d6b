"""Run in a subprocess with a given ``TZ``: a station receives a dossier, prints its receipt and
syncs it; prints what it stored, printed and sent (JSON), for ``test_vietnam_time``.

    python -m tests.sync.vn_time_probe DATA_DIR SERVER_URL TOKEN AGENCY CATALOGUE
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

from pypdf import PdfReader

from app.core.clock import vn_now
from app.services.auth import SYSTEM_OFFICER
from app.services.printing import render_slip
from app.services.sync import configure, sync_once, sync_state
from app.sync.reference import ReferenceAdapter
from app.sync.vocabulary import dossier_record
from tests.sync.helpers import open_station, receive


def main(data_dir: str, url: str, token: str, agency: str, catalogue: str) -> None:
    epoch = time.time()
    now = vn_now()
    ctx = open_station(Path(data_dir), agency, Path(catalogue))
    dossier = receive(ctx, 1)
    receipt = PdfReader(io.BytesIO(render_slip(ctx, "01", dossier.code, SYSTEM_OFFICER)))
    text = " ".join(page.extract_text() or "" for page in receipt.pages)
    r = dossier.received_at
    configure(ctx, server_url=url, token=token)
    run = sync_once(ctx, max_wait=5)
    adapter = ReferenceAdapter(url, token)
    server_time = adapter.server_time()
    adapter.close()
    print(
        json.dumps(
            {
                "epoch": epoch,
                "vn_now": now.isoformat(),
                "received_at": dossier.received_at.isoformat(),
                "due_at": dossier.due_at.isoformat(),
                "sent": dossier_record(dossier)["NgayTiepNhan"],
                "receipt_has_time": f"{r:%H} giờ {r:%M} phút, ngày {r:%d} tháng {r:%m} năm {r:%Y}" in text,
                "outcome": run.outcome,
                "server_now": server_time.server_now.isoformat(),
                "offset": server_time.offset_seconds,
                "clock_warning": sync_state(ctx).clock_warning_vi,
            }
        )
    )
    ctx.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
