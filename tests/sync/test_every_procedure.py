"""One dossier of every shipped procedure, every component received and scanned, synced to the
reference server on loopback: all accepted. A refused item says in Vietnamese what to do, and a retry
sends the dossier as it is now."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from app.core.outbox import OutboxKind, OutboxStatus
from app.services.sync import configure, failed_items, retry, sync_once
from app.store.repositories import DossierRepository, OutboxRepository
from app.sync.limits import TEXT
from tests.sync.catalogue_station import every_procedure_station
from tests.sync.helpers import Server, attach, catalogue_records, new_agency, receive, running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("province") / "data") as s:
        yield s


def test_every_shipped_procedure_with_every_component_syncs(server: Server, tmp_path: Path):
    agency = new_agency()
    _, token = server.station(agency)
    ctx, dossiers = every_procedure_station(tmp_path / "data", agency)
    try:
        # The province knows the whole catalogue (its long names included).
        from app.core.catalogue import load_catalogue

        codes = tuple(p.code for p in load_catalogue())
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(codes)})
        rng = random.Random(19)
        files = 0
        for dossier in dossiers:
            for component in dossier.components:  # a small scan of every component
                attach(
                    ctx, dossier.code, rng.randbytes(200), f"tp{component.index + 1:02d}.pdf", component.index
                )
                files += 1
        configure(ctx, server_url=server.url, token=token)
        run = sync_once(ctx, max_wait=5)
        assert (run.failed, run.parked, run.offline, run.auth_error) == (0, 0, False, False), run.error
        assert run.sent == len(dossiers) + files
        held = {d["MaHoSo"]: d for d in server.admin("GET", "/dossiers") if d["MaHoSo"].startswith(agency)}
        assert set(held) == {d.code for d in dossiers}
        for dossier in dossiers:
            sent = held[dossier.code]
            assert len(sent["_files"]) == len(dossier.components)
            names = [t["TenTepDinhKem"] for t in sent["TaiLieuNop"] if t.get("TepDinhKemId") is None]
            assert len(names) == len(dossier.components)
            assert all(len(n) <= TEXT for n in names)
        # The local dossiers keep the full names.
        with ctx.session() as session:
            local = DossierRepository(session).get(max(dossiers, key=lambda d: len(d.components)).code)
        assert max(len(c.name) for d in dossiers for c in d.components) > TEXT
        assert [c.name for c in local.components] == [
            c.name for c in max(dossiers, key=lambda d: len(d.components)).components
        ]
    finally:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": []})
        ctx.close()


def test_a_refused_item_says_what_to_do_and_a_retry_sends_the_current_dossier(
    server: Server, tmp_path: Path, catalogue_file: Path
):
    from tests.sync.helpers import PROCEDURES, open_station

    agency = new_agency()
    _, token = server.station(agency)
    ctx = open_station(tmp_path / "data", agency, catalogue_file)
    server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records(PROCEDURES[:1])})
    try:
        configure(ctx, server_url=server.url, token=token)
        bad = receive(ctx, 1, PROCEDURES[1])  # not (yet) in the province's catalogue
        run = sync_once(ctx, max_wait=5)
        assert (run.sent, run.parked) == (0, 1)
        (parked,) = failed_items(ctx)
        assert parked.status is OutboxStatus.PARKED and parked.kind is OutboxKind.DOSSIER_UPSERT
        # What is wrong, and what to do about it, in Vietnamese.
        assert "không có trong danh mục" in parked.last_error_vi and "bổ sung thủ tục" in parked.last_error_vi
        assert f"motcua sync retry {parked.id}" in parked.last_error_vi and "Thử lại" in parked.last_error_vi
        # The province adds the procedure; meanwhile the officer corrected the applicant's phone.
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": catalogue_records()})
        with ctx.session(write=True) as session:
            repo = DossierRepository(session)
            dossier = repo.get(bad.code)
            dossier.applicant = dataclasses.replace(dossier.applicant, phone="0912345678")
            repo.update(dossier)
        again = retry(ctx, parked.id)
        assert again.status is OutboxStatus.PENDING and again.payload["SoDienThoai"] == "0912345678"
        assert sync_once(ctx, max_wait=5).sent == 1
        held = {d["MaHoSo"]: d for d in server.admin("GET", "/dossiers")}
        assert held[bad.code]["SoDienThoai"] == "0912345678"
        with ctx.session() as session:
            assert OutboxRepository(session).get(parked.id).status is OutboxStatus.SENT
    finally:
        server.admin("PUT", "/catalogue", json={"DanhSachTTHC": []})
        ctx.close()
