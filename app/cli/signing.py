"""Signature commands of ``motcua``: ``sign`` signs a PDF file (PAdES) with a PKCS#11 token or a
PKCS#12 file; ``verify-signature`` checks one.

    motcua sign FILE.pdf --out SIGNED.pdf [--pkcs11-module PATH --token LABEL (--key LABEL | --key-id HEX)
                [--pin-env VAR] | --pkcs12 FILE [--pass-env VAR]] [--location TEXT] [--reason TEXT] [--json]
    motcua verify-signature FILE.pdf [--trust-roots DIR] [--json]

``sign`` reads the PIN (or the PKCS#12 password) from the environment variable named by
``--pin-env``/``--pass-env`` (never from the command line, which other users can see), or asks for
it on the terminal. Without ``--pkcs11-module`` the module, token and key come from the signing
settings of the data folder. ``--json`` prints ``{"out", "sha256", "signer", "signed_at", "field"}``.

``verify-signature`` exits 0 only when the PDF is signed and unchanged since the (newest) signature;
trust is judged against ``--trust-roots`` or the configured trust roots of the data folder (none
configured: ``trusted`` is null). ``--json`` prints ``{"signed", "intact", "trusted",
"covers_whole_document", "signer", "issuer", "signed_at", "subfilter", "signatures", "level", "ok",
"message", "detail"}``.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.common import file_name
from app.core.clock import vn_aware

EXIT_OK = 0
EXIT_ERROR = 1


def register(subcommands: Any, leaf: Callable[..., Any]) -> None:
    p = leaf(subcommands, "sign", "ký số tệp PDF (PAdES) bằng USB token (PKCS#11) hoặc tệp chứng thư .p12",
             cmd_sign)
    p.add_argument("file", metavar="TỆP.pdf", help="tệp PDF cần ký")
    p.add_argument("--out", required=True, type=file_name, metavar="TỆP_ĐÃ_KÝ.pdf", help="nơi ghi tệp đã ký")
    add_key_arguments(p)
    p = leaf(subcommands, "verify-signature", "kiểm tra chữ ký số của tệp PDF", cmd_verify_signature)
    p.add_argument("file", metavar="TỆP.pdf", help="tệp PDF cần kiểm tra")
    p.add_argument("--trust-roots", metavar="THƯ_MỤC",
                   help="thư mục chứng thư gốc được tin cậy (mặc định: theo cài đặt ký số)")


def add_key_arguments(p: argparse.ArgumentParser) -> None:
    """The options naming the signing key (shared by ``sign`` and ``warehouse sign``)."""
    p.add_argument("--pkcs11-module", metavar="ĐƯỜNG_DẪN",
                   help="thư viện PKCS#11 của token (mặc định: theo cài đặt ký số)")
    p.add_argument("--token", metavar="NHÃN", help="nhãn (label) của token")
    p.add_argument("--key", metavar="NHÃN", help="nhãn của khoá ký và chứng thư trên token")
    p.add_argument("--key-id", metavar="HEX", help="mã (ID) của khoá ký trên token, dạng thập lục phân")
    p.add_argument("--pin-env", metavar="BIẾN", help="biến môi trường chứa mã PIN (mặc định: hỏi khi chạy)")
    p.add_argument("--pkcs12", metavar="TỆP.p12", help="ký bằng tệp chứng thư số .p12/.pfx thay cho token")
    p.add_argument("--pass-env", metavar="BIẾN", help="biến môi trường chứa mật khẩu tệp .p12")
    p.add_argument("--location", metavar="NƠI_KÝ", help="nơi ký (mặc định: tên cơ quan trong cài đặt)")
    p.add_argument("--reason", metavar="LÝ_DO", help="lý do ký (mặc định: Số hoá hồ sơ TTHC)")


def signer_key(args: argparse.Namespace, ctx: Any) -> Any:
    """The :data:`~app.documents.signing.SignerKey` the options name (PKCS#11 values missing on the
    command line come from the signing settings of ``ctx``, when there is one). The PIN or password
    is read from ``--pin-env``/``--pass-env`` or asked on the terminal."""
    from app.cli.common import UsageError
    from app.documents.signing import Pkcs12Key

    if args.pkcs12 and (args.pkcs11_module or args.token or args.key or args.key_id or args.pin_env):
        raise UsageError("--pkcs12 cannot be combined with the PKCS#11 options")
    if args.pkcs12:
        return Pkcs12Key(Path(args.pkcs12), _secret(args.pass_env, "Mật khẩu tệp .p12: "))
    if ctx is not None and not (args.pkcs11_module or args.token or args.key or args.key_id):
        from app.services.signing import MODE_PKCS12, signing_settings

        settings = signing_settings(ctx)
        if settings.mode == MODE_PKCS12:  # the station signs with a software certificate
            return settings.key(_secret(args.pass_env, "Mật khẩu tệp .p12: "))
    return _pkcs11_key(args, ctx)


def _secret(env: str | None, prompt: str) -> str:
    from app.cli.common import UsageError

    if env:
        value = os.environ.get(env)
        if value is None:
            raise UsageError(f"environment variable {env} is not set")
        return value
    return getpass.getpass(prompt)


def _context(args: argparse.Namespace) -> Any:
    """The data folder's context if there is one (for settings and trust roots), else None."""
    from app.cli.common import open_context
    from app.services.context import NotInitialisedError

    try:
        return open_context(args)
    except NotInitialisedError:
        return None


