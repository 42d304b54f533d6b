"""The protocol document, the OpenAPI file and the reference server agree.

* ``docs/openapi.json`` is exactly what the server generates from its routes and schemas;
* ``docs/sync-protocol.md`` lists every operation of the OpenAPI file, and no other;
* the running server answers schemathesis-generated requests (bounded examples per operation) as the
  file says: documented status codes, content types, headers and response schemas, no 5xx;
* what the client sends validates against the file's request schemas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.services import reception
from app.services.auth import SYSTEM_OFFICER
from app.store.repositories import OutboxRepository
from provincial_server.__main__ import openapi_text
from tests.sync.helpers import ROOT, attach, new_agency, open_station, receive, running_server

OPENAPI = ROOT / "docs" / "openapi.json"
PROTOCOL = ROOT / "docs" / "sync-protocol.md"
EXAMPLES = 25

pytestmark = pytest.mark.slow


def operations() -> list[tuple[str, str]]:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return sorted((method.upper(), path) for path, item in document["paths"].items() for method in item)


def test_the_openapi_file_is_what_the_server_serves():
    assert OPENAPI.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: python -m provincial_server openapi --out docs/openapi.json"
    )


def test_the_protocol_document_lists_every_operation():
    listed = sorted(
        set(
            re.findall(
                r"^\| `(GET|PUT|POST|DELETE|PATCH)` \| `(/api/v1/[^`]+)`",
                PROTOCOL.read_text(encoding="utf-8"),
                flags=re.MULTILINE,
            )
        )
    )
    assert listed == operations()


def test_what_the_client_sends_fits_the_schemas(tmp_path: Path, catalogue_file: Path):
    import jsonschema_rs

    document = json.loads(OPENAPI.read_text(encoding="utf-8"))

    def validator(name: str):
        schema = {**document["components"]["schemas"][name], "components": document["components"]}
        text = json.dumps(schema).replace("#/components/", "#/components/")
        return jsonschema_rs.validator_for(json.loads(text))

    ctx = open_station(tmp_path / "data", "000.00.12.H29", catalogue_file)
    try:
        d = receive(ctx, 1)
        attach(ctx, d.code, b"%PDF-1.7 scan", "trang-1.pdf", component=2)
        reception.mark_done(ctx, d.code, SYSTEM_OFFICER)
        reception.return_result(ctx, d.code, "Nguyễn Văn Thử", SYSTEM_OFFICER)
        with ctx.session() as session:
            items = OutboxRepository(session).for_dossier(d.code)
    finally:
        ctx.close()
    schemas = {
        "dossier.upsert": validator("DossierIn"),
        "file.upload": validator("UploadIn"),
        "status.update": validator("TienDo"),
    }
    assert sorted({i.kind.value for i in items}) == sorted(schemas)
    for item in items:
        schemas[item.kind.value].validate(item.payload)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("schemathesis") / "data") as server:
        _, token = server.station(new_agency())
        yield server, token


@pytest.mark.parametrize(("method", "path"), operations())
def test_the_server_answers_as_the_file_says(live, method: str, path: str):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    server, token = live
    schema = schemathesis.openapi.from_path(OPENAPI)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {token}"}

    # Business rules (agency, catalogue, unknown dossiers) refuse most schema-valid random requests with
    # a documented 404/409/422: positive_data_acceptance does not apply; every other check does.
    excluded = [schemathesis.checks.positive_data_acceptance]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate(base_url=server.url, headers=headers, excluded_checks=excluded)

    check()
