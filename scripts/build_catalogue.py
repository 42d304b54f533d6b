#!/usr/bin/env python3
"""Build ``resources/catalogue/procedures.json`` from the shared domain research file.

    .venv/bin/python scripts/build_catalogue.py [--source ../shared/domain/procedures.json]
                                                 [--output resources/catalogue/procedures.json]

The source (``procedures.json`` of the domain notes) is a flattened crawl of the national TTHC
database with confidence marks. This script normalises it into the app's catalogue format (the
shape of :func:`app.core.catalogue.procedure_to_dict`): processing units become
``working_days`` / ``working_hours`` / ``same_day``, the "sau 15 giờ" rule becomes a ``"15:00"``
cutoff, ``copy`` counts become certified copies (or photocopies when the text says so), fees get a
channel (1 trực tiếp, 2 trực tuyến, 3 bưu chính), results get a result code (real where known,
otherwise a stable generated ``KQ.<procedure code>`` marked in ``extra``). Everything that was
guessed rather than read is recorded under each procedure's ``extra`` dict.

The output is committed; the application never reads the shared source at runtime. Component text
keeps the crawl's residue (template file names glued to the text): the import cleans it and marks
the online-only e-forms (``app.core.catalogue_text``), for this file and the province's catalogue alike.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.catalogue import catalogue_document  # noqa: E402
from app.core.catalogue_text import is_online_only  # noqa: E402
from app.core.procedure import (  # noqa: E402
    ComponentSpec,
    Fee,
    Procedure,
    ProcessingTime,
    ProcessingUnit,
    ResultDocument,
)
from app.core.text import fold  # noqa: E402

DEFAULT_SOURCE = REPO.parent / "shared" / "domain" / "procedures.json"
DEFAULT_OUTPUT = REPO / "resources" / "catalogue" / "procedures.json"

CHANNELS = {"trực tiếp": 1, "trực tuyến": 2, "dịch vụ bưu chính": 3, "bưu chính": 3}
_TAG = re.compile(r"\s*\[(?:unconfirmed|source-weak|source-derived)[^\]]*\]", re.IGNORECASE)
_LEADING = re.compile(r"^(?:\s*[-–+•]\s*)+")
_SPACES = re.compile(r"\s+")

# Result codes known from real systems (domain notes §2.4); every other result gets a generated one.
KNOWN_RESULT_CODES = {"giay khai sinh": "KQ.G15.000031"}

# Processing times the source lacks (amount null). Values come from the confidence notes of the
# source (legal text quoted from memory) or are placeholders; each is flagged in ``extra``.
PROCESSING_FALLBACKS: dict[str, tuple[float, ProcessingUnit, str]] = {
    "2.000635": (0, ProcessingUnit.SAME_DAY,
                 "source has no time; same day per its 15-hour rule (trả trong ngày, sau 15 giờ "
                 "trả ngày làm việc tiếp theo) [inferred]"),
    "2.000815": (0, ProcessingUnit.SAME_DAY,
                 "source: 'Không có thông tin'; NĐ 23/2015/NĐ-CP: trong ngày, sau 15 giờ trả ngày "
                 "làm việc tiếp theo [unconfirmed]"),
    "2.000884": (0, ProcessingUnit.SAME_DAY,
                 "source: 'Không có thông tin'; NĐ 23/2015/NĐ-CP: trong ngày, sau 15 giờ trả ngày "
                 "làm việc tiếp theo [unconfirmed]"),
    "2.001035": (2, ProcessingUnit.WORKING_DAYS,
                 "source: 'Không có thông tin'; NĐ 23/2015/NĐ-CP: không quá 02 ngày làm việc [unconfirmed]"),
    "2.001019": (2, ProcessingUnit.WORKING_DAYS,
                 "source: 'Không có thông tin'; NĐ 23/2015/NĐ-CP: không quá 02 ngày làm việc [unconfirmed]"),
    "1.001612": (3, ProcessingUnit.WORKING_DAYS,
                 "source: 'Không có thông tin'; NĐ 168/2025/NĐ-CP: 03 ngày làm việc [unconfirmed]"),
    "3.000722": (20, ProcessingUnit.WORKING_DAYS,
                 "no source; placeholder = the 20 working days of the replaced procedure 2.000986 "
                 "[placeholder]"),
    "2.002913": (20, ProcessingUnit.WORKING_DAYS,
                 "no source; placeholder = same as the birth package 3.000722 [placeholder]"),
    "1.001776": (15, ProcessingUnit.WORKING_DAYS,
                 "no source; placeholder for the multi-step review of NĐ 20/2021/NĐ-CP "
                 "(xét duyệt, niêm yết 02 ngày, quyết định) [placeholder]"),
    "1.001731": (3, ProcessingUnit.WORKING_DAYS,
                 "no official source; 03 ngày làm việc as in public simulations [unconfirmed]"),
}

# Results the source leaves empty for the new electronic "liên thông" packages: derived from the name.
DERIVED_RESULTS: dict[str, list[str]] = {
    "3.000722": ["Giấy khai sinh",
                 "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
                 "Thẻ bảo hiểm y tế", "Thẻ căn cước"],
    "2.002913": ["Trích lục khai tử",
                 "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú",
                 "Quyết định hỗ trợ chi phí mai táng"],
}

# The list of national essential services (25 DVC thiết yếu, Đề án 06) also names certified
# copies, household business registration, social allowances and land; the source marks only some.
ESSENTIAL_EXTRA = {
    "2.000815": "chứng thực bản sao (issue list of essential services) [unconfirmed]",
    "1.001612": "đăng ký hộ kinh doanh (issue list of essential services) [unconfirmed]",
    "1.001776": "trợ cấp xã hội (issue list of essential services) [unconfirmed]",
    "1.013978": "đăng ký đất đai lần đầu (issue list of essential services) [unconfirmed]",
}

# Components a digitised previous result (MaKetQuaThayThe) can stand in for, where obvious:
# (procedure code, folded text the component name starts with / contains, accepted result names).
ACCEPTED_RESULTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("1.004873", "phai nop lai giay xac nhan tinh trang hon nhan", ("Giấy xác nhận tình trạng hôn nhân",)),
    ("1.004884", "ban sao giay khai sinh", ("Giấy khai sinh",)),
    ("1.004222", "thong tin chung minh quan he nhan than", ("Giấy khai sinh", "Giấy chứng nhận kết hôn")),
    ("1.013225", "giay chung nhan quyen su dung dat",
     ("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",)),
    ("1.013225", "giay chung nhan quyen so huu nha o",
     ("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",)),
    ("1.001776", "giay khai sinh (tre em)", ("Giấy khai sinh",)),
]


def clean(text: str | None) -> str:
    """Strip list markers and confidence tags, collapse white space."""
    if not text:
        return ""
    text = _TAG.sub("", text)
    text = _LEADING.sub("", text)
    return _SPACES.sub(" ", text).strip()


def has_tag(text: str | None) -> bool:
    return bool(text and _TAG.search(text))


def channel_of(name: str | None) -> int | None:
    if not name:
        return None
    folded = name.casefold()
    for label, channel in CHANNELS.items():
        if f"({label})" in folded:
            return channel
    return None


def unit_from_source(unit: str | None) -> ProcessingUnit | None:
    if unit is None:
        return None
    folded = fold(unit)
    if "gio" in folded:
        return ProcessingUnit.WORKING_HOURS
    if "ngay" in folded:
        return ProcessingUnit.WORKING_DAYS
    return None


def unit_from_inferred(text: str) -> ProcessingUnit:
    folded = fold(text)
    if "trong ngay" in folded or "tra ngay" in folded:
        return ProcessingUnit.SAME_DAY
    return ProcessingUnit.WORKING_DAYS


def build_processing(src: dict[str, Any], extra: dict[str, str]) -> ProcessingTime:
    code = src["code"]
    proc = src.get("processing") or {}
    per_channel = proc.get("per_channel") or []
    timed = [c for c in per_channel if c.get("amount") is not None]
    direct = next((c for c in timed if c.get("channel") == "Trực tiếp"), None)
    online = next((c for c in timed if c.get("channel") == "Trực tuyến"), None)
    amount = direct["amount"] if direct else proc.get("amount")
    if per_channel:
        summary = "; ".join(f"{c.get('channel')}: {c.get('amount')} {c.get('unit') or ''}".strip()
                            for c in per_channel)
        extra["processing_source"] = summary
    if amount is None:
        fallback = PROCESSING_FALLBACKS.get(code)
        if fallback is None:
            raise SystemExit(f"{code}: no processing time in the source and no fallback defined")
        amount, unit, note = fallback
        extra["processing_note"] = note
        return ProcessingTime(amount=float(amount), unit=unit)
    unit = unit_from_source(proc.get("unit"))
    if unit is None:
        inferred = proc.get("unit_inferred") or ""
        unit = unit_from_inferred(inferred)
        extra["processing_note"] = f"unit missing in the source; inferred from: {inferred}"
        if unit is ProcessingUnit.SAME_DAY:
            amount = 0
    elif fold(proc.get("unit") or "") == "ngay":
        extra["processing_note"] = ("source unit 'ngày' (not 'ngày làm việc') counted as working days; "
                                    "calendar days are not modelled")
    online_amount = online["amount"] if online else None
    if online_amount is not None and (online_amount == amount or unit is ProcessingUnit.SAME_DAY):
        online_amount = None
    if online_amount is not None and direct is None:
        online_amount = None  # online is the only channel listed: it is the main amount already
    return ProcessingTime(amount=float(amount), unit=unit,
                          online_amount=None if online_amount is None else float(online_amount))


def build_cutoff(src: dict[str, Any], processing: ProcessingTime, extra: dict[str, str]) -> str | None:
    texts = [src.get("cutoff") or "", (src.get("processing") or {}).get("unit_inferred") or "",
             extra.get("processing_note", "")]
    if any("15 gio" in fold(t) for t in texts):
        return "15:00"
    if processing.unit is ProcessingUnit.SAME_DAY:
        extra["cutoff_note"] = ("same-day procedure without a stated cutoff: 15:00 by default "
                                "(domain notes §5.3)")
        return "15:00"
    return None


def build_components(src: dict[str, Any]) -> list[ComponentSpec]:
    components = []
    for c in src.get("components") or []:
        name = clean(c.get("name"))
        if not name:
            continue
        originals = c.get("original")
        copies = c.get("copy")
        if originals is None and copies is None:
            originals = 1
        originals = int(originals or 0)
        copies = int(copies or 0)
        folded = fold(name)
        photo = any(w in folded for w in ("ban chup", "photo", "pho to"))
        components.append(ComponentSpec(
            name=name,
            originals=originals,
            certified_copies=0 if photo else copies,
            photocopies=copies if photo else 0,
            mandatory=bool(c.get("mandatory")),
            case=clean(c.get("case")),
            online_only=is_online_only(name, clean(c.get("case"))),
        ))
    return components


def build_fees(src: dict[str, Any], extra: dict[str, str]) -> list[Fee]:
    fees = []
    dropped = []
    for f in src.get("fees") or []:
        raw = f.get("raw") or ""
        name = clean(f.get("name")) or "Phí, lệ phí"
        per = f.get("per") or ""
        amount = f.get("amount_vnd")
        if amount is None and per and "usd" in per.casefold():
            dropped.append(f"{name}: {raw} ({clean(f.get('note'))})")
            continue
        notes = []
        if per:
            notes.append(f"đồng{per}" if per.startswith("/") else per)
        if amount is None:
            notes.append(clean(raw) or "Không có thông tin")
        note = clean(f.get("note"))
        if note.startswith("(") and note.endswith(")"):
            note = note.strip("()").strip()
        if note:
            notes.append(note)
        if has_tag(raw):
            notes.append("[unconfirmed]")
        fees.append(Fee(name=name, amount_vnd=int(amount or 0), channel=channel_of(f.get("name")),
                        note=" — ".join(notes)))
    if dropped:
        extra["fees_dropped"] = "; ".join(dropped) + " (charged abroad only, not at a ward counter)"
    return fees


def result_names(src: dict[str, Any], extra: dict[str, str]) -> list[str]:
    names = [clean(r) for r in src.get("result") or [] if clean(r)]
    if not names and src["code"] in DERIVED_RESULTS:
        names = list(DERIVED_RESULTS[src["code"]])
        extra["results_note"] = "results not in the source; derived from the procedure name [inferred]"
    if any(has_tag(r) for r in src.get("result") or []):
        extra["results_confidence"] = "[unconfirmed] result names"
    return names


def essential_flag(src: dict[str, Any], extra: dict[str, str]) -> bool:
    mark = src.get("de_an_06")
    if mark:
        extra["de_an_06"] = mark
        if not fold(mark).startswith("khong"):
            return True
    if src["code"] in ESSENTIAL_EXTRA:
        extra["essential_service_note"] = ESSENTIAL_EXTRA[src["code"]]
        return True
    return False


def build(source: list[dict[str, Any]]) -> list[Procedure]:
    staged = []
    codes_by_name: dict[str, set[str]] = {}
    for src in source:
        extra: dict[str, str] = {}
        processing = build_processing(src, extra)
        cutoff = build_cutoff(src, processing, extra)
        results = []
        generated = []
        for i, name in enumerate(result_names(src, extra)):
            code = KNOWN_RESULT_CODES.get(fold(name))
            if code is None:
                code = f"KQ.{src['code']}" if i == 0 else f"KQ.{src['code']}.{i + 1:02d}"
                generated.append(code)
            results.append(ResultDocument(code=code, name=name))
            codes_by_name.setdefault(fold(name), set()).add(code)
        if generated:
            extra["result_codes_generated"] = (", ".join(generated)
                                               + " (generated, not official MaKetQua codes)")
        staged.append((src, extra, processing, cutoff, results))

    procedures = []
    for src, extra, processing, cutoff, results in staged:
        components = []
        for comp in build_components(src):
            folded = fold(comp.name)
            accepted: set[str] = set()
            for code, text, names in ACCEPTED_RESULTS:
                if code == src["code"] and (folded.startswith(text) or f" {text}" in folded):
                    for name in names:
                        accepted |= codes_by_name.get(fold(name), set())
            components.append(replace(comp, accepted_result_codes=tuple(sorted(accepted))))
        fees = build_fees(src, extra)
        level = clean(src.get("level"))
        if level != (src.get("level") or ""):
            extra["level_source"] = src.get("level") or ""
        legal = [clean(x) for x in src.get("legal_basis") or [] if clean(x)]
        if any(has_tag(x) for x in src.get("legal_basis") or []):
            extra["legal_basis_confidence"] = "; ".join(x for x in src["legal_basis"] if has_tag(x))
        for key in ("decision_publishing", "subjects", "official_detail_url"):
            if src.get(key):
                extra[key] = str(src[key])
        if src.get("sources"):
            extra["sources"] = "\n".join(src["sources"])
        if src.get("confidence_notes"):
            extra["confidence"] = "\n".join(src["confidence_notes"])
        if src.get("component_notes"):
            extra["component_notes"] = "\n".join(src["component_notes"])
        essential = essential_flag(src, extra)
        procedures.append(Procedure(
            code=src["code"],
            name=clean(src["name"]),
            field=clean(src.get("field")),
            level=level,
            processing=processing,
            cutoff=None if cutoff is None else time(int(cutoff[:2]), int(cutoff[3:])),
            components=tuple(components),
            fees=tuple(fees),
            results=tuple(results),
            legal_basis=tuple(legal),
            essential_service=essential,
            extra=dict(sorted(extra.items())),
        ))
    return procedures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with args.source.open(encoding="utf-8") as fh:
        source = json.load(fh)
    procedures = build(source)
    document = catalogue_document(
        procedures,
        source="shared/domain/procedures.json (crawl of CSDL TTHC / Cổng DVCQG, with confidence marks)",
        generated_by="scripts/build_catalogue.py",
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{len(procedures)} procedures -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
