"""Accounts, sign-in, permissions and the audit log's hash chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.core.errors import NotFoundError, ValidationError
from app.services.admin import auth
from app.services.admin.audit import entries, verify_chain
from app.services.admin.auth import (
    ROLE_PERMISSIONS,
    SYSTEM_OFFICER,
    AuthError,
    Officer,
    Permission,
    PermissionDeniedError,
    Role,
)
from app.store.repositories import UserRepository

PASSWORD = "mật-khẩu-đủ-dài"


@pytest.fixture
def admin(app_ctx) -> Officer:
    return auth.create_user(app_ctx, "quantri", "Nguyễn Văn Quản", PASSWORD, Role.ADMIN, by=None)


def test_first_run_creates_the_administrator(app_ctx):
    assert auth.needs_first_admin(app_ctx)
    with pytest.raises(ValidationError) as not_admin:
        auth.create_user(app_ctx, "canbo", "Cán Bộ", PASSWORD, Role.OFFICER, by=None)
    assert not_admin.value.field == "role"
    first = auth.create_user(app_ctx, " QuanTri ", "Nguyễn  Văn Quản", PASSWORD, "admin", by=None)
    assert first == Officer("quantri", "Nguyễn Văn Quản", Role.ADMIN)
    assert not auth.needs_first_admin(app_ctx)
    with pytest.raises(PermissionDeniedError):
        auth.create_user(app_ctx, "khac", "Người Khác", PASSWORD, Role.ADMIN, by=None)


def test_password_is_stored_as_argon2(app_ctx, admin):
    with app_ctx.session() as session:
        record = UserRepository(session).get("quantri")
    assert record.password_hash.startswith("$argon2id$") and PASSWORD not in record.password_hash


def test_authenticate(app_ctx, admin):
    officer = auth.authenticate(app_ctx, "QuanTri", PASSWORD)
    assert officer == admin
    with pytest.raises(AuthError) as wrong:
        auth.authenticate(app_ctx, "quantri", "sai mật khẩu")
    assert wrong.value.message_vi.startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(app_ctx, "khongco", PASSWORD)
    assert unknown.value.message_vi == wrong.value.message_vi  # nothing tells which part was wrong
    users = auth.list_users(app_ctx, admin)
    assert [u.username for u in users] == ["quantri"] and users[0].last_login_at is not None


def test_disabled_accounts_cannot_sign_in(app_ctx, admin):
    auth.create_user(app_ctx, "thuha", "Nguyễn Thị Thu Hà", PASSWORD, Role.OFFICER, by=admin)
    auth.set_active(app_ctx, "thuha", False, by=admin)
    with pytest.raises(AuthError):
        auth.authenticate(app_ctx, "thuha", PASSWORD)
    auth.set_active(app_ctx, "thuha", True, by=admin)
    assert auth.authenticate(app_ctx, "thuha", PASSWORD).role is Role.OFFICER
    with pytest.raises(ValidationError):
        auth.set_active(app_ctx, "quantri", False, by=admin)


def test_set_password(app_ctx, admin):
    officer = auth.create_user(app_ctx, "thuha", "Nguyễn Thị Thu Hà", PASSWORD, Role.OFFICER, by=admin)
    auth.set_password(app_ctx, "thuha", "mat khau moi 123", by=officer)
    assert auth.authenticate(app_ctx, "thuha", "mat khau moi 123") == officer
    with pytest.raises(PermissionDeniedError):
        auth.set_password(app_ctx, "quantri", "chiem quyen 123", by=officer)
    with pytest.raises(NotFoundError):
        auth.set_password(app_ctx, "khongco", "mat khau moi 123", by=admin)


@pytest.mark.parametrize(("username", "full_name", "password", "role", "field"), [
    ("a", "Tên", PASSWORD, "officer", "username"),
    ("có dấu", "Tên", PASSWORD, "officer", "username"),
    ("canbo", "  ", PASSWORD, "officer", "full_name"),
    ("canbo", "Tên", "ngắn", "officer", "password"),
    ("canbo", "Tên", PASSWORD, "boss", "role"),
    ("quantri", "Trùng", PASSWORD, "officer", "username"),
])
def test_create_user_validation(app_ctx, admin, username, full_name, password, role, field):
    with pytest.raises(ValidationError) as caught:
        auth.create_user(app_ctx, username, full_name, password, role, by=admin)
    assert caught.value.field == field and caught.value.message_vi


def test_only_user_managers_create_users(app_ctx, admin):
    clerk = auth.create_user(app_ctx, "mai", "Phạm Thị Mai", PASSWORD, Role.CLERK, by=admin)
    with pytest.raises(PermissionDeniedError) as caught:
        auth.create_user(app_ctx, "khac", "Người Khác", PASSWORD, Role.ADMIN, by=clerk)
    assert "không có quyền quản lý tài khoản" in caught.value.message_vi
    with pytest.raises(PermissionDeniedError):
        auth.list_users(app_ctx, clerk)
    by_cli = auth.create_user(app_ctx, "canbo", "Cán Bộ", PASSWORD, Role.OFFICER, by=SYSTEM_OFFICER)
    assert by_cli.username == "canbo"


def test_role_permissions():
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert set(ROLE_PERMISSIONS) == set(Role)
    clerk = Officer("mai", "Phạm Thị Mai", Role.CLERK)
    assert not clerk.can(Permission.RECEIVE) and clerk.can(Permission.SCAN)
    with pytest.raises(PermissionDeniedError) as caught:
        auth.require(clerk, Permission.RECEIVE)
    assert caught.value.message_vi == ("Tài khoản Phạm Thị Mai (Nhân viên số hóa) không có quyền "
                                       "tiếp nhận hồ sơ.")
    officer = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
    assert officer.can(Permission.RECEIVE) and officer.can(Permission.RETURN_RESULT)
    assert not officer.can(Permission.MANAGE_USERS)
    assert Officer("cli", "Dòng lệnh", Role.ADMIN) == SYSTEM_OFFICER
    auth.require(SYSTEM_OFFICER, Permission.MANAGE_USERS)


def test_audit_rows_are_chained(app_ctx, admin):
    auth.authenticate(app_ctx, "quantri", PASSWORD)
    with pytest.raises(AuthError):
        auth.authenticate(app_ctx, "quantri", "sai")
    rows = entries(app_ctx, limit=10)
    assert [(r.action, r.officer) for r in rows] == [("login_failed", "quantri"), ("login", "quantri"),
                                                    ("user_create", "quantri")]
    assert rows[2].details == {"username": "quantri", "role": "admin"}
    oldest, middle, newest = reversed(rows)
    assert oldest.prev_hash == "0" * 64
    assert middle.prev_hash == oldest.hash and newest.prev_hash == middle.hash
    assert len({r.hash for r in rows}) == 3
    check = verify_chain(app_ctx)
    assert check.ok and check.rows == 3


def test_audit_log_is_append_only_and_tampering_is_detected(app_ctx, admin, db):
    auth.authenticate(app_ctx, "quantri", PASSWORD)
    for statement in ("UPDATE audit_log SET officer = 'ke-gian'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), app_ctx.session(write=True) as session:
            session.execute(text(statement))
    assert verify_chain(app_ctx).ok
    # Someone with full access to the database bypasses the guard: the chain still tells.
    first_id = entries(app_ctx, limit=10)[-1].id
    with app_ctx.session(write=True) as session:
        if db.dialect == "sqlite":
            session.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        session.execute(text("UPDATE audit_log SET officer = 'ke-gian' WHERE id = :id"), {"id": first_id})
    check = verify_chain(app_ctx)
    assert not check.ok and check.first_bad_id == first_id and "content" in check.reason
