"""A citizen's rating reaches the provincial server over real HTTP with the dossier's record."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import lifecycle, reception
from app.services.auth import SYSTEM_OFFICER
from app.services.reports import satisfaction
from app.services.sync import configure, sync_once
from tests.sync.helpers import new_agency, open_station, receive, running_server

pytestmark = pytest.mark.slow


def test_ratings_are_sent_upstream(tmp_path: Path, catalogue_file: Path):
    (tmp_path / "province").mkdir()
    with running_server(tmp_path / "province" / "data") as server:
        agency = new_agency()
        _station_id, token = server.station(agency)
        ctx = open_station(tmp_path / "data", agency, catalogue_file)
        try:
            configure(ctx, server_url=server.url, token=token)
            dossier = receive(ctx, 1)
            satisfaction.rate(ctx, SYSTEM_OFFICER, dossier.code, 2, "Thời gian chờ lâu")
            lifecycle.mark_done(ctx, dossier.code, SYSTEM_OFFICER)
            reception.return_result(ctx, dossier.code, "Nguyễn Văn Thử 1", SYSTEM_OFFICER)
            satisfaction.rate(ctx, SYSTEM_OFFICER, dossier.code, 3)
            run = sync_once(ctx)
            assert run.failed == 0, run.error
        finally:
            ctx.close()
        held = {d["MaHoSo"]: d for d in server.admin("GET", "/dossiers")}[dossier.code]
        assert [(r["SuKien"], r["MucDo"], r["LyDo"]) for r in held["DanhGiaHaiLong"]] == [
            ("receive", 2, "Thời gian chờ lâu"), ("return", 3, "")]
        assert held["TrangThaiHoSo"] == 10
