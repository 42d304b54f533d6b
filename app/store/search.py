"""The words a dossier is found by, and the text-search expressions of each database.

``search_text`` is the folded words (``app.core.text.search_tokens``) of the dossier code, the
applicant's name, CCCD, old id (CMND), phone and tax code, the procedure code and name, joined by
single spaces. Both indexes see exactly these ASCII words:

* SQLite: an external-content FTS5 table ``dossier_fts`` (``tokenize='ascii'``, ``detail='none'``, ``columnsize=0``,
  prefix indexes for 1-3 characters), rowid = ``dossiers.id``, kept in sync by triggers. A query is
  ``"w1"* "w2"*`` (every word a prefix, all words required).
* PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)`` queried with
  ``to_tsquery('simple', 'w1:* & w2:*')``. The ``simple`` configuration does no stemming and no
  stop words, and ``:*`` is exactly prefix-of-word matching, which a trigram index does not give
  (trigrams match inside words and need three characters).
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
