"""``python -m provincial_server``: run the reference provincial server, or administer its data.

    python -m provincial_server --port PORT --data DIR [--faults SPEC] [--host H] [--clock-skew S]
                                [--upload-expiry-hours H]
    python -m provincial_server add-station --data DIR --agency CODE --name NAME [--expires-days N]
    python -m provincial_server revoke-station --data DIR STATION_ID
    python -m provincial_server set-status --data DIR MA_HO_SO STATUS [--note TEXT]
    python -m provincial_server load-catalogue --data DIR FILE.json     ({"DanhSachTTHC": [...]})
    python -m provincial_server admin-token --data DIR
    python -m provincial_server openapi [--out FILE]
    python -m provincial_server verify --data DIR [--upload-expiry-hours H] [--expire]
    python -m provincial_server submit-online --data DIR --agency CODE --procedure CODE
                                --applicant-json FILE [--file PATH ...] [--vneid]

``submit-online`` files a dossier as a citizen on the portal would (channel 2, status 1) and prints
its code on the last line.

``add-station`` prints the new station's token (only it) on stdout. ``verify`` prints a JSON report of
orphans (bytes without a record, records without bytes) and of unfinished uploads past the expiry
(``--expire`` removes those now); exit 1 when something is an orphan.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_EXPIRY_HOURS = 72.0
COMMANDS = (
    "add-station",
    "revoke-station",
    "set-status",
    "load-catalogue",
    "admin-token",
    "openapi",
    "verify",
    "submit-online",
)


class _Life:
    """The running uvicorn server and whether an injected fault asked for a restart."""

    def __init__(self) -> None:
        self.server: Any = None
        self.restart_asked = False

    def restart(self) -> None:
        self.restart_asked = True
        if self.server is not None:
            self.server.should_exit = True


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from provincial_server.app import create_app
    from provincial_server.faults import FaultInjector, FaultSpec

    spec = FaultSpec.parse(args.faults)  # one schedule for the whole life of the process
    life = _Life()
    injector: FaultInjector | None = None
    while True:
        app = create_app(
            Path(args.data),
            clock_skew=args.clock_skew,
            upload_expiry=timedelta(hours=args.upload_expiry_hours),
        )
        life.restart_asked = False
        clock = app.state.server.clock
        if injector is None:
            injector = FaultInjector(app, spec, clock.http_date, life.restart)
        injector.app, injector.http_date = app, clock.http_date
        app.state.faults = injector
        config = uvicorn.Config(
            injector,
            host=args.host,
            port=args.port,
            http="h11",
            lifespan="off",
            log_level=args.log_level,
            access_log=False,
            date_header=False,
            server_header=False,
            timeout_graceful_shutdown=1,
        )
        server = life.server = uvicorn.Server(config)
        print(
            f"provincial_server: listening on http://{args.host}:{args.port} (data {args.data})", flush=True
        )
        server.run()
        if not life.restart_asked:
            return 0
        print("provincial_server: restarting (injected fault)", flush=True)
        time.sleep(args.restart_pause)


def _store(data: str) -> Any:
    from provincial_server.store import Store

    return Store(Path(data))


def admin(argv: list[str]) -> int:
    from provincial_server.app import Clock

    parser = argparse.ArgumentParser(prog="python -m provincial_server")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("add-station", help="register a counter station; prints its token")
    p.add_argument("--data", required=True)
    p.add_argument("--agency", required=True, help="agency code, e.g. 000.00.22.H12")
    p.add_argument("--name", required=True)
    p.add_argument("--expires-days", type=float)
    p = sub.add_parser("revoke-station", help="revoke a station's token")
    p.add_argument("--data", required=True)
    p.add_argument("station_id", type=int)
    p = sub.add_parser("set-status", help="change a dossier's status as the province (published on /changes)")
    p.add_argument("--data", required=True)
    p.add_argument("code")
    p.add_argument("status", type=int, choices=range(1, 11))
    p.add_argument("--note", default="")
    p = sub.add_parser("load-catalogue", help='replace the catalogue with {"DanhSachTTHC": [...]}')
    p.add_argument("--data", required=True)
    p.add_argument("file")
    p = sub.add_parser("admin-token", help="print the token of the admin endpoints")
    p.add_argument("--data", required=True)
    p = sub.add_parser("openapi", help="print (or write) the protocol's OpenAPI document")
    p.add_argument("--out")
    p = sub.add_parser("verify", help="report orphans and expired uploads (JSON)")
    p.add_argument("--data", required=True)
    p.add_argument("--upload-expiry-hours", type=float, default=DEFAULT_EXPIRY_HOURS)
    p.add_argument("--expire", action="store_true", help="remove the expired unfinished uploads now")
    p = sub.add_parser("submit-online", help="submit a dossier online as a citizen; prints its code")
    p.add_argument("--data", required=True)
    p.add_argument("--agency", required=True)
    p.add_argument("--procedure", required=True)
    p.add_argument("--applicant-json", required=True, help="the applicant (keys of receive --applicant-json)")
    p.add_argument("--file", action="append", default=[], help="a file of the dossier (repeatable)")
    p.add_argument("--vneid", action="store_true", help="the citizen signed in with VNeID")
    args = parser.parse_args(argv)
    clock = Clock()
    if args.command == "submit-online":
        return _submit_online(args, clock)
    if args.command == "add-station":
        try:
            _, token = _store(args.data).add_station(
                args.agency, args.name, clock.now().replace(tzinfo=None), args.expires_days
            )
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(token)
    elif args.command == "revoke-station":
        if not _store(args.data).revoke_station(args.station_id, clock.now().replace(tzinfo=None)):
            print(f"no active station {args.station_id}", file=sys.stderr)
            return 1
    elif args.command == "set-status":
        from provincial_server.routes_admin import province_change

        entry = province_change(
            _store(args.data),
            clock,
            args.code,
            "TrangThai",
            {"TrangThaiHoSo": args.status, "NoiDung": args.note},
        )
        print(json.dumps(entry, ensure_ascii=False))
    elif args.command == "load-catalogue":
        records = json.loads(Path(args.file).read_text(encoding="utf-8"))["DanhSachTTHC"]
        _store(args.data).set_catalogue(records)
        print(f"{len(records)} procedures")
    elif args.command == "verify":
        from provincial_server.upkeep import expired_uploads, remove_uploads, verify

        store, now = _store(args.data), clock.now().replace(tzinfo=None).isoformat()
        expiry = timedelta(hours=args.upload_expiry_hours)
        removed = remove_uploads(store, expired_uploads(store, now, expiry)) if args.expire else 0
        report = {**verify(store, now, expiry), "removed_uploads": removed}
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if report["ok"] else 1
    elif args.command == "admin-token":
        print(_store(args.data).admin_token())
    elif args.command == "openapi":
        text = openapi_text()
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    return 0


def _submit_online(args: argparse.Namespace, clock: Any) -> int:
    from provincial_server.online import submit

    try:
        applicant = json.loads(Path(args.applicant_json).read_text(encoding="utf-8"))
        if not isinstance(applicant, dict):
            raise ValueError("the applicant JSON must be an object")
        files = [(Path(f).name, Path(f).read_bytes(), None) for f in args.file]
        store = _store(args.data)
        if not store.procedure_known(args.procedure):
            raise ValueError(f"procedure {args.procedure} is not in the catalogue")
        code = submit(store, clock.now().replace(tzinfo=None), args.agency, args.procedure, applicant, files,
                      vneid=args.vneid)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"submitted online: {len(files)} files")
    print(code)
    return 0


def openapi_text() -> str:
    """The protocol's OpenAPI document, as committed in ``docs/openapi.json``."""
    import tempfile

    from provincial_server.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        document = create_app(Path(tmp)).openapi()
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return admin(argv)
    parser = argparse.ArgumentParser(
        prog="python -m provincial_server",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True, help="data folder (SQLite store and files)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--faults", default="", help="fault injection, e.g. seed=7,drop=0.1,e503=0.05")
    parser.add_argument("--clock-skew", type=float, default=0.0, help="seconds added to the server's clock")
    parser.add_argument(
        "--restart-pause", type=float, default=0.5, help="seconds down on an injected restart"
    )
    parser.add_argument(
        "--upload-expiry-hours",
        type=float,
        default=DEFAULT_EXPIRY_HOURS,
        help="unfinished uploads untouched this long are removed with their bytes",
    )
    parser.add_argument("--log-level", default="warning")
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
