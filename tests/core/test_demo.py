"""The deterministic demo dossier generator."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from app.core.applicant_rules import check_cccd, is_valid_phone, validate_applicant
from app.core.calendar import DayKind, DayOverride, WorkCalendar, compute_due
from app.core.catalogue import load_catalogue
from app.core.codes import parse_dossier_code
from app.core.demo import DEMO_PLACE, DEMO_SEED, demo_dossiers, generate_dossiers, make_cccd
from app.core.dossier import ALLOWED_TRANSITIONS, Channel, DossierStatus
from app.core.text import fold

NOW = datetime(2026, 3, 18, 10, 30)


@pytest.fixture(scope="module")
def procedures():
    return load_catalogue()


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar()


@pytest.fixture(scope="module")
def dossiers(procedures, calendar):
    return demo_dossiers(procedures, NOW, calendar=calendar)


def test_a_few_hundred_over_recent_months(dossiers):
    assert len(dossiers) == 300
    first = min(d.received_at for d in dossiers)
    assert NOW - timedelta(days=135) <= first <= NOW - timedelta(days=90)
    assert max(d.received_at for d in dossiers) <= NOW
    months = {(d.received_at.year, d.received_at.month) for d in dossiers}
    assert len(months) >= 4


def test_deterministic(procedures, calendar, dossiers):
    again = demo_dossiers(procedures, NOW, calendar=calendar)
    assert again == dossiers
    other = demo_dossiers(procedures, NOW, calendar=calendar, seed=7)
    assert [d.applicant.full_name for d in other] != [d.applicant.full_name for d in dossiers]


def test_codes_unique_and_well_formed(dossiers):
    codes = [d.code for d in dossiers]
    assert len(set(codes)) == len(codes)
    for d in dossiers:
        agency, day, number = parse_dossier_code(d.code)
        assert agency == DEMO_PLACE.agency_code
        assert day == d.received_at.date()
        assert number >= 1


def test_valid_applicants(dossiers):
    for d in dossiers:
        a = d.applicant
        assert not check_cccd(a.id_number, a.birth_date, a.sex), (a.id_number, a.birth_date, a.sex)
        assert not validate_applicant(a, today=d.received_at.date()), a
        assert is_valid_phone(a.phone)
        assert DEMO_PLACE.ward in a.address
        assert a.id_issue_date is not None and a.id_issue_date <= d.received_at.date()


def test_vietnamese_names(dossiers):
    names = [d.applicant.full_name for d in dossiers]
    families = Counter(n.split()[0] for n in names)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert sum("nguyen" in fold(n) for n in names) >= 60
    assert any(ch in "ăâđêôơư" for ch in "".join(names).lower())


def test_make_cccd_consistent():
    import random

    from app.core.applicant import Sex
    rng = random.Random(1)
    for birth, sex in [(date(1990, 5, 1), Sex.MALE), (date(1985, 1, 1), Sex.FEMALE),
                       (date(2003, 2, 2), Sex.MALE), (date(2006, 12, 31), Sex.FEMALE)]:
        number = make_cccd(rng, "079", birth, sex)
        assert len(number) == 12 and not check_cccd(number, birth, sex)


def test_received_in_office_hours_on_working_days(dossiers, calendar):
    for d in dossiers:
        t = d.received_at.time()
        assert calendar.is_working_day(d.received_at.date())
        assert ("07:00" <= f"{t:%H:%M}" < "11:30") or ("13:30" <= f"{t:%H:%M}" < "17:00"), d.received_at


def test_due_after_received_and_computed(dossiers, procedures, calendar):
    by_code = {p.code: p for p in procedures}
    for d in dossiers:
        assert d.due_at > d.received_at
        p = by_code[d.procedure_code]
        assert d.procedure_name == p.name
        assert d.due_at == compute_due(d.received_at, p.processing, calendar, cutoff=p.cutoff,
                                       channel=int(d.channel))


def test_statuses_realistic_for_age(dossiers):
    old = [d for d in dossiers if d.received_at < NOW - timedelta(days=60)]
    recent = [d for d in dossiers if d.received_at > NOW - timedelta(days=3)]
    assert sum(d.status is DossierStatus.RETURNED for d in old) / len(old) > 0.8
    assert recent and any(d.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING) for d in recent)
    counts = Counter(d.status for d in dossiers)
    assert counts[DossierStatus.RETURNED] > len(dossiers) / 2
    S = DossierStatus  # noqa: N806
    assert set(counts) <= {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.STOPPED, S.WITHDRAWN, S.DONE,
                           S.RETURNED, S.REJECTED}  # one refused at the counter (app.core.demo_showcase)


def test_some_supplements_and_rejections(procedures, calendar):
    many = list(generate_dossiers(2000, 5, procedures=procedures, now=NOW, calendar=calendar))
    counts = Counter(d.status for d in many)
    assert counts[DossierStatus.STOPPED] > 0  # a supplement never brought: processing stopped
    assert any(d.supplements for d in many)
    assert counts[DossierStatus.PROCESSING] + counts[DossierStatus.RECEIVED] > 0


def test_history_follows_allowed_transitions(dossiers):
    for d in dossiers:
        assert d.history[0].status is DossierStatus.RECEIVED
        assert d.history[0].at == d.received_at
        assert d.history[-1].status is d.status
        for before, after in zip(d.history, d.history[1:], strict=False):
            assert after.status in ALLOWED_TRANSITIONS[before.status]
            assert before.at <= after.at <= NOW
        if d.status is DossierStatus.RETURNED:
            assert d.returned_at is not None and d.returned_to == d.applicant.full_name
        else:
            assert d.returned_at is None
        for s in d.supplements:
            assert s.requested_at <= NOW and (s.completed_at is None or s.completed_at <= NOW)


def test_components_ticked_from_procedure(dossiers, procedures):
    by_code = {p.code: p for p in procedures}
    for d in dossiers:
        specs = by_code[d.procedure_code].components
        listed = [i for i, s in enumerate(specs) if d.channel is Channel.ONLINE or not s.online_only]
        assert [c.name for c in d.components] == [specs[i].name for i in listed]
        assert [c.index for c in d.components] == listed
    ticked = [c for d in dossiers for c in d.components if c.received]
    assert ticked and all(c.originals + c.certified_copies + c.photocopies > 0 for c in ticked)


def test_common_procedures_weighted(dossiers):
    counts = Counter(d.procedure_code for d in dossiers)
    assert counts["2.000815"] > counts.get("1.012812", 0)
    assert counts["1.001193"] > 5


def test_respects_calendar_overrides(procedures):
    off = DayOverride(date(2026, 3, 16), DayKind.OFF, "Nghỉ địa phương")
    cal = WorkCalendar([off])
    ds = demo_dossiers(procedures, NOW, calendar=cal, count=400)
    assert not any(d.received_at.date() == off.day for d in ds)


def test_number_for_hook_and_fast_mode(procedures, calendar):
    issued: Counter[date] = Counter()

    def number_for(day: date) -> int:
        issued[day] += 1
        return 5000 + issued[day]

    ds = list(generate_dossiers(50, 3, procedures=procedures, now=NOW, calendar=calendar,
                                with_history=False, number_for=number_for))
    assert len(ds) == 50 and sum(issued.values()) == 50
    assert all(parse_dossier_code(d.code)[2] > 5000 for d in ds)
    assert all(not d.history for d in ds)


def test_large_runs_spread_over_more_days(procedures, calendar):
    gen = generate_dossiers(30_000, 1, procedures=procedures, now=NOW, calendar=calendar, days=5,
                            with_history=False)
    first = next(gen)
    assert (NOW - first.received_at).days >= 3
    assert generate_dossiers(0, procedures=procedures, now=NOW) is not None
    assert list(generate_dossiers(0, procedures=procedures, now=NOW)) == []


# --------------------------------------------------------------------------- relative to today


@pytest.mark.parametrize("now", [NOW, datetime(2026, 1, 9, 8, 0), datetime(2026, 12, 7, 23, 30),
                                 datetime(2026, 2, 14, 10, 0)])  # a weekday, the New Year swap, night, Tết
def test_the_demo_shows_every_deadline_state_whatever_the_day(procedures, calendar, now):
    from app.core.demo_showcase import showcase_dossiers

    dossiers = demo_dossiers(procedures, now, calendar=calendar)
    assert len(dossiers) == 300 and len({d.code for d in dossiers}) == 300
    assert [d.received_at for d in dossiers] == sorted(d.received_at for d in dossiers)
    showcase = showcase_dossiers(procedures, now, calendar=calendar, seed=DEMO_SEED)
    assert all(d in dossiers for d in showcase)
    S = DossierStatus  # noqa: N806
    open_ = [d for d in showcase if d.status is S.PROCESSING]
    today, next_day = now.date(), calendar.next_working_day(now.date())
    if calendar.is_working_day(today) and now.hour < 16:
        assert any(d.due_at.date() == today and d.due_at > now for d in open_)  # due today
    assert any(d.due_at.date() == next_day for d in open_)  # due within one working day
    assert any(d.due_at < now for d in open_)  # overdue
    paused = [d for d in showcase if d.status is S.SUPPLEMENT_REQUESTED]
    assert paused and paused[0].supplements and paused[0].supplements[-1].completed_at is None
    assert {S.DONE, S.RETURNED, S.REJECTED} <= {d.status for d in showcase}
    assert len([d for d in showcase if d.status is S.RECEIVED]) >= 1  # just received
    for d in showcase:
        assert d.history[0].at == d.received_at and all(h.at <= now for h in d.history)
        assert calendar.is_working_day(d.received_at.date())
        for before, after in zip(d.history, d.history[1:], strict=False):
            assert after.status in ALLOWED_TRANSITIONS[before.status]
