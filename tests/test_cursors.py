"""Paging cursors are signed, bound to the listing that issued them, and validated: a forged, edited or borrowed
cursor is a 422 naming `cursor` on every list, never a 5xx and never a page it did not come from."""

from __future__ import annotations

import base64
import json

import pytest

from tests.utils.factories import make_ticket, make_user

LISTS = ["/api/tickets", "/api/tickets?status=open", "/api/users", "/api/users?role=agent", "/api/kb/documents",
         "/api/ai/examples", "/api/tickets/{ticket}/replies", "/api/tickets/{ticket}/events"]


def _b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _unsigned_forgeries() -> list[str]:
    return [
        "eyJwayI6ImRvYyJ9",  # {"pk":"doc"}: a 500 on the KB list before cursors were signed
        _b64({"pk": {"S": "doc"}, "source": {"S": "a"}}),
        _b64({"pk": {"N": "1"}, "source": {"B": "AA=="}}),
        _b64({"sk": "2099-01-01T00:00:00.000000Z#000000000000001", "page": 2}),
        _b64({"sk": "", "page": 2}),
        _b64({"sk": "x" * 5000, "page": 1}),
        _b64([1, 2, 3]),
        _b64(None),
        "bogus", "%00", "a.b.c", ".", "é.é", "A" * 1500 + ".AAAA", "=" * 10, "eyJ" + "\u0000",
    ]


def _tampered(valid: str) -> list[str]:
    payload, tag = valid.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    edited = {key: (value + 1 if isinstance(value, int) else "zzzz") for key, value in data.items()}
    flipped = ("A" if tag[0] != "A" else "B") + tag[1:]
    return [f"{_b64(edited)}.{tag}", f"{payload}.{flipped}", f"{payload}.", f"{payload}.{tag}{tag}", payload]


def _assert_refused(api, path: str, cursor: str) -> None:
    separator = "&" if "?" in path else "?"
    status, body, _ = api.request("GET", f"{path}{separator}cursor={_quote(cursor)}")
    assert status == 422, (path, cursor[:60], status, body)
    assert body["error"] == "validation_error" and body["details"][0]["field"] == "cursor", body


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@pytest.fixture
def seeded(kb_aws, api):
    requester = make_user(password=None)
    tickets = [make_ticket(requester["id"], title=f"t{n}") for n in range(3)]
    for n in range(3):
        api.post(f"/api/tickets/{tickets[0]['id']}/replies", {"content": f"reply {n}"})
        api.put(f"/api/tickets/{tickets[0]['id']}", {"title": f"renamed {n}"})
    for _ in range(3):
        make_user(role="agent")
    docs = [{"text": f"Document {n}.", "metadata": {"source": f"doc-{n}.md"}} for n in range(3)]
    assert api.post("/api/kb/ingest", {"documents": docs, "chunk": False})[0] == 201
    return {"ticket": tickets[0]["id"], "other": tickets[1]["id"]}


def _first_cursor(api, path: str) -> str:
    separator = "&" if "?" in path else "?"
    status, body = api.get(f"{path}{separator}page_size=1")
    assert status == 200 and body["next_cursor"], (path, body)
    return str(body["next_cursor"])


def test_a_forged_cursor_is_refused_by_every_list(seeded, api):
    for template in LISTS:
        path = template.format(**seeded)
        for cursor in _unsigned_forgeries():
            _assert_refused(api, path, cursor)


def test_an_edited_cursor_is_refused_and_the_original_still_pages(seeded, api):
    for template in LISTS[:5] + LISTS[6:]:
        path = template.format(**seeded)
        valid = _first_cursor(api, path)
        for cursor in _tampered(valid):
            _assert_refused(api, path, cursor)
        separator = "&" if "?" in path else "?"
        status, _ = api.get(f"{path}{separator}page_size=1&cursor={_quote(valid)}")
        assert status == 200, path


def test_a_cursor_from_one_list_is_refused_by_another(seeded, api):
    paths = [template.format(**seeded) for template in LISTS if template != "/api/ai/examples"]
    paths.append(f"/api/tickets/{seeded['other']}/replies")
    cursors = {path: _first_cursor(api, path) for path in paths if not path.endswith(f"{seeded['other']}/replies")}
    for issued_by, cursor in cursors.items():
        for path in paths:
            if path != issued_by:
                _assert_refused(api, path, cursor)


def test_a_signed_cursor_with_a_bad_position_is_refused(seeded, api):
    """Even a correctly signed payload is checked (a key shared with an older release must not become a 5xx)."""
    from chalicelib.store import cursors, listing

    scope = listing.partition_key("ticket", {})
    bad = [{"sk": "x" * 201, "page": 2}, {"sk": "a\u0000b", "page": 2}, {"sk": "a", "page": True},
           {"sk": "a", "page": 0}, {"sk": "a", "page": 10**12}, {"sk": 5, "page": 2}, {"sk": "a"},
           {"sk": "a", "page": 2, "pk": "user|"}]
    for position in bad:
        _assert_refused(api, "/api/tickets", cursors.encode(scope, position))


def test_a_requester_cannot_use_another_requesters_ticket_cursor(aws, app):
    from chalice.test import Client

    from tests.conftest import ROOT, Api
    from tests.utils.factories import make_user_with_token

    alice, bob = make_user_with_token(), make_user_with_token()
    for n in range(3):
        make_ticket(alice["id"], title=f"alice {n}")
        make_ticket(bob["id"], title=f"bob {n}")
    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        as_alice, as_bob = Api(client, alice["token"]), Api(client, bob["token"])
        cursor = _first_cursor(as_alice, "/api/tickets")
        _assert_refused(as_bob, "/api/tickets", cursor)
        assert as_alice.get(f"/api/tickets?page_size=1&cursor={_quote(cursor)}")[0] == 200
