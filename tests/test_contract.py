"""One contract from schema to runtime: every route's body matches the OpenAPI document, and the serializer
refuses a view result that does not fit its declared response."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.app import Blueprint, Chalice
from chalice.test import Client
from jsonschema import Draft202012Validator

import app  # noqa: F401  (importing it registers every blueprint's routes in ROUTES)
from chalicelib.api import http
from chalicelib.api.http import ROUTES, Call, Reply, RouteSpec, endpoint
from chalicelib.api.openapi import build_spec
from chalicelib.schemas.common import PageOf, PathId, PathKey
from chalicelib.schemas.tickets import TicketDeleting
from chalicelib.schemas.users import UserOut
from tests.utils.factories import make_ticket, make_user

_EXAMPLES = [
    {"text": "I forgot my password and cannot log in", "label": "account_access"},
    {"text": "my account is locked after failed sign in attempts", "label": "account_access"},
    {"text": "I was charged twice on my credit card", "label": "billing"},
    {"text": "please send me the invoice for last month", "label": "billing"},
]
_DOC = {"text": "# Password resets\n\nChoose \"Forgot password\" on the sign-in page; the link lasts 30 minutes.\n",
        "metadata": {"source": "faq/reset.md"}}


@dataclass
class Case:
    """One call of a route: the concrete path, a JSON body, and the status it must answer with."""

    path: str
    body: Any = None
    status: int | None = None


class World:
    """The data the routes need, created on demand through the API or the services (no fakes)."""

    def __init__(self, api: Any, admin: dict[str, Any]) -> None:
        self.api = api
        self.admin = admin

    def ticket(self, **fields: Any) -> int:
        requester = make_user(password=None)
        return int(make_ticket(requester["id"], **fields)["id"])

    def ticket_with_reply(self) -> int:
        ticket_id = self.ticket()
        assert self.api.post(f"/api/tickets/{ticket_id}/replies", {"content": "On it."})[0] == 201
        return ticket_id

    def own_resolved_ticket(self) -> int:
        return int(make_ticket(self.admin["id"], status="resolved")["id"])

    def webhook(self) -> str:
        status, hook = self.api.post("/api/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]})
        assert status == 201, hook
        return str(hook["id"])

    def api_key(self) -> str:
        status, key = self.api.post("/api/auth/api-keys", {"name": "CI", "scopes": ["tickets:read"]})
        assert status == 201, key
        return str(key["key_id"])

    def refresh_token(self) -> str:
        status, tokens = self.api.post("/api/auth/login", {"email": self.admin["email"],
                                                           "password": "correct horse battery"})
        assert status == 200, tokens
        return str(tokens["refresh_token"])

    def trained(self) -> None:
        from chalicelib.services import training

        assert self.api.post("/api/ai/examples", _EXAMPLES)[0] == 202
        assert "version" in training.train()

    def attachment(self) -> str:
        """A file uploaded through the presigned form and bound to a reply."""
        import requests

        ticket_id = self.ticket()
        status, created = self.api.post(f"/api/tickets/{ticket_id}/attachments",
                                        {"filename": "log.txt", "content_type": "text/plain", "size": 5})
        assert status == 201, created
        upload = created["upload"]
        response = requests.post(upload["url"], data=upload["fields"], files={"file": ("log.txt", b"hello")},
                                 timeout=10)
        assert response.status_code < 300, response.text
        attachment_id = str(created["attachment"]["id"])
        status, reply = self.api.post(f"/api/tickets/{ticket_id}/replies",
                                      {"content": "see the log", "attachment_ids": [attachment_id]})
        assert status == 201, reply
        return attachment_id

    def kb_document(self, collection: str = "default") -> list[str]:
        status, body = self.api.post("/api/kb/ingest", {"documents": [_DOC], "collection": collection})
        assert status == 201, body
        return list(body["ids"])

    def collection(self, name: str = "runbooks") -> str:
        status, body = self.api.post("/api/kb/collections", {"name": name, "visibility": "internal",
                                                             "description": "How agents fix things"})
        assert status == 201, body
        return name


def _suggest(w: World) -> Case:
    w.trained()
    w.kb_document()
    return Case(f"/api/ai/tickets/{w.ticket(title='Locked out', content='I cannot sign in')}/suggest")


def _classify(w: World) -> Case:
    w.trained()
    return Case("/api/ai/classify", {"text": "my password does not work"})


def _examples(w: World) -> Case:
    w.api.post("/api/ai/examples", _EXAMPLES)
    return Case("/api/ai/examples?page_size=2")


def _labels(w: World) -> Case:
    w.api.post("/api/ai/labels", {"labels": [{"name": "billing", "description": "Invoices and payments"}]})
    return Case("/api/ai/labels")


def _delete_collection(w: World) -> Case:
    w.kb_document(w.collection())
    return Case("/api/kb/collections/runbooks?delete_documents=true")


def _delete_chunks(w: World) -> Case:
    return Case("/api/kb/delete", {"ids": [*w.kb_document(), "missing-chunk"]})


def _events(w: World) -> Case:
    ticket_id = w.ticket()
    w.api.put(f"/api/tickets/{ticket_id}", {"status": "in_progress", "assignee_id": w.admin["id"]})
    return Case(f"/api/tickets/{ticket_id}/events")


def _merge(w: World) -> Case:
    survivor, duplicate = w.ticket(), w.ticket_with_reply()
    return Case(f"/api/tickets/{duplicate}/merge", {"into": survivor, "confirm_cross_requester": True})


def _ai_answered_ticket(w: World) -> int:
    """A requester's ticket the AI answered: classified, then decided by the auto-reply consumer."""
    from chalicelib.handlers import ai as ai_handlers
    from chalicelib.handlers import auto_reply as auto_reply_handlers
    from tests.test_ai import CONTEXT, as_event, queued

    w.trained()
    doc = {"text": _DOC["text"], "metadata": {"source": "faq/reset-ai.md", "category": "account_access"}}
    assert w.api.post("/api/kb/ingest", {"documents": [doc]})[0] == 201
    assert w.api.put("/api/ai/auto-reply", {"enabled": True, "min_confidence": 0, "min_similarity": 0})[0] == 200
    queued("classify")
    ticket_id = w.ticket(title="Locked out", content="I forgot my password and cannot log in")
    assert ai_handlers.classify_tickets(as_event(queued("classify")), CONTEXT) == {"batchItemFailures": []}
    assert auto_reply_handlers.decide_auto_replies(as_event(queued("auto-reply")), CONTEXT) == {
        "batchItemFailures": []}
    assert w.api.get(f"/api/tickets/{ticket_id}")[1]["ai_response"]["decision"] == "sent"
    return ticket_id


