"""A station with the whole shipped catalogue and one dossier of every procedure, every component
received (the dossiers that stress the protocol's limits: component names of thousands of characters).
They are online dossiers: only those may carry the portal's online-only e-forms, and every component
must be in the message."""

from __future__ import annotations

from pathlib import Path

from app.core.catalogue import default_catalogue_path, load_catalogue
from app.core.dossier import Channel, Dossier
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import receive as reception
from tests.sync.helpers import applicant, open_station


def every_procedure_station(data_dir: Path, agency: str) -> tuple[AppContext, list[Dossier]]:
    ctx = open_station(data_dir, agency, default_catalogue_path())
    dossiers = []
    for n, procedure in enumerate(load_catalogue(), start=1):
        every = reception.component_inputs(procedure, list(range(len(procedure.components))))
        request = reception.ReceiveRequest(procedure.code, applicant(n), components=every,
                                           channel=Channel.ONLINE)
        dossiers.append(reception.receive_dossier(ctx, request, SYSTEM_OFFICER))
    return ctx, dossiers
