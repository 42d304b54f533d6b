"""Dossier search: accent- and case-insensitive word prefixes, all words required, newest first."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.applicant import Applicant
from app.core.dossier import Channel, Dossier, DossierStatus
from app.core.text import search_tokens
from app.store.database import Database
from app.store.repositories import DossierRepository
from app.store.search import fts5_query, pg_tsquery, query_words
from tests.store.factories import make_dossier

START = datetime(2026, 3, 2, 7, 30)
PEOPLE = [  # (name, CCCD, phone, procedure code, status, channel), received one hour apart
    ("Nguyễn Văn An", "079203001234", "0912345678", "1.001612", DossierStatus.RECEIVED, Channel.DIRECT),
    ("Đặng Thị Hoa", "001185004321", "0987654321", "1.001193", DossierStatus.PROCESSING, Channel.ONLINE),
    ("NGUYỄN THỊ ÁNH", "079190111222", "0903111222", "1.001612", DossierStatus.DONE, Channel.DIRECT),
    ("Trần Văn Nguyên", "036095333444", "0934333444", "2.000986", DossierStatus.RECEIVED, Channel.POSTAL),
    ("Lê Nguyễn Văn Anh", "079201555666", "0915555666", "1.001612", DossierStatus.RECEIVED, Channel.ONLINE),
    ("Phạm Đức Đạt", "079088777888", "0977777888", "2.000986", DossierStatus.RETURNED, Channel.DIRECT),
]


def _codes(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [r.code for r in rows]


@pytest.fixture
def people(db: Database) -> tuple[Database, list[Dossier]]:
    rng = random.Random(7)
    dossiers = []
    for i, (name, cccd, phone, pcode, status, channel) in enumerate(PEOPLE):
        d = make_dossier(i + 1, START + timedelta(days=i), rng, agency="000.00.31.H29", name=name)
        d.applicant = replace(d.applicant, id_number=cccd, phone=phone, old_id_number="")
        d.procedure_code = pcode
        d.procedure_name = {"1.001612": "Khai sinh", "1.001193": "Kết hôn",
                            "2.000986": "Chứng thực bản sao"}[pcode]
        d.status, d.channel = status, channel
        dossiers.append(d)
    with db.session() as s:
        repo = DossierRepository(s)
        for d in dossiers:
            repo.add(d)
    return db, dossiers


def search(db: Database, text: str | None = None, **filters: object) -> list[str]:
    with db.session() as s:
        rows = DossierRepository(s).search(text, **filters)  # type: ignore[arg-type]
        assert DossierRepository(s).count(text, **filters) == len(rows)  # type: ignore[arg-type]
    return [r.applicant_name for r in rows]


def test_accents_and_case_are_ignored(people: tuple[Database, list[Dossier]]) -> None:
    db, _ = people
    assert search(db, "nguyen van an") == ["Lê Nguyễn Văn Anh", "Nguyễn Văn An"]
    assert search(db, "NGUYỄN VĂN AN") == ["Lê Nguyễn Văn Anh", "Nguyễn Văn An"]
    assert search(db, "nguyen thi anh") == ["NGUYỄN THỊ ÁNH"]


def test_d_with_stroke_folds_to_d(people: tuple[Database, list[Dossier]]) -> None:
    db, _ = people
    assert search(db, "dang thi") == ["Đặng Thị Hoa"]
    assert search(db, "ĐẶNG") == search(db, "đặng") == search(db, "dang thi hoa")
    assert search(db, "duc dat") == ["Phạm Đức Đạt"]


def test_every_word_is_a_prefix_and_all_words_must_match(people: tuple[Database, list[Dossier]]) -> None:
    db, _ = people
    assert search(db, "ngu") == ["Lê Nguyễn Văn Anh", "Trần Văn Nguyên", "NGUYỄN THỊ ÁNH", "Nguyễn Văn An"]
    assert search(db, "ng va a") == ["Lê Nguyễn Văn Anh", "Nguyễn Văn An"]
    assert search(db, "va ng") == ["Lê Nguyễn Văn Anh", "Trần Văn Nguyên", "Nguyễn Văn An"]
    assert search(db, "nguyen hoa") == []
    assert search(db, "guyen") == []  # prefixes of words, not substrings
    assert search(db, "tran nguyen") == ["Trần Văn Nguyên"]


def test_newest_first_and_paging(people: tuple[Database, list[Dossier]]) -> None:
    db, dossiers = people
    newest_first = [d.code for d in reversed(dossiers)]
    for text in (None, "000.00.31", "h29"):
        with db.session() as s:
            repo = DossierRepository(s)
            assert _codes(repo.search(text)) == newest_first
            assert _codes(repo.search(text, limit=2, offset=1)) == newest_first[1:3]
            assert _codes(repo.search(text, limit=10, offset=5)) == newest_first[5:]
            assert repo.search(text, limit=0) == []


def test_filters_alone_and_with_text(people: tuple[Database, list[Dossier]]) -> None:
    db, _ = people
    assert search(db, status=DossierStatus.RECEIVED) == [
        "Lê Nguyễn Văn Anh", "Trần Văn Nguyên", "Nguyễn Văn An"]
    assert search(db, "nguyen", status=DossierStatus.RECEIVED, channel=Channel.DIRECT) == ["Nguyễn Văn An"]
    assert search(db, "nguyen", procedure_code="1.001612") == [
        "Lê Nguyễn Văn Anh", "NGUYỄN THỊ ÁNH", "Nguyễn Văn An"]
    assert search(db, procedure_code="2.000986", channel=Channel.POSTAL) == ["Trần Văn Nguyên"]
    # Date range: inclusive days (dossier i was received on START + i days).
    assert search(db, received_from=date(2026, 3, 3), received_to=date(2026, 3, 4)) == [
        "NGUYỄN THỊ ÁNH", "Đặng Thị Hoa"]
    assert search(db, "nguyen", received_from=date(2026, 3, 4)) == [
        "Lê Nguyễn Văn Anh", "Trần Văn Nguyên", "NGUYỄN THỊ ÁNH"]
    assert search(db, "nguyen", received_to=date(2026, 3, 2)) == ["Nguyễn Văn An"]
    assert search(db, "nguyen", status=DossierStatus.WITHDRAWN) == []


def test_code_cccd_phone_and_procedure_words(people: tuple[Database, list[Dossier]]) -> None:
    db, dossiers = people
    target = dossiers[3]
    with db.session() as s:
        repo = DossierRepository(s)
        assert _codes(repo.search(target.code)) == [target.code]
        assert _codes(repo.search(target.code.lower())) == [target.code]
        assert _codes(repo.search(target.code[:-1])) == [target.code]  # code prefix
    assert search(db, "079") == ["Phạm Đức Đạt", "Lê Nguyễn Văn Anh", "NGUYỄN THỊ ÁNH", "Nguyễn Văn An"]
    assert search(db, "0792") == ["Lê Nguyễn Văn Anh", "Nguyễn Văn An"]
    assert search(db, "07920300") == ["Nguyễn Văn An"]  # CCCD prefix
    assert search(db, "079203001234") == ["Nguyễn Văn An"]  # full CCCD
    assert search(db, "0987 654") == []  # phone words are whole numbers: "654" starts no word
    assert search(db, "09876") == ["Đặng Thị Hoa"]
    assert search(db, "ket hon") == ["Đặng Thị Hoa"]  # procedure name
    assert search(db, "1.001193") == ["Đặng Thị Hoa"]  # procedure code


@pytest.mark.parametrize("text", ['"', "nguyen*", 'an" OR "', "NOT nguyen", "NEAR(a b)", "a AND", "-", "(",
                                  "'; DROP TABLE dossiers; --", "nguyen:*", "a & b | !c", "\\", "   ", ""])
def test_odd_input_never_breaks_the_query(people: tuple[Database, list[Dossier]], text: str) -> None:
    db, _ = people
    expected = search(db, " ".join(search_tokens(text)) or None)
    assert search(db, text) == expected


def test_query_words() -> None:
    assert query_words("  Nguyễn   VĂN ng ") == ["nguyen", "van"]
    assert query_words("an an anh") == ["anh"]
    assert query_words(None) == [] and query_words("--") == []
    assert len(query_words(" ".join(f"w{i}x" for i in range(40)))) == 12
    assert fts5_query(["nguyen", "0912"]) == '"nguyen"* "0912"*'
    assert pg_tsquery(["nguyen", "0912"]) == "nguyen:* & 0912:*"


_hypothesis_codes = itertools.count(1)
VIETNAMESE_LETTERS = ("aăâbcdđeêghiklmnoôơpqrstuưvxy"
                      "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
word = st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper(), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(word, min_size=1, max_size=4), cut=st.integers(min_value=1, max_value=8),
       data=st.data())
def test_any_name_is_found_by_prefixes_of_its_words(db: Database, words: list[str], cut: int,
                                                    data: st.DataObject) -> None:
    name = " ".join(words)
    code = f"HYP-{next(_hypothesis_codes)}"
    d = make_dossier(1, START, random.Random(1), name=name)
    d.code = code
    d.applicant = Applicant(full_name=name)
    with db.session() as s:
        DossierRepository(s).add(d)
    folded = search_tokens(name)
    query = " ".join(w[:cut] for w in data.draw(st.permutations(folded)))
    with db.session() as s:
        assert code in _codes(DossierRepository(s).search(query, limit=10_000))


@pytest.mark.parametrize(("window", "cap"), [(2000, 50_000), (0, 50_000), (0, 1)],
                         ids=["recent-window", "filter-index", "fts-scan"])
def test_filtered_text_search_plans_agree(db: Database, monkeypatch: pytest.MonkeyPatch,
                                          window: int, cap: int) -> None:
    """Whichever SQLite plan answers (see dossier_queries), the rows and their order are the same."""
    from app.store.repositories import dossier_queries

    monkeypatch.setattr(dossier_queries, "MIN_WINDOW", window)
    monkeypatch.setattr(dossier_queries, "FILTER_CAP", cap)
    monkeypatch.setattr(dossier_queries, "FEW_MATCHES", 20_000 if window else 0)  # both count plans
    rng = random.Random(3)
    dossiers = [make_dossier(i, START + timedelta(hours=i), rng, name=f"Nguyễn Văn Số{i}") for i in range(40)]
    for i, d in enumerate(dossiers):
        d.status = DossierStatus.DONE if i in (1, 2, 5) else DossierStatus.RECEIVED
    with db.session() as s:
        DossierRepository(s).add_many(dossiers)
    done_newest_first = [dossiers[i].code for i in (5, 2, 1)]
    with db.session() as s:
        repo = DossierRepository(s)
        assert _codes(repo.search("nguyen van", status=DossierStatus.DONE)) == done_newest_first
        second = repo.search("nguyen", status=DossierStatus.DONE, limit=1, offset=1)
        assert _codes(second) == done_newest_first[1:2]
        assert _codes(repo.search("nguyen", status=DossierStatus.DONE, limit=1, offset=3)) == []
        assert repo.count("nguyen", status=DossierStatus.DONE) == 3
        assert repo.count("nguyen", channel=dossiers[0].channel) == sum(
            d.channel == dossiers[0].channel for d in dossiers)
        assert repo.count("so1", status=DossierStatus.DONE) == 1  # "Số1" only; "Số10"... are RECEIVED
        old = repo.search("nguyen", received_to=(START + timedelta(hours=9)).date(), limit=3)
        expected = [d.code for d in reversed(dossiers) if d.received_at.date() <= START.date()][:3]
        assert _codes(old) == expected