def _copilot_session(w: World, **fields: Any) -> str:
    status, session = w.api.post("/api/ai/chat/sessions", fields)
    assert status == 201, session
    return str(session["id"])


def _copilot_asked(w: World) -> str:
    w.kb_document()
    session_id = _copilot_session(w, ticket_id=w.ticket(title="Locked out", content="I forgot my password"))
    status, turn = w.api.post(f"/api/ai/chat/sessions/{session_id}/messages", {"content": "How do I reset it?"})
    assert status == 201, turn
    return session_id


def _list_webhooks(w: World) -> Case:
    w.webhook()
    return Case("/api/webhooks")


def _list_keys(w: World) -> Case:
    w.api_key()
    return Case("/api/auth/api-keys")


def _summary(w: World) -> Case:
    ticket_id = w.ticket(priority="high")
    w.api.post(f"/api/tickets/{ticket_id}/replies", {"content": "Looking into it."})
    w.api.put(f"/api/tickets/{ticket_id}", {"status": "resolved", "assignee_id": w.admin["id"]})
    return Case("/api/analytics/summary")


_POLICY = {"targets": {p: {"first_response_s": 3600, "resolution_s": 86400}
                       for p in ("urgent", "high", "medium", "low")},
           "business_hours": {"timezone": "Europe/Amsterdam", "days": [0, 1, 2, 3, 4]}}

