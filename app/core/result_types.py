"""Which digitised results can stand in for which dossier components.

The catalogue names the results each procedure issues (``Procedure.results``: result code and
name, e.g. ``KQ.G15.000031`` "Giấy khai sinh") and, for a few components, the result codes that
may replace them (``ComponentSpec.accepted_result_codes``). Components of *other* procedures ask
for those same documents in free text ("Bản sao Giấy khai sinh do cơ quan có thẩm quyền...",
"Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước/..."). The mapping built here is, for a component:

1. the catalogue's explicit ``accepted_result_codes``; plus
2. unless the component is a form the applicant fills in (:data:`FORM_PREFIXES`), every
   *document* result type whose folded name (:func:`app.core.text.fold`: no accents, lower
   case) appears as whole words inside the folded component name ("giay khai sinh" in "ban sao
   giay khai sinh do co quan..."); plus
3. the few :data:`ALIASES` where the component says it differently from the result's name.

Result types that are not documents an owner keeps (a refusal slip, a notice of the outcome, "an
update of the population database") are never matched by name: :data:`NOT_DOCUMENT_PREFIXES`.
Neither are the generic certification results (a certified copy, a certified signature), which
would match any component mentioning "bản sao được chứng thực".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.core.procedure import ComponentSpec, Procedure
from app.core.text import fold

#: Folded result-name prefixes that are not documents an owner holds (never matched by name).
NOT_DOCUMENT_PREFIXES = (
    "phieu tu choi",
    "thong bao",
    "cap nhat thong tin",
    "co quan dang ky",
    "bien ban hoa giai",
    "ban sao duoc chung thuc",
    "giay to, van ban duoc chung thuc",
    "giao dich duoc chung thuc",
    "di chuc duoc chung thuc",
)

#: Folded component-name prefixes of forms and requests the applicant fills in ("Tờ khai cấp Giấy
#: xác nhận tình trạng hôn nhân" asks for the document, it is not one): matched by explicit codes only.
FORM_PREFIXES = (
    "to khai",
    "mau ",
    "don ",
    "phieu ",
    "giay de nghi",
    "van ban uy quyen",
    "van ban de nghi",
    "du thao",
    "de nghi",
)

#: Folded phrase in a component name -> folded result-type name it means.
ALIASES: dict[str, str] = {
    # the residence confirmation (CT07) proves residence where the registry cannot look it up
    "giay to co gia tri chung minh thong tin ve cu tru": "xac nhan thong tin ve cu tru (ct07)",
    "giay to chung minh noi cu tru": "xac nhan thong tin ve cu tru (ct07)",
    # an ID card presented as "thẻ căn cước công dân" is the same kind of document
    "the can cuoc cong dan": "the can cuoc",
    "giay chung nhan ket hon": "giay chung nhan ket hon",
    "giay chung tu": "trich luc khai tu",
}


@dataclass(frozen=True)
class ResultType:
    """A result type of the catalogue: the code and its name (the metadata form's type picker)."""

    code: str
    name: str


def result_types(procedures: Iterable[Procedure]) -> list[ResultType]:
    """Every distinct result code of the catalogue with its name, sorted by name then code."""
    return distinct_result_types((r.code, r.name) for p in procedures for r in p.results)


def distinct_result_types(pairs: Iterable[tuple[str, str]]) -> list[ResultType]:
    """``(code, name)`` pairs (codes may repeat: the first name wins), sorted by name then code."""
    seen: dict[str, str] = {}
    for code, name in pairs:
        seen.setdefault(code, name)
    return sorted((ResultType(code, name) for code, name in seen.items()),
                  key=lambda t: (fold(t.name), t.code))


def _words(text: str) -> str:
    """Folded text with punctuation as spaces, padded so that ``" w "`` finds whole words."""
    return " " + " ".join(re.findall(r"[0-9a-z]+", fold(text))) + " "


def is_document_type(name: str) -> bool:
    """False for result types that are not documents an owner holds (see the module docstring)."""
    return not fold(name).startswith(NOT_DOCUMENT_PREFIXES)


class ResultTypeIndex:
    """Result types grouped by folded name, to map component names to result codes quickly."""

    def __init__(self, types: Iterable[ResultType]) -> None:
        self.types = list(types)
        self.names: dict[str, str] = {t.code: t.name for t in self.types}
        by_name: dict[str, list[str]] = {}
        for t in self.types:
            if is_document_type(t.name):
                by_name.setdefault(_words(t.name), []).append(t.code)
        by_fold: dict[str, list[str]] = {}
        for t in self.types:
            by_fold.setdefault(fold(t.name), []).append(t.code)
        self._by_name = by_name
        self._by_fold = by_fold

    def codes_for(self, component: ComponentSpec) -> tuple[str, ...]:
        """Result codes that can replace ``component`` (explicit ones first, no duplicates)."""
        return _codes_for(self, component.name, component.accepted_result_codes)

    def codes_for_name(self, name: str, explicit: tuple[str, ...] = ()) -> tuple[str, ...]:
        return _codes_for(self, name, explicit)


@lru_cache(maxsize=4096)
def _codes_for(index: ResultTypeIndex, name: str, explicit: tuple[str, ...]) -> tuple[str, ...]:
    codes = list(explicit)
    folded = fold(name)
    if folded.startswith(FORM_PREFIXES):
        return tuple(dict.fromkeys(codes))
    words = _words(name)
    for phrase, codes_of_name in index._by_name.items():
        if phrase.strip() and phrase in words:
            codes.extend(codes_of_name)
    for alias, target in ALIASES.items():
        if alias in folded:
            codes.extend(index._by_fold.get(target, ()))
    return tuple(dict.fromkeys(codes))


def component_result_codes(procedure: Procedure, index: ResultTypeIndex) -> list[tuple[str, ...]]:
    """For each component of ``procedure`` (catalogue order), the result codes that can replace it."""
    return [index.codes_for(c) for c in procedure.components]
