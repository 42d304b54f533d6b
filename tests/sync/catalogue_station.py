"""A station with the whole shipped catalogue and one dossier of every procedure, every component
received (the dossiers that stress the protocol's limits: component names of thousands of characters)."""

from __future__ import annotations

from pathlib import Path

from app.core.catalogue import default_catalogue_path, load_catalogue
from app.core.dossier import Dossier
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.reception import receive as reception
from tests.sync.helpers import applicant, open_station


def every_procedure_station(data_dir: Path, agency: str) -> tuple[AppContext, list[Dossier]]:
    ctx = open_station(data_dir, agency, default_catalogue_path())
    dossiers = []
    for n, procedure in enumerate(load_catalogue(), start=1):
        # an in-person dossier takes every component but the forms filed only online
        in_person = [i for i, c in enumerate(procedure.components) if not c.online_only]
        every = reception.component_inputs(procedure, in_person)
        request = reception.ReceiveRequest(procedure.code, applicant(n), components=every)
        dossiers.append(reception.receive_dossier(ctx, request, SYSTEM_OFFICER))
    return ctx, dossiers