def cmd_sign(args: argparse.Namespace, out: Any) -> int:
    from app.cli.common import UsageError
    from app.documents.signing import DEFAULT_REASON, sign_pdf

    if args.pkcs12 and (args.pkcs11_module or args.token or args.key or args.key_id or args.pin_env):
        raise UsageError("--pkcs12 cannot be combined with the PKCS#11 options")
    ctx = _context(args)
    with contextlib.ExitStack() as stack:
        if ctx is not None:
            stack.callback(ctx.close)
        location = args.location if args.location is not None else (ctx.settings().agency_name if ctx else "")
        key = signer_key(args, ctx)
        signed = sign_pdf(Path(args.file), Path(args.out), key, location=location,
                          reason=args.reason or DEFAULT_REASON)
    if out.as_json:
        out.json({"out": str(args.out), "sha256": signed.sha256, "signer": signed.signer_name,
                  "signed_at": signed.signed_at.isoformat(timespec="seconds"), "field": signed.field_name})
    else:
        out.text(f"Đã ký số {args.out} bởi {signed.signer_name} lúc "
                 f"{vn_aware(signed.signed_at):%d/%m/%Y %H:%M} (SHA-256 {signed.sha256}).")
    return EXIT_OK


def _pkcs11_key(args: argparse.Namespace, ctx: Any) -> Any:
    from app.cli.common import UsageError
    from app.documents.signing import Pkcs11Key
    from app.services.signing import default_module, signing_settings

    settings = signing_settings(ctx) if ctx is not None else None
    module = args.pkcs11_module or (settings.module if settings else default_module())
    token = args.token or (settings.token_label if settings else "")
    key_label = args.key or (None if args.key_id else (settings.key_label if settings else None)) or None
    key_hex = args.key_id or (settings.key_id if settings and not args.key else "")
    if not token:
        raise UsageError("no token: give --token LABEL (or configure the signing settings)")
    if not (key_label or key_hex):
        raise UsageError("no key: give --key LABEL or --key-id HEX")
    try:
        key_id = bytes.fromhex(key_hex) if key_hex else None
    except ValueError:
        raise UsageError(f"--key-id must be hexadecimal, got {key_hex!r}") from None
    pin = _secret(args.pin_env, f"Mã PIN của token {token}: ")
    return Pkcs11Key(module, token, pin, key_label, key_id)


def cmd_verify_signature(args: argparse.Namespace, out: Any) -> int:
    from app.services.signing import verify_file

    trust = Path(args.trust_roots) if args.trust_roots else None
    ctx = None if trust is not None else _context(args)
    try:
        status = verify_file(ctx, Path(args.file), trust)
    finally:
        if ctx is not None:
            ctx.close()
    if out.as_json:
        out.json(status.to_json())
    else:
        out.text(status.message)
        if status.signed:
            trusted = {True: "có", False: "KHÔNG",
                       None: "chưa kiểm tra (chưa có chứng thư gốc)"}[status.trusted]
            out.text(f"Nguyên vẹn: {'có' if status.intact else 'KHÔNG'}; phủ toàn bộ tài liệu: "
                     f"{'có' if status.covers_whole else 'KHÔNG'}; chứng thư tin cậy: {trusted}; "
                     f"số chữ ký: {status.signatures}; chuẩn: {status.subfilter or '?'}")
    return EXIT_OK if status.ok else EXIT_ERROR
