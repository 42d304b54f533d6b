"""Deterministic demo data: realistic dossiers of a ward's one-stop counter (pure, no I/O).

:func:`generate_dossiers` yields ``n`` dossiers in chronological order of reception, spread over the
working days before ``now``: Vietnamese applicants (names with diacritics, CCCD numbers consistent
with the birth date and sex, mobile phones, addresses in the demo ward), procedures weighted toward
the common ones, reception times inside office hours, appointment dates from
:func:`app.core.calendar.compute_due`, statuses that match the dossier's age (old ones mostly
returned, recent ones received or processing, a few supplement requests, rejections and
withdrawals) and the procedure's components ticked. The same arguments always give the same
dossiers; the per-row cost is small enough for million-row benchmarks.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from app.core.applicant import Applicant, Sex
from app.core.calendar import WorkCalendar, compute_due
from app.core.codes import MAX_NUMBER, format_dossier_code
from app.core.dossier import (
    Channel,
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
    SupplementRequest,
)
from app.core.procedure import Procedure
from app.core.text import fold

DEMO_SEED = 20250701
DEMO_COUNT = 300
DEMO_DAYS = 120


@dataclass(frozen=True)
class DemoPlace:
    """The demo agency: its (opaque) electronic identifier, its name and where it is."""

    agency_code: str = "000.00.12.H29"
    agency_name: str = "UBND phường Sài Gòn"
    ward: str = "Phường Sài Gòn"
    province: str = "Thành phố Hồ Chí Minh"
    province_code: str = "079"  # CCCD province code of most residents

    @property
    def place_name(self) -> str:
        return f"{self.ward}, {self.province}"


DEMO_PLACE = DemoPlace()

# --------------------------------------------------------------------------- names

# Family names with rough national frequencies (percent).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.5), ("Huỳnh", 4.5),
    ("Phan", 4.5), ("Vũ", 3.9), ("Võ", 3.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Trương", 1.0), ("Đinh", 0.7), ("Lâm", 0.6),
    ("Mai", 0.5), ("Tô", 0.3), ("Châu", 0.3),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Công", "Thành", "Ngọc", "Hoàng",
               "Anh", "Gia", "Tấn", "Thanh", "Trọng", "Xuân", "Đình", "Quang", "Nhật")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Kim", "Bảo", "Mỹ", "Hồng",
                 "Khánh", "Minh", "Thùy", "Diệu", "Hoài", "Ánh", "Quỳnh", "Như", "Tuyết")
GIVEN_MALE = ("An", "Bảo", "Bình", "Cường", "Danh", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hào", "Hiếu",
              "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Luân",
              "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Phước", "Quân", "Quang", "Sang",
              "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thiện", "Thịnh", "Toàn", "Trí", "Trung", "Tuấn",
              "Tùng", "Việt", "Vinh", "Vũ", "Lợi")
GIVEN_FEMALE = ("An", "Anh", "Châu", "Chi", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
                "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Khuê", "Lan", "Liên", "Linh", "Loan", "Mai",
                "My", "Nga", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
                "Thơ", "Thủy", "Thư", "Tiên", "Trâm", "Trang", "Trinh", "Tú", "Uyên", "Vân", "Vy", "Xuân",
                "Yến", "Hân", "Ly", "Nhàn", "Quế")

# --------------------------------------------------------------------------- places

STREETS = ("Lê Lợi", "Đồng Khởi", "Nguyễn Huệ", "Hai Bà Trưng", "Lê Thánh Tôn", "Nam Kỳ Khởi Nghĩa",
           "Pasteur", "Tôn Đức Thắng", "Mạc Thị Bưởi", "Ngô Đức Kế", "Nguyễn Du", "Thái Văn Lung",
           "Lý Tự Trọng", "Đinh Tiên Hoàng", "Nguyễn Thị Minh Khai", "Mạc Đĩnh Chi", "Phan Văn Đạt",
           "Hồ Tùng Mậu", "Tôn Thất Thiệp", "Nguyễn Siêu", "Chu Mạnh Trinh", "Thi Sách", "Đông Du",
           "Huỳnh Thúc Kháng", "Lê Duẩn", "Nguyễn Bỉnh Khiêm", "Trần Cao Vân", "Đặng Dung",
           "Nguyễn Hữu Cảnh", "Lê Văn Hưu")
# CCCD province codes of people born elsewhere who now live in the ward (weights in percent).
OTHER_PROVINCES: tuple[tuple[str, float], ...] = (
    ("001", 3), ("031", 1), ("034", 1), ("036", 2), ("038", 2), ("040", 2), ("042", 1), ("046", 1),
    ("048", 1), ("051", 2), ("052", 2), ("066", 1), ("068", 1), ("074", 2), ("075", 3), ("080", 3),
    ("082", 2), ("083", 2), ("086", 1), ("089", 2), ("092", 2), ("094", 1), ("096", 1),
)
PHONE_PREFIXES = ("090", "093", "089", "070", "079", "077", "076", "078", "091", "094", "088", "083",
                  "084", "085", "081", "082", "096", "097", "098", "086", "032", "033", "034", "035",
                  "036", "037", "038", "039", "056", "058")
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com")
OFFICERS = ("Trần Thị Mỹ Linh", "Lê Văn Hùng", "Phạm Ngọc Hân", "Nguyễn Minh Tuấn")

# --------------------------------------------------------------------------- procedures

# How often a ward receives each procedure (relative weights; unknown codes weigh 1).
PROCEDURE_WEIGHTS: dict[str, float] = {
    "2.000815": 22,  # chứng thực bản sao
    "2.000884": 10,  # chứng thực chữ ký
    "1.001193": 12,  # khai sinh
    "1.004873": 8,  # xác nhận tình trạng hôn nhân
    "1.000894": 6,  # kết hôn
    "1.004222": 6,  # thường trú
    "1.004194": 6,  # tạm trú
    "2.000635": 5,  # bản sao trích lục
    "1.014061": 4,  # thẻ căn cước
    "1.000656": 3,  # khai tử
    "2.001035": 3,  # chứng thực giao dịch
    "1.010041": 3,  # xác nhận cư trú
    "3.000228": 3,  # định danh điện tử
    "1.001612": 3,  # thành lập hộ kinh doanh
    "2.000720": 2,  # thay đổi hộ kinh doanh
    "1.002755": 2,  # gia hạn tạm trú
    "1.013978": 2,  # đăng ký đất đai
    "1.001776": 2,  # trợ cấp xã hội
    "1.003197": 1.5,
    "1.013225": 1.5,
    "3.000722": 1.5,
    "1.004859": 1.5,
    "1.012812": 0.5,
    "2.001019": 0.5,
    "1.001731": 0.5,
    "1.004884": 0.5,
    "1.004837": 0.5,
}

SUPPLEMENT_REASONS = (
    ("Thiếu giấy tờ chứng minh theo quy định", ["Bản sao có chứng thực giấy tờ chứng minh"]),
    ("Tờ khai chưa ghi đầy đủ thông tin", ["Tờ khai (ghi đủ các mục, có chữ ký người yêu cầu)"]),
    ("Thông tin trên giấy tờ không thống nhất", ["Giấy tờ xác nhận thông tin đúng"]),
    ("Văn bản ủy quyền chưa được chứng thực", ["Văn bản ủy quyền có chứng thực"]),
)
REJECT_REASON = "Không bổ sung hồ sơ theo yêu cầu trong thời hạn quy định"
WITHDRAW_REASON = "Công dân đề nghị rút hồ sơ"


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def _pick(rng: random.Random, items: Sequence, cum: list[float]):  # type: ignore[no-untyped-def]
    return items[bisect_right(cum, rng.random() * cum[-1])]


# --------------------------------------------------------------------------- people


def make_cccd(rng: random.Random, province_code: str, birth_date: date, sex: Sex) -> str:
    """A 12-digit CCCD number consistent with the birth date and sex (century/sex digit + year)."""
    century_index = (birth_date.year - 1900) // 100
    digit = century_index * 2 + (0 if sex is Sex.MALE else 1)
    return f"{province_code}{digit}{birth_date.year % 100:02d}{rng.randrange(1_000_000):06d}"


class _People:
    """Draws applicants; cheap per call (precomputed cumulative weights)."""

    def __init__(self, place: DemoPlace) -> None:
        self.place = place
        self.family = [n for n, _ in FAMILY_NAMES]
        self.family_cum = _cumulative([w for _, w in FAMILY_NAMES])
        self.provinces = [place.province_code] + [c for c, _ in OTHER_PROVINCES]
        self.provinces_cum = _cumulative([60.0] + [w for _, w in OTHER_PROVINCES])

    def person(self, rng: random.Random, today: date, *, min_age: int = 18, max_age: int = 85) -> Applicant:
        sex = Sex.MALE if rng.random() < 0.48 else Sex.FEMALE
        family = _pick(rng, self.family, self.family_cum)
        if sex is Sex.MALE:
            middle, given = rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE)
        else:
            middle, given = rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE)
        if rng.random() < 0.12:  # a two-word middle name, e.g. "Nguyễn Thị Ngọc Ánh"
            extra = rng.choice(MIDDLE_FEMALE[3:] if sex is Sex.FEMALE else MIDDLE_MALE[3:])
            if extra != middle:
                middle = f"{middle} {extra}"
        full_name = f"{family} {middle} {given}"
        age_days = rng.randint(min_age * 365 + 5, max_age * 365)
        birth = today - timedelta(days=age_days)
        province = _pick(rng, self.provinces, self.provinces_cum)
        id_number = make_cccd(rng, province, birth, sex)
        # Chip cards from 2021, or the new "thẻ căn cước" from 07/2024; never before age 14.
        earliest = max(date(2021, 1, 15), _add_years(birth, 14))
        latest = today - timedelta(days=7)
        issue = earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days))) \
            if latest > earliest else latest
        old_id = ""
        if birth.year < 1995 and rng.random() < 0.3:
            old_id = f"02{rng.randrange(10_000_000):07d}"
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        email = ""
        if rng.random() < 0.3:
            handle = fold(f"{given}{family}").replace(" ", "")
            email = f"{handle}{rng.randrange(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
        number = rng.randint(1, 220)
        house = f"{number}/{rng.randint(1, 40)}" if rng.random() < 0.35 else str(number)
        address = f"{house} {rng.choice(STREETS)}, {self.place.ward}, {self.place.province}"
        return Applicant(full_name=full_name, id_number=id_number, old_id_number=old_id,
                         birth_date=birth, sex=sex, address=address, phone=phone, email=email,
                         id_issue_date=issue)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------- time


class _Clock:
    """Office-hours arithmetic on the calendar (cheap helpers for plausible event times)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.sessions = calendar.hours.sessions
        self.minutes = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in self.sessions]
        self.day_minutes = sum(e - s for s, e in self.minutes)

    def at_minute(self, day: date, minute_of_work: int) -> datetime:
        """The moment ``minute_of_work`` working minutes after the day's opening."""
        for start, end in self.minutes:
            if minute_of_work < end - start:
                m = start + minute_of_work
                return datetime.combine(day, time(m // 60, m % 60))
            minute_of_work -= end - start
        start, end = self.minutes[-1]
        return datetime.combine(day, time((end - 1) // 60, (end - 1) % 60))

    def snap(self, moment: datetime) -> datetime:
        """``moment`` if it is inside office hours of a working day, else the next opening."""
        day = moment.date()
        if self.calendar.is_working_day(day):
            m = moment.hour * 60 + moment.minute
            for start, end in self.minutes:
                if m < start:
                    return datetime.combine(day, time(start // 60, start % 60))
                if m < end:
                    return moment.replace(second=0, microsecond=0)
        day = self.calendar.next_working_day(day)
        start = self.minutes[0][0]
        return datetime.combine(day, time(start // 60, start % 60))

    def later(self, rng: random.Random, moment: datetime, min_hours: float, max_hours: float) -> datetime:
        """A plausible office-hours moment ``min_hours``..``max_hours`` of wall time after ``moment``."""
        return self.snap(moment + timedelta(hours=rng.uniform(min_hours, max_hours)))


def working_days_before(calendar: WorkCalendar, end: date, count: int) -> list[date]:
    """The ``count`` working days up to and including ``end`` (if it is one), oldest first."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()
    return days


# --------------------------------------------------------------------------- dossiers


@dataclass
class _Kit:
    procedures: list[Procedure]
    cum: list[float]
    channels: dict[str, tuple[list[Channel], list[float]]]


def _kit(procedures: Sequence[Procedure]) -> _Kit:
    if not procedures:
        raise ValueError("the demo needs at least one procedure")
    procs = list(procedures)
    cum = _cumulative([PROCEDURE_WEIGHTS.get(p.code, 1.0) for p in procs])
    channels: dict[str, tuple[list[Channel], list[float]]] = {}
    for p in procs:
        offered = {f.channel for f in p.fees if f.channel is not None} or {1, 2}
        offered.add(1)
        chans = [Channel(c) for c in sorted(offered)]
        weights = [{Channel.DIRECT: 70.0, Channel.ONLINE: 25.0, Channel.POSTAL: 5.0}[c] for c in chans]
        channels[p.code] = (chans, _cumulative(weights))
    return _Kit(procs, cum, channels)


def _components(rng: random.Random, procedure: Procedure,
                channel: Channel = Channel.DIRECT) -> list[ReceivedComponent]:
    """The components as received; the portal's online-only e-forms only in an online dossier."""
    specs = procedure.components
    # Procedures whose components are grouped by alternative cases (land, building permits...):
    # the applicant brings the papers of one case only.
    cases = sorted({c.case for c in specs if c.case})
    chosen = rng.choice(cases) if len(cases) > 3 else None
    result = []
    for index, spec in enumerate(specs):
        if spec.online_only and channel is not Channel.ONLINE:
            continue
        in_case = chosen is None or spec.case in ("", chosen)
        received = in_case and (spec.mandatory or rng.random() < 0.25)
        result.append(ReceivedComponent(
            index=index, name=spec.name, received=received,
            originals=spec.originals if received else 0,
            certified_copies=spec.certified_copies if received else 0,
            photocopies=spec.photocopies if received else 0,
        ))
    return result


def _timeline(rng: random.Random, clock: _Clock, received: datetime, due: datetime,
              officer: str) -> tuple[list[StatusChange], list[SupplementRequest], str]:
    """The full life of a dossier (possibly ending after ``now``; the caller cuts it)."""
    S = DossierStatus  # noqa: N806 - a short alias keeps the timeline readable
    events = [StatusChange(received, S.RECEIVED, officer, "Tiếp nhận hồ sơ")]
    supplements: list[SupplementRequest] = []
    start = clock.later(rng, received, 0.05, 1.5)
    events.append(StatusChange(start, S.PROCESSING, officer, "Chuyển xử lý"))
    span = max((due - start).total_seconds() / 3600.0, 0.5)
    roll = rng.random()
    if roll < 0.02:  # supplement requested, never completed: processing stopped (5 -> 8)
        reason, items = rng.choice(SUPPLEMENT_REASONS)
        asked = clock.later(rng, start, 0.5, max(1.0, span * 0.5))
        supplements.append(SupplementRequest(asked, reason, list(items), officer))
        events.append(StatusChange(asked, S.SUPPLEMENT_REQUESTED, officer, reason))
        events.append(StatusChange(clock.later(rng, asked, 72, 240), S.STOPPED, officer, REJECT_REASON))
        return events, supplements, "stopped"
    if roll < 0.03:
        events.append(StatusChange(clock.later(rng, start, 1, 72), S.WITHDRAWN, "", WITHDRAW_REASON))
        return events, supplements, "withdrawn"
    ready_from = start
    if roll < 0.11:  # a supplement request, completed later
        reason, items = rng.choice(SUPPLEMENT_REASONS)
        asked = clock.later(rng, start, 0.5, max(1.0, span * 0.6))
        back = clock.later(rng, asked, 20, 120)
        supplements.append(SupplementRequest(asked, reason, list(items), officer, completed_at=back))
        events.append(StatusChange(asked, S.SUPPLEMENT_REQUESTED, officer, reason))
        events.append(StatusChange(back, S.PROCESSING, officer, "Công dân đã bổ sung hồ sơ"))
        ready_from = back
    if rng.random() < 0.06:  # late
        done = clock.later(rng, max(due, ready_from), 2, 120)
    else:
        wall = max((due - ready_from).total_seconds() / 3600.0, 0.0)
        done = clock.snap(ready_from + timedelta(hours=wall * rng.uniform(0.25, 0.98)))
        if done > due:
            done = due
    done = max(done, ready_from + timedelta(minutes=10))
    events.append(StatusChange(done, S.DONE, officer, "Đã có kết quả"))
    if rng.random() < 0.97:
        events.append(StatusChange(clock.later(rng, done, 0.2, rng.choice((4, 30, 80))), S.RETURNED,
                                   officer, "Trả kết quả cho công dân"))
    return events, supplements, "normal"


def generate_dossiers(
    n: int,
    seed: int = DEMO_SEED,
    *,
    procedures: Sequence[Procedure],
    now: datetime,
    calendar: WorkCalendar | None = None,
    place: DemoPlace = DEMO_PLACE,
    days: int = DEMO_DAYS,
    with_history: bool = True,
    number_for: Callable[[date], int] | None = None,
) -> Iterator[Dossier]:
    """Yield ``n`` demo dossiers received over about ``days`` calendar days up to ``now``, oldest first.

    Deterministic for equal arguments. ``number_for(day)`` gives the daily sequence number of each
    dossier code (e.g. the store's code counter, so later real dossiers do not collide); by default
    numbers count from 1 each day. The window grows when ``n`` would need more than 9999 dossiers
    on one day. ``with_history=False`` skips the status history and supplement records (faster).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return
    calendar = calendar or WorkCalendar()
    rng = random.Random(seed)
    kit = _kit(procedures)
    people = _People(place)
    clock = _Clock(calendar)
    today = now.date()
    wanted_days = max(1, round(days * 5 / 7), math.ceil(n / (MAX_NUMBER * 0.9)))
    work_days = working_days_before(calendar, today, wanted_days)
    # Today counts only up to ``now``: give it the share of the working day already elapsed.
    elapsed_today = 0
    if work_days[-1] == today:
        now_m = now.hour * 60 + now.minute
        elapsed_today = sum(max(0, min(now_m, e) - s) for s, e in clock.minutes)
        if elapsed_today <= 0:
            work_days.pop()
    weights = [1.0] * len(work_days)
    if work_days and work_days[-1] == today:
        weights[-1] = elapsed_today / clock.day_minutes
    total_weight = sum(weights)
    # Exact per-day counts summing to n (largest remainders, deterministic).
    raw = [n * w / total_weight for w in weights]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[: n - sum(counts)]:
        counts[i] += 1
    numbers: dict[date, int] = {}
    for day, count in zip(work_days, counts, strict=True):
        if count == 0:
            continue
        limit = clock.day_minutes if day != today else max(1, elapsed_today)
        minutes = sorted(rng.randrange(limit) for _ in range(count))
        for minute in minutes:
            received = clock.at_minute(day, minute)
            if received > now:
                received = now.replace(second=0, microsecond=0)
            if number_for is not None:
                number = number_for(day)
            else:
                number = numbers.get(day, 0) + 1
                numbers[day] = number
            yield _dossier(rng, kit, people, clock, received, number, now, place, with_history)


def _dossier(rng: random.Random, kit: _Kit, people: _People, clock: _Clock, received: datetime,
             number: int, now: datetime, place: DemoPlace, with_history: bool) -> Dossier:
    procedure: Procedure = _pick(rng, kit.procedures, kit.cum)
    chans, chan_cum = kit.channels[procedure.code]
    channel: Channel = _pick(rng, chans, chan_cum)
    applicant = people.person(rng, received.date())
    due = compute_due(received, procedure.processing, clock.calendar, cutoff=procedure.cutoff,
                      channel=int(channel))
    officer = rng.choice(OFFICERS)
    events, supplements, _ = _timeline(rng, clock, received, due, officer)
    past = [e for e in events if e.at <= now]
    status = past[-1].status
    returned = next((e for e in past if e.status is DossierStatus.RETURNED), None)
    delivery = Delivery.POST if channel is Channel.POSTAL or rng.random() < 0.05 else Delivery.COUNTER
    fee = procedure.fee_for_channel(int(channel))
    sets = 1
    if procedure.code in ("2.000815", "2.000884"):
        sets = rng.choice((1, 1, 1, 2, 2, 3, 4, 5))
        fee *= sets
    return Dossier(
        code=format_dossier_code(place.agency_code, received.date(), number),
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        applicant=applicant,
        received_at=received,
        due_at=due,
        channel=channel,
        status=status,
        components=_components(rng, procedure, channel),
        officer=officer,
        supplements=[s if s.completed_at is None or s.completed_at <= now else replace(s, completed_at=None)
                     for s in supplements if s.requested_at <= now] if with_history else [],
        delivery=delivery,
        delivery_address=applicant.address if delivery is Delivery.POST else "",
        fee_vnd=fee,
        sets_count=sets,
        returned_at=returned.at if returned else None,
        returned_to=applicant.full_name if returned else "",
        history=past if with_history else [],
    )


def demo_dossiers(procedures: Sequence[Procedure], now: datetime, *, count: int = DEMO_COUNT,
                  seed: int = DEMO_SEED, calendar: WorkCalendar | None = None,
                  place: DemoPlace = DEMO_PLACE,
                  number_for: Callable[[date], int] | None = None) -> list[Dossier]:
    """The demo data set of ``motcua init --demo``: ``count`` dossiers over the last ~4 months, among
    them one per deadline state relative to ``now`` (:mod:`app.core.demo_showcase`)."""
    from app.core.demo_showcase import showcase_dossiers, with_showcase

    calendar = calendar or WorkCalendar()
    showcase = showcase_dossiers(procedures, now, calendar=calendar, place=place, seed=seed,
                                 number_for=number_for)
    return list(with_showcase(
        lambda n: generate_dossiers(n, seed, procedures=procedures, now=now, calendar=calendar, place=place,
                                    number_for=number_for),
        count, showcase))
