"""``motcua sync``: send the outbox to the provincial system and pull its changes.

    motcua sync [--once] [--server URL] [--token TOKEN] [--json]
    motcua sync status [--json]      {"pending": N, "failed": N, "last_success": "YYYY-MM-DD HH:MM" | null}
    motcua sync failed [--json]      items refused by the server or waiting for a retry
    motcua sync retry ID             send a parked item again at the next run

``--server`` and ``--token`` are remembered (the token in the keyring or an encrypted file, never in
clear). With ``--once`` one run is made and ``{"sent", "received", "failed", "online_new"}`` printed;
without it runs repeat until Ctrl-C (one JSON line per run). A run that did not end ``ok`` adds
``"outcome"`` (``partial``, ``auth``, ``offline``, ``server_error``, ``locked``), ``"error"`` and
``"error_vi"`` to its JSON.

Exit codes: 0 the run completed and everything it tried was delivered; 1 the run failed (the server
refused the token at any step, could not be reached, answered only with errors, or another station
was syncing); 3 partial success (the run went through, but some items failed or were refused, or
the pull did not finish: see ``motcua sync failed``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from collections.abc import Callable
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, Output, open_context, short, table

#: Exit code of a run that went through with some items not delivered (2 is a usage error).
EXIT_PARTIAL = 3

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]
KIND_VI = {"dossier.upsert": "Hồ sơ", "status.update": "Trạng thái", "file.upload": "Tệp"}


def _report(run: Any, out: Output) -> int:
    outcome = run.outcome
    if out.as_json:
        data: dict[str, Any] = run.counts()
        if outcome != "ok":
            data.update(outcome=outcome, error=run.error, error_vi=run.error_vi)
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        out.text(f"Đã gửi {run.sent}, đã nhận {run.received}, lỗi {run.failed}.")
    if outcome == "partial":
        out.warn(
            f"Lỗi: {run.failed} mục chưa gửi được"
            + (f" ({run.error_vi})" if run.error_vi else "")
            + "; xem “motcua sync failed”."
            if run.failed
            else f"Lỗi: {run.error_vi or 'lần đồng bộ chưa hoàn tất.'}"
        )
    elif outcome != "ok":
        out.warn(f"Lỗi: {run.error_vi or outcome}")
    elif run.error_vi:
        out.warn(f"Lưu ý: {run.error_vi}")
    if run.clock_warning_vi:
        out.warn(f"Cảnh báo: {run.clock_warning_vi}")
    if outcome == "ok":
        return EXIT_OK
    return EXIT_PARTIAL if outcome == "partial" else EXIT_ERROR


def cmd_sync(args: argparse.Namespace, out: Output) -> int:
    from app.services.sync import runs as sync

    with open_context(args) as ctx:
        if args.server or args.token:
            sync.configure(ctx, server_url=args.server, token=args.token)
        if args.once:
            return _report(sync.sync_once(ctx), out)
        stop = threading.Event()
        code = EXIT_OK

        def on_run(run: Any, error: Exception | None) -> None:
            nonlocal code
            if error is not None:
                stop.set()
                raise error
            code = _report(run, out)

        with contextlib.suppress(KeyboardInterrupt):
            sync.run_worker(ctx, stop, on_run=on_run)
        return code


def cmd_status(args: argparse.Namespace, out: Output) -> int:
    from app.services.sync.runs import sync_state

    with open_context(args) as ctx:
        state = sync_state(ctx)
    last = state.last_success.strftime("%Y-%m-%d %H:%M") if state.last_success else None
    if out.as_json:
        out.json({"pending": state.pending, "failed": state.failed, "last_success": last})
        return EXIT_OK
    online = {None: "chưa rõ", True: "có kết nối", False: "mất kết nối"}[state.online]
    out.text(f"Máy chủ tỉnh: {state.server_url or 'chưa cấu hình'} ({online})")
    out.text(f"Chờ gửi: {state.pending}; lỗi: {state.failed} (bị từ chối: {state.parked})")
    out.text(f"Đồng bộ thành công gần nhất: {last or 'chưa có'}")
    for note in (state.last_error_vi, state.clock_warning_vi):
        if note:
            out.text(f"Lưu ý: {note}")
    return EXIT_OK


def cmd_failed(args: argparse.Namespace, out: Output) -> int:
    from app.services.sync.runs import failed_items

    with open_context(args) as ctx:
        items = failed_items(ctx)
    if out.as_json:
        out.json(
            [
                {
                    "id": i.id,
                    "dossier_code": i.dossier_code,
                    "kind": i.kind.value,
                    "status": i.status.value,
                    "attempts": i.attempts,
                    "error": i.last_error,
                    "error_vi": i.last_error_vi,
                }
                for i in items
            ]
        )
        return EXIT_OK
    rows = [
        (str(i.id), i.dossier_code, KIND_VI.get(i.kind.value, i.kind.value), i.status.value, i.last_error_vi)
        for i in items
    ]
    out.text(table(("Số", "Mã hồ sơ", "Loại", "Tình trạng", "Lý do"), rows, (None, None, None, None, 70)))
    out.text(f"Tổng cộng: {len(items)} mục.")
    return EXIT_OK


def cmd_retry(args: argparse.Namespace, out: Output) -> int:
    from app.services.sync.runs import retry

    with open_context(args) as ctx:
        item = retry(ctx, args.item_id)
    if out.as_json:
        out.json({"id": item.id, "status": item.status.value})
    else:
        out.text(f"Mục {item.id} ({short(item.dossier_code, 40)}) sẽ được gửi lại ở lần đồng bộ tới.")
    return EXIT_OK


def register(commands: Any, leaf: Leaf) -> None:
    """Add ``sync`` (with ``status``, ``failed``, ``retry``) to the ``motcua`` sub-commands."""
    p = leaf(commands, "sync", "đồng bộ với hệ thống một cửa của tỉnh", cmd_sync)
    p.add_argument("--once", action="store_true", help="đồng bộ một lần rồi thoát")
    p.add_argument("--server", metavar="URL", help="địa chỉ máy chủ tỉnh (được ghi nhớ)")
    p.add_argument("--token", metavar="MÃ", help="mã truy cập của trạm (được cất giữ an toàn)")
    sub = p.add_subparsers(dest="sync_command", metavar="LỆNH", required=False)
    leaf(sub, "status", "tình trạng đồng bộ", cmd_status)
    leaf(sub, "failed", "các mục bị từ chối hoặc đang chờ gửi lại", cmd_failed)
    q = leaf(sub, "retry", "gửi lại một mục bị từ chối", cmd_retry)
    q.add_argument("item_id", type=int, metavar="SỐ", help="số của mục (xem “motcua sync failed”)")
