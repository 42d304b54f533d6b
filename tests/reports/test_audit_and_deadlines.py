"""The audit viewer marks tampered and unlinked rows (``motcua verify`` agrees); deadline watch lists
overdue, due-today and due-tomorrow dossiers."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import text

from app.services import verify as verify_service
from app.services.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.reports import audit_view, deadlines, satisfaction
from tests.cli.test_cli_reception import run
from tests.reports.crafted import load_crafted


def _open_the_log(session, dialect: str) -> None:
    """Someone with full access to the database bypasses the append-only guard."""
    if dialect == "sqlite":
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
    else:
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def _rate_three(ctx) -> None:
    load_crafted(ctx)
    for code, level in (("X-H08", 3), ("X-K11", 2), ("X-L12", 1)):
        satisfaction.rate(ctx, SYSTEM_OFFICER, code, level, now=datetime(2026, 4, 1, 9, 0))


def test_filters_and_a_sound_chain(app_ctx):
    _rate_three(app_ctx)
    page = audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery(action="rate"))
    assert [line.entry.dossier_code for line in page.lines] == ["X-L12", "X-K11", "X-H08"]
    assert all(line.intact for line in page.lines) and page.chain.ok
    assert "rate" in page.actions and "cli" in page.officers
    one = audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery(dossier_code=" X-K11 "))
    assert [line.entry.details["level"] for line in one.lines] == [2]
    period = audit_view.AuditQuery(first=date(2026, 4, 1), last=date(2026, 4, 1))
    assert len(audit_view.browse(app_ctx, SYSTEM_OFFICER, period).lines) == 3
    assert audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery(officer="nobody")).lines == []
    with pytest.raises(PermissionDeniedError):
        audit_view.browse(app_ctx, Officer("an", "Lê An", Role.OFFICER), audit_view.AuditQuery())


def test_tampering_is_shown_not_hidden(app_ctx, db):
    _rate_three(app_ctx)
    page = audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery(action="rate"))
    edited, removed = page.lines[1].entry.id, page.lines[2].entry.id  # X-K11 edited, X-H08 removed
    with app_ctx.session(write=True) as session:
        _open_the_log(session, db.dialect)
        session.execute(text("UPDATE audit_log SET officer = 'ke-gian' WHERE id = :id"), {"id": edited})
    page = audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery(action="rate"))
    marks = {line.entry.dossier_code: (line.content_ok, line.link_ok) for line in page.lines}
    assert marks == {"X-L12": (True, True), "X-K11": (False, True), "X-H08": (True, True)}
    assert page.lines[1].entry.officer == "ke-gian"  # shown as it is now, marked
    assert not page.chain.ok and page.chain.first_bad_id == edited
    report = verify_service.verify(app_ctx)
    chain_problems = [p for p in report.problems if p.kind == "audit_chain"]  # (the crafted scan has no file)
    assert not report.ok and [p.ref for p in chain_problems] == [str(edited)]
    with app_ctx.session(write=True) as session:
        if db.dialect == "sqlite":
            session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": removed})
    page = audit_view.browse(app_ctx, SYSTEM_OFFICER, audit_view.AuditQuery())
    next_after_removed = min(line.entry.id for line in page.lines if line.entry.id > removed)
    assert [line.entry.id for line in page.lines if not line.link_ok] == [next_after_removed]
    assert [line.entry.id for line in page.lines if not line.content_ok] == [edited]


def test_motcua_verify_reports_tampering(tmp_path, small_catalogue):
    from app.services.context import AppContext
    from app.services.setup import init

    folder = tmp_path / "office"
    with AppContext.open(folder) as ctx:
        init(ctx, catalogue_path=small_catalogue)
        _rate_three(ctx)
        with ctx.session(write=True) as session:
            _open_the_log(session, "sqlite")
            session.execute(text("UPDATE audit_log SET details = '{\"level\": 3}' WHERE action = 'rate' "
                                 "AND dossier_code = 'X-L12'"))
    result = run("verify", "--json", data_dir=folder)
    assert result.returncode != 0
    report = json.loads(result.stdout)
    assert not report["ok"] and "audit_chain" in [p["kind"] for p in report["problems"]]


def test_deadline_watch(app_ctx):
    load_crafted(app_ctx)
    # On 27/03 at 10:00: H (processing, due 27/03 17:00) is due today; K (received 30/03) not yet listed.
    seen = deadlines.watch(app_ctx, SYSTEM_OFFICER, datetime(2026, 3, 27, 10, 0))
    assert [d.code for d in seen.today] == ["X-H08"] and seen.overdue == [] and seen.tomorrow == []
    later = deadlines.watch(app_ctx, SYSTEM_OFFICER, datetime(2026, 4, 2, 10, 0))
    assert [d.code for d in later.overdue] == ["X-H08"]
    day_before = deadlines.watch(app_ctx, SYSTEM_OFFICER, datetime(2026, 3, 26, 9, 0))
    assert [d.code for d in day_before.tomorrow] == ["X-H08"]
    with pytest.raises(PermissionDeniedError):
        deadlines.watch(app_ctx, Officer("hoa", "Nguyễn Thị Hoa", Role.CLERK))
