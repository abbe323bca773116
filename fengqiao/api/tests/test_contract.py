"""Contract fuzzing: schemathesis generates requests from the committed openapi.json and sends them to the Django
WSGI application in-process (no server, no network). For every operation:

- no answer is a server error (5xx);
- every answer conforms to the document (status code declared, content type, body schema);
- no request the document allows is refused for its shape: never a 400, and a 422 only for what a schema cannot
  say (a community code that does not exist, a unit that cannot take the case, a field an action needs): the
  fields listed in SEMANTIC_FIELDS, each with its reason. Everything else the code refuses, the document says.

Bounded and deterministic: EXAMPLES drawn per operation with hypothesis' derandomize (the same requests on every
run, so CI is stable), the key of a partner client holding every scope, a real case for half of the `{code}`
paths. Run alone: ./fq test fengqiao/api/tests/test_contract.py (FQ_CONTRACT_EXAMPLES=200 for a longer run).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig

from fengqiao.api.casework import ACTIONS
from fengqiao.api.models import ApiScope

pytestmark = pytest.mark.django_db

COMMITTED = Path(settings.BASE_DIR) / "openapi.json"
EXAMPLES = int(os.environ.get("FQ_CONTRACT_EXAMPLES", "10"))
HOME_COMMUNITY = "440311001001"

# NUL is refused for every field by fengqiao.core.badinput (the document's description says so), so it is not
# generated; the rest of the generation is schemathesis' own.
CONFIG = SchemathesisConfig.from_dict({"generation": {"allow-x00": False, "codec": "utf-8"}})
SCHEMA = schemathesis.openapi.from_path(COMMITTED, config=CONFIG)
OPERATIONS = sorted(
    ((op.path, op.method.upper()) for op in (result.ok() for result in SCHEMA.get_all_operations())),
    key=lambda pm: (pm[0], pm[1]),
)

# A 422 on these fields is about the world, not the shape of the request: what exists, who may, what an action needs.
SEMANTIC_FIELDS = {
    "community_code": "no community or street has this code, or it is outside the key's area",
    "latitude": "the point is outside the district, or longitude is missing",
    "longitude": "latitude is missing",
    "category": "no category has this code",
    "unit_id": "no unit with this id can take this case",
    "assisting_unit_ids": "no unit with this id can take this case",
    "into": "no visible case has this code",
    "assignee": "nobody of the holding unit has this username",
    "reason": "the action needs a reason (reject, return, escalate …)",
    "outcome": "resolve needs it", "satisfaction": "confirm needs it", "days": "extension_request needs it",
    "approve": "extension_decide needs it", "grade": "regrade needs it",
    "url": "the host is not one the operator allowed for webhooks",
    "file": "the content is not a kind of file we keep (judged by its bytes) or is empty",
    "agreement_id": "no agreement with this id is visible, or it cannot be filed",
    "court_unit_id": "no court with this id",
    "__all__": "a rule of the service (the state of the mediation, the application, the case)",
}
SEMANTIC_PREFIXES = ("parties.",)
# Operations that must succeed at least once in the draw (the document's examples make them succeed), so the fuzzing
# reaches past validation into the services.
MUST_SUCCEED = {("/api/v1/cases", "POST"), ("/api/v1/cases", "GET"), ("/api/v1/cases/{code}", "GET"),
                ("/api/v1/cases/{code}/notes", "POST")}
TALLY: dict[str, Counter[int]] = {}  # operation → statuses answered, for the figures in docs/security.md
ACTION_NAMES = sorted(ACTIONS)


@pytest.fixture(scope="module", autouse=True)
def _figures():
    """FQ_CONTRACT_REPORT=path writes {operation: {status: count}} after the run (the figures of docs/security.md)."""
    yield
    target = os.environ.get("FQ_CONTRACT_REPORT")
    if target and TALLY:
        Path(target).write_text(json.dumps({k: dict(v) for k, v in sorted(TALLY.items())}, indent=1))  # an ID type without its number, and the reverse


class InProcessWSGI:
    """Django's WSGI handler, called in the test's thread and transaction.

    Django closes "old" connections when a request starts and finishes; inside the test's transaction that would
    close the connection under the test (Django's own test client disconnects the same signals). Exceptions that
    became a 500 are kept for the failure message.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.errors: list[BaseException] = []

    def _record(self, sender, request=None, **kwargs) -> None:
        import sys

        self.errors.append(sys.exc_info()[1])

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._record)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            got_request_exception.disconnect(self._record)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def world(make_partner, categories, make_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partner = make_partner("contract", scopes=[s.value for s in ApiScope])
    return {"key": partner.key, "case": make_case(HOME_COMMUNITY)}


def _unique_idempotency_key(case) -> None:
    """Keep the drawn key's shape but make it unique, so two different bodies never share one (that is a 422)."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"{case.headers['Idempotency-Key'][:60]}~{uuid.uuid4().hex}"


def _refused_for_shape(response) -> str | None:
    """Why a positive request's answer is a refusal of its shape, or None when it is not."""
    if response.status_code == 400:
        return "400 for a request the document allows"
    if response.status_code != 422:
        return None
    body = json.loads(response.content)
    if body.get("code") in ("idempotency_key_reused",):
        return None
    fields = body.get("fields") or {"__all__": ""}
    shape = [name for name in fields if name not in SEMANTIC_FIELDS and not name.startswith(SEMANTIC_PREFIXES)]
    return f"422 on {shape}: {fields}" if shape else None


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_keeps_its_contract(world, path, method):
    operation = SCHEMA[path][method]
    app = InProcessWSGI()
    # What the generator draws, and the document's own examples (a real community, a real description).
    strategy = st.one_of(operation.as_strategy(), *SCHEMA.get_strategies_from_examples(operation))
    statuses: Counter[int] = Counter()

    @given(data=st.data())
    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), print_blob=False,
                         phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))
    def run(data):
        case = data.draw(strategy)
        if "code" in (case.path_parameters or {}) and len(str(case.path_parameters["code"])) % 2 == 0:
            case.path_parameters["code"] = world["case"].code  # half of them on a real case
        if "action" in (case.path_parameters or {}) and len(str(case.path_parameters["action"])) % 2 == 0:
            drawn = str(case.path_parameters["action"])
            case.path_parameters["action"] = ACTION_NAMES[len(drawn) % len(ACTION_NAMES)]  # and a real action
        _unique_idempotency_key(case)
        app.errors.clear()
        response = case.call(app=app, headers={"Authorization": f"Bearer {world['key']}"})
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code}: {app.errors!r}\n{case.as_curl_command()}"
        case.validate_response(response, checks=[
            st_checks.not_a_server_error,
            st_checks.status_code_conformance,
            st_checks.content_type_conformance,
            st_checks.response_schema_conformance,
        ])
        problem = _refused_for_shape(response)
        assert problem is None, f"{problem}\n{case.as_curl_command()}"

    run()
    TALLY[f"{method} {path}"] = statuses
    assert statuses.total() >= min(EXAMPLES, 3)
    if (path, method) in MUST_SUCCEED:
        assert any(200 <= code < 300 for code in statuses), f"never succeeded: {dict(statuses)}"

