"""The words a dossier is found by, and the text-search expressions of each database.

``search_text`` is the folded words (``app.core.text.search_tokens``) of the dossier code, the
applicant's name, CCCD, old id (CMND), phone and tax code, the procedure code and name, joined by
single spaces. Both indexes see exactly these ASCII words; a query matches a dossier when every
query word is the beginning of one of its words.

SQLite: an external-content FTS5 table ``dossier_fts`` over ``search_text`` whose rowid is
``dossiers.id``, kept in sync by triggers (``tokenize='ascii'``, ``detail='none'`` and
``columnsize=0``: no positions nor ranking needed, a smaller index). The query is ``"w1"* "w2"*``.
``prefix='1 2 3 4 5 6 7 8'`` stores a ready doclist for every word prefix of up to 8 characters:
without it FTS5 merges the doclists of every word starting with ``nguyen`` (400 000 at a million
dossiers, ~90 ms); with it any name syllable is one doclist read (< 1 ms). Longer prefixes (CCCD,
phone numbers) match few distinct words and stay fast. The FTS table drives the query and returns
rowids in descending order, so ``LIMIT 50`` stops early instead of sorting every match: newest
first is insertion order there (see ``DossierRepository.search``).

PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)`` queried with
``to_tsquery('simple', 'w1:* & w2:*')``. The ``simple`` configuration does no stemming and drops
no stop words, and ``:*`` is exactly prefix-of-word matching; a ``pg_trgm`` index matches inside
words (``guyen`` would find ``nguyen``) and cannot help prefixes shorter than three characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.core.dossier import Dossier
from app.core.text import search_tokens

#: Words beyond this many are ignored (a pasted paragraph must not make a huge query).
MAX_QUERY_WORDS = 12


_ASCII_WORD = re.compile(r"[0-9a-z]+")


def _words(part: str) -> list[str]:
    # Same result as search_tokens; codes and numbers are ASCII and need no Unicode folding.
    if part.isascii():
        return _ASCII_WORD.findall(part.lower())
    return search_tokens(part)


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_words(name))


def search_text_of(*parts: str) -> str:
    words: list[str] = []
    for part in parts:
        if part:
            words.extend(_words(part))
    return " ".join(words)


@lru_cache(maxsize=4096)
def _procedure_words(code: str, name: str) -> str:
    # A few thousand procedures, each on many dossiers: folding their long names once matters
    # when a million dossiers are loaded.
    return search_text_of(code, name)


def dossier_search_text(d: Dossier) -> str:
    a = d.applicant
    words = [*_words(d.code), *_name_words(a.full_name)]
    for part in (a.id_number, a.old_id_number, a.phone, a.tax_code):
        if part:
            words.extend(_words(part))
    procedure = _procedure_words(d.procedure_code, d.procedure_name)
    if procedure:
        words.append(procedure)
    return " ".join(words)


def query_words(text: str | None) -> list[str]:
    """The prefixes to look for: folded words, without duplicates nor words that are a prefix of
    another word of the query (``"ng nguyen"`` needs only ``nguyen*``)."""
    words = list(dict.fromkeys(search_tokens(text or "")))[:MAX_QUERY_WORDS]
    return [w for w in words if not any(o != w and o.startswith(w) for o in words)]


def fts5_query(words: list[str]) -> str:
    """FTS5 MATCH expression: every word as a quoted prefix, implicitly AND-ed."""
    return " ".join(f'"{w}"*' for w in words)


def pg_tsquery(words: list[str]) -> str:
    """``to_tsquery('simple', ...)`` text: every word as a prefix, AND-ed."""
    return " & ".join(f"{w}:*" for w in words)