CASES: dict[tuple[str, str], Callable[[World], Case]] = {
    ("POST", "/api/ai/tickets/{ticket_id}/suggest"): _suggest,
    ("POST", "/api/ai/classify"): _classify,
    ("GET", "/api/ai/classifier"): lambda w: Case("/api/ai/classifier"),
    ("GET", "/api/ai/auto-reply"): lambda w: Case("/api/ai/auto-reply"),
    ("PUT", "/api/ai/auto-reply"): lambda w: Case("/api/ai/auto-reply", {"enabled": True, "categories": ["billing"]}),
    ("POST", "/api/tickets/{ticket_id}/ai-feedback"): lambda w: Case(
        f"/api/tickets/{_ai_answered_ticket(w)}/ai-feedback", {"helpful": True}),
    ("POST", "/api/ai/answer"): lambda w: (w.trained(), w.kb_document(),
                                           Case("/api/ai/answer", {"question": "How do I reset my password?"}))[2],
    ("POST", "/api/ai/deflections"): lambda w: Case("/api/ai/deflections", {"question": "How do I reset it?",
                                                                            "category": "account_access"}),
    ("POST", "/api/ai/chat/sessions"): lambda w: Case("/api/ai/chat/sessions", {"title": "Refunds",
                                                                                "ticket_id": w.ticket()}),
    ("GET", "/api/ai/chat/sessions"): lambda w: (_copilot_asked(w), _copilot_session(w),
                                                 Case("/api/ai/chat/sessions?page_size=1"))[2],
    ("GET", "/api/ai/chat/sessions/{session_id}"): lambda w: Case(f"/api/ai/chat/sessions/{_copilot_asked(w)}"),
    ("POST", "/api/ai/chat/sessions/{session_id}/messages"): lambda w: Case(
        f"/api/ai/chat/sessions/{_copilot_session(w)}/messages", {"content": "How do I reset a password?"}),
    ("POST", "/api/ai/examples"): lambda w: Case("/api/ai/examples", {"examples": _EXAMPLES}),
    ("GET", "/api/ai/examples"): _examples,
    ("POST", "/api/ai/labels"): lambda w: Case("/api/ai/labels", {"labels": [{"name": "billing"}]}),
    ("GET", "/api/ai/labels"): _labels,
    ("POST", "/api/ai/train"): lambda w: Case("/api/ai/train"),
    ("POST", "/api/auth/login"): lambda w: Case("/api/auth/login", {"email": w.admin["email"],
                                                                     "password": "correct horse battery"}),
    ("POST", "/api/auth/refresh"): lambda w: Case("/api/auth/refresh", {"refresh_token": w.refresh_token()}),
    ("GET", "/api/auth/me"): lambda w: Case("/api/auth/me"),
    ("POST", "/api/auth/logout"): lambda w: Case("/api/auth/logout"),
    ("POST", "/api/auth/api-keys"): lambda w: Case("/api/auth/api-keys", {"name": "CI", "scopes": ["ai"]}),
    ("GET", "/api/auth/api-keys"): _list_keys,
    ("DELETE", "/api/auth/api-keys/{key_id}"): lambda w: Case(f"/api/auth/api-keys/{w.api_key()}"),
    ("GET", "/health"): lambda w: Case("/health"),
    ("POST", "/api/kb/ingest"): lambda w: Case("/api/kb/ingest", {"documents": [_DOC]}),
    ("POST", "/api/kb/search"): lambda w: (w.kb_document(), Case("/api/kb/search", {"query": "reset link"}))[1],
    ("POST", "/api/kb/delete"): _delete_chunks,
    ("GET", "/api/kb/documents"): lambda w: (w.kb_document(), Case("/api/kb/documents"))[1],
    ("GET", "/api/kb/collections"): lambda w: (w.kb_document(w.collection()), Case("/api/kb/collections"))[1],
    ("POST", "/api/kb/collections"): lambda w: Case("/api/kb/collections", {"name": "help-centre",
                                                                          "visibility": "public"}),
    ("PUT", "/api/kb/collections/{name}"): lambda w: Case(f"/api/kb/collections/{w.collection()}",
                                                          {"visibility": "public", "description": "Now public"}),
    ("DELETE", "/api/kb/collections/{name}"): _delete_collection,
    ("GET", "/api/sla/policy"): lambda w: Case("/api/sla/policy"),
    ("PUT", "/api/sla/policy"): lambda w: Case("/api/sla/policy", _POLICY),
    ("POST", "/api/tickets/{ticket_id}/rating"): lambda w: Case(f"/api/tickets/{w.own_resolved_ticket()}/rating",
                                                                {"score": 4, "comment": "Quick"}),
    ("POST", "/api/tickets/{ticket_id}/merge"): _merge,
    ("GET", "/api/tickets/{ticket_id}/events"): _events,
    ("POST", "/api/webhooks"): lambda w: Case("/api/webhooks", {"url": "http://127.0.0.1:9/h",
                                                                "events": ["reply.created"], "description": "CI"}),
    ("GET", "/api/webhooks"): _list_webhooks,
    ("DELETE", "/api/webhooks/{webhook_id}"): lambda w: Case(f"/api/webhooks/{w.webhook()}"),
    ("GET", "/api/analytics/summary"): _summary,
    ("POST", "/api/tickets"): lambda w: Case("/api/tickets", {"title": "VPN down", "content": "Since 9am.",
                                                              "tags": "vpn, network"}),
    ("GET", "/api/tickets"): lambda w: (w.ticket(), w.ticket(), Case("/api/tickets?page_size=1"))[2],
    ("GET", "/api/tickets/{ticket_id}"): lambda w: Case(f"/api/tickets/{w.ticket(tags=['a'])}"),
    ("PUT", "/api/tickets/{ticket_id}"): lambda w: Case(f"/api/tickets/{w.ticket()}", {"priority": "urgent"}),
    ("DELETE", "/api/tickets/{ticket_id}"): lambda w: Case(f"/api/tickets/{w.ticket_with_reply()}"),
    ("POST", "/api/tickets/{ticket_id}/replies"): lambda w: Case(f"/api/tickets/{w.ticket()}/replies",
                                                                 {"content": "Note", "internal": True}),
    ("GET", "/api/tickets/{ticket_id}/replies"): lambda w: Case(f"/api/tickets/{w.ticket_with_reply()}/replies"),
    ("POST", "/api/users"): lambda w: Case("/api/users", {"email": "new.agent@example.com", "name": "New Agent",
                                                          "role": "agent"}),
    ("GET", "/api/users"): lambda w: (make_user(), Case("/api/users?page_size=1"))[1],
    ("GET", "/api/users/{user_id}"): lambda w: Case(f"/api/users/{make_user()['id']}"),
    ("PUT", "/api/users/{user_id}"): lambda w: Case(f"/api/users/{make_user()['id']}", {"name": "Renamed"}),
    ("POST", "/api/tickets/{ticket_id}/attachments"): lambda w: Case(
        f"/api/tickets/{w.ticket()}/attachments", {"filename": "log.txt", "content_type": "text/plain", "size": 12}),
    ("GET", "/api/attachments/{attachment_id}"): lambda w: Case(f"/api/attachments/{w.attachment()}"),
    ("GET", "/api/mail/preferences"): lambda w: Case("/api/mail/preferences"),
    ("PUT", "/api/mail/preferences"): lambda w: Case("/api/mail/preferences", {"email_notifications": False}),
}


