"""``motcua settings list|get|set``: the station's settings, for administrators."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.common import EXIT_OK, Output, open_context, table

Leaf = Callable[[Any, str, str, Callable[[argparse.Namespace, Output], int]], Any]


def _json(v: Any) -> dict[str, Any]:
    s = v.setting
    return {"key": s.key, "type": s.type.value, "value": v.shown(), "default": s.default,
            "set": v.stored is not None, "editable": s.editor.value == "admin", "secret": s.secret,
            "label_vi": s.label_vi, "label_en": s.label_en}


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.settings import list_settings

    with open_context(args) as ctx:
        values = list_settings(ctx)
    if out.as_json:
        out.json({"settings": [_json(v) for v in values]})
        return EXIT_OK
    rows = [[v.setting.key, v.shown() or "—", "" if v.setting.editor.value == "admin" else "tự ghi",
             v.setting.label_vi] for v in values]
    out.text(table(["Khóa", "Giá trị", "", "Ý nghĩa"], rows, [None, 40, None, 50]))
    return EXIT_OK


def cmd_get(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.settings import get_setting

    with open_context(args) as ctx:
        value = get_setting(ctx, args.key)
    if out.as_json:
        out.json(_json(value))
        return EXIT_OK
    out.text(value.shown() or "")
    return EXIT_OK


def cmd_set(args: argparse.Namespace, out: Output) -> int:
    from app.services.admin.auth import SYSTEM_OFFICER
    from app.services.admin.settings import set_setting

    with open_context(args) as ctx:
        value = set_setting(ctx, SYSTEM_OFFICER, args.key, args.value)
    if out.as_json:
        out.json(_json(value))
        return EXIT_OK
    out.text(f"Đã đặt {value.setting.key} = {value.shown()}")
    return EXIT_OK


def register(commands: Any, leaf: Leaf) -> None:
    """Add ``settings`` (``list``, ``get``, ``set``) to the ``motcua`` sub-commands."""
    p = commands.add_parser("settings", help="thiết lập của máy trạm (quản trị viên)",
                            description="thiết lập của máy trạm (quản trị viên)")
    sub = p.add_subparsers(dest="settings_command", metavar="LỆNH", required=True)
    leaf(sub, "list", "liệt kê mọi thiết lập và giá trị hiện tại", cmd_list)
    g = leaf(sub, "get", "xem một thiết lập", cmd_get)
    g.add_argument("key", metavar="KHÓA", help="khóa của thiết lập, vd agency.name")
    s = leaf(sub, "set", "đặt giá trị một thiết lập", cmd_set)
    s.add_argument("key", metavar="KHÓA", help="khóa của thiết lập, vd agency.name")
    s.add_argument("value", metavar="GIÁ_TRỊ", help="giá trị mới")