def _closed(schema: Any) -> Any:
    """The schema with every object closed to undocumented properties (so extra fields count as drift too)."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _closed(copy.deepcopy(build_spec()))


def _response_schema(spec: dict[str, Any], route: RouteSpec, status: int) -> dict[str, Any] | None:
    responses = spec["paths"][route.path][route.method.lower()]["responses"]
    assert str(status) in responses, f"{route.method} {route.path} answered {status}, which it does not document"
    content = responses[str(status)].get("content")
    if content is None:
        return None
    return {**content["application/json"]["schema"], "components": spec["components"]}


def _route_id(route: RouteSpec) -> str:
    return f"{route.method} {route.path}"


@pytest.fixture
def world(kb_aws: Any, api: Any, admin: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from chalicelib.config import reset_process_state

    monkeypatch.setattr(http, "UNDECLARED_FIELDS", "forbid")
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    monkeypatch.delenv("LLM_BASE_URL", raising=False)
    reset_process_state()
    yield World(api, admin)
    reset_process_state()


def test_every_route_has_a_contract_case() -> None:
    declared = {(route.method, route.path) for route in ROUTES}
    assert declared == set(CASES), {"without a case": declared - set(CASES), "stale": set(CASES) - declared}


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_route_answers_with_the_body_its_schema_documents(route: RouteSpec, world: World,
                                                          spec: dict[str, Any]) -> None:
    # GIVEN the data this route needs
    case = CASES[(route.method, route.path)](world)
    # WHEN an admin calls it
    status, text, _ = _raw(world.api, route.method, case.path, case.body)
    # THEN it answers with the documented status and a body that fits that status's schema exactly
    assert status == (case.status or route.status), text
    schema = _response_schema(spec, route, status)
    if schema is None:
        assert text == "", f"{status} documents no body"
        return
    errors = sorted(Draft202012Validator(schema).iter_errors(json.loads(text)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def _raw(api: Any, method: str, path: str, body: Any) -> tuple[int, str, dict[str, str]]:
    headers = {"content-type": "application/json", "authorization": f"Bearer {api.token}"}
    data = json.dumps(body).encode() if body is not None else b""
    response = api.client.http.request(method, path, headers=headers, body=data)
    return response.status_code, response.body.decode("utf-8") if response.body else "", dict(response.headers)



@pytest.fixture
def scratch_api() -> Iterator[tuple[Blueprint, Callable[[str, str], tuple[int, Any]]]]:
    """A throwaway Chalice app for views declared inside a test (its routes are removed from ROUTES after)."""
    before = list(ROUTES)
    bp = Blueprint("scratch")
    apps: list[Chalice] = []

    def call(method: str, path: str) -> tuple[int, Any]:
        if not apps:  # Chalice registers a blueprint's routes once: declare every view before the first call
            apps.append(Chalice(app_name="scratch"))
            apps[0].register_blueprint(bp)
        with Client(apps[0]) as client:
            response = client.http.request(method, path)
        return response.status_code, json.loads(response.body) if response.body else None

    yield bp, call
    ROUTES[:] = before


_USER = {"id": 7, "email": "a@example.com", "name": "A", "role": "agent", "created_at": "2026-12-01T00:00:00Z",
         "updated_at": "2026-12-01T00:00:00Z"}


def test_a_view_result_that_does_not_fit_its_schema_is_a_logged_500(scratch_api, caplog) -> None:
    bp, call = scratch_api

    @endpoint(bp, "GET", "/drift", summary="drift", tag="test", response=UserOut)
    def drift(_call: Call) -> dict[str, Any]:
        return {**_USER, "id": "seven", "role": "superuser"}

    status, body = call("GET", "/drift")
    assert status == 500
    assert body == {"error": "internal", "message": "internal error; it has been logged", "details": []}
    [record] = [r for r in caplog.records if r.getMessage() == "response does not fit its schema"]
    problem = str(record.__dict__["problem"])
    assert "'loc': 'id'" in problem and "'loc': 'role'" in problem
    assert "seven" not in problem and "superuser" not in problem, "the log names fields, never their values"


def test_fields_the_schema_does_not_declare_are_never_sent(scratch_api, monkeypatch) -> None:
    bp, call = scratch_api

    @endpoint(bp, "GET", "/leaky", summary="leaky", tag="test", response=PageOf[UserOut])
    def leaky(_call: Call) -> dict[str, Any]:
        user = {**_USER, "password_hash": "$argon2id$...", "token_version": 3}
        return {"items": [user], "page": 1, "page_size": 20, "total": 1, "next_cursor": None, "debug": True}

    assert call("GET", "/leaky") == (200, {"items": [_USER], "page": 1, "page_size": 20, "total": 1,
                                           "next_cursor": None})
    # the route walk above runs with undeclared fields refused, so a service that returns one fails there
    monkeypatch.setattr(http, "UNDECLARED_FIELDS", "forbid")
    assert call("GET", "/leaky")[0] == 500


def test_a_status_the_route_does_not_document_is_a_500(scratch_api) -> None:
    bp, call = scratch_api

    @endpoint(bp, "GET", "/other", summary="other", tag="test", response=UserOut)
    def other(_call: Call) -> Reply:
        return Reply(_USER, 202)

    @endpoint(bp, "DELETE", "/other", summary="other", tag="test", status=204, other_responses={202: TicketDeleting})
    def gone(_call: Call) -> Reply:
        return Reply({"status": "deleting"}, 202)

    assert call("GET", "/other")[0] == 500
    assert call("DELETE", "/other") == (202, {"status": "deleting"})


def test_path_parameters_are_typed_from_the_view_and_a_misfit_is_a_404(scratch_api) -> None:
    bp, call = scratch_api
    seen: list[Any] = []

    @endpoint(bp, "GET", "/things/{thing_id}/parts/{part_key}", summary="part", tag="test", response=UserOut)
    def part(_call: Call, thing_id: PathId, part_key: PathKey) -> dict[str, Any]:
        seen.append((thing_id, part_key))
        return _USER

    assert call("GET", "/things/12/parts/ab3")[0] == 200 and seen == [(12, "ab3")]
    status, body = call("GET", "/things/012/parts/ab3")
    assert status == 404 and body["message"] == "thing '012' not found"
    assert call("GET", "/things/12/parts/a-b")[0] == 404
    assert call("GET", "/things/12/parts/" + "a" * 41)[0] == 404
    assert len(seen) == 1


def test_a_view_must_annotate_exactly_its_path_parameters(scratch_api) -> None:
    bp, _ = scratch_api
    with pytest.raises(TypeError, match="path parameters"):
        @endpoint(bp, "GET", "/things/{thing_id}", summary="thing", tag="test", response=UserOut)
        def thing(_call: Call, thing: PathId) -> dict[str, Any]:
            return _USER


def test_the_document_types_each_path_parameter_as_its_view_declares_it() -> None:
    params = {(path, p["name"]): p["schema"] for path, item in build_spec()["paths"].items()
              for op in item.values() for p in op.get("parameters", []) if p["in"] == "path"}
    assert params[("/api/tickets/{ticket_id}", "ticket_id")] == {"type": "integer", "minimum": 1,
                                                                 "maximum": 2**53 - 1}
    assert params[("/api/users/{user_id}", "user_id")]["type"] == "integer"
    for key in (("/api/webhooks/{webhook_id}", "webhook_id"), ("/api/auth/api-keys/{key_id}", "key_id")):
        assert params[key] == {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9]+$"}


def test_the_analytics_summary_blocks_are_closed_typed_objects() -> None:
    schemas = build_spec()["components"]["schemas"]
    summary = schemas["SummaryOut"]
    assert "additionalProperties" not in summary and {"from", "to"} <= set(summary["required"])
    for block in ("totals", "backlog", "first_response", "resolution", "sla", "csat", "ai", "cost"):
        assert "$ref" in summary["properties"][block], block
    assert set(schemas["Backlog"]["properties"]["by_status"]["$ref"].rsplit("/", 1)[1:]) == {"StatusCounts"}
    assert schemas["SlaSummary"]["properties"]["resolution_by_agent"]["items"]["$ref"].endswith("AgentAttainment")
