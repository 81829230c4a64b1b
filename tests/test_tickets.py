"""Tickets: create, validate, read, update (with optimistic locking), filter and page."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.utils.factories import make_ticket, make_user, make_user_with_token


@pytest.fixture
def alice(aws):
    return make_user(name="Alice")


def new_ticket(requester_id, **extra):
    return {"title": "Cannot login", "content": "I am unable to login", "priority": "high",
            "tags": "login, Auth,login", "requester_id": requester_id, **extra}


def test_create_ticket_echoes_fields_and_normalises_tags(api, alice):
    status, ticket, headers = api.request("POST", "/api/tickets", new_ticket(alice["id"]))
    assert status == 201, ticket
    assert ticket["tags"] == ["login", "auth"]
    assert ticket["status"] == "open" and ticket["priority"] == "high"
    assert ticket["requester_id"] == alice["id"] and ticket["assignee_id"] is None
    assert ticket["version"] == 1
    assert ticket["created_at"].endswith("Z") and ticket["created_at"] == ticket["updated_at"]
    assert headers["location"] == f"/api/tickets/{ticket['id']}"
    assert headers["etag"] == '"1"'


def test_tags_as_a_list_are_accepted(api, alice):
    status, ticket = api.post("/api/tickets", new_ticket(alice["id"], tags=["VPN", " remote  access "]))
    assert status == 201
    assert ticket["tags"] == ["vpn", "remote access"]


def test_ticket_ids_are_sequential_integers(api, alice):
    ids = [api.post("/api/tickets", new_ticket(alice["id"]))[1]["id"] for _ in range(3)]
    assert ids == list(range(ids[0], ids[0] + 3))


def test_concurrent_creates_get_distinct_ids(api, alice):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: make_ticket(alice["id"]), range(16)))
    ids = [t["id"] for t in results]
    assert len(set(ids)) == 16
    _, page = api.get(f"/api/tickets?requester_id={alice['id']}&page_size=100")
    assert page["total"] == 16 and len(page["items"]) == 16


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "two\nlines"}, "title"),
    ({"content": "   "}, "content"),
    ({"content": "x" * 50_001}, "content"),
    ({"content": "bad \x00 byte"}, "content"),
    ({"priority": "whenever"}, "priority"),
    ({"status": "sleeping"}, "status"),
    ({"tags": ["a,b"]}, "tags.0"),
    ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
    ({"tags": 5}, "tags"),
    ({"requester_id": "abc"}, "requester_id"),
    ({"requester_id": True}, "requester_id"),
    ({"requester_id": 2**60}, "requester_id"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_ticket_fields_are_422_naming_the_field(api, alice, change, field):
    status, body = api.post("/api/tickets", {**new_ticket(alice["id"]), **change})
    assert status == 422, (status, body)
    assert body["error"] == "validation_error"
    assert field in [d["field"] for d in body["details"]], body


def test_lone_surrogate_is_refused_not_a_500(api, alice):
    raw = json.dumps(new_ticket(alice["id"])).replace("Cannot login", "bad \\ud800 text").encode()
    status, body = api.post("/api/tickets", raw=raw)
    assert status == 422, body
    assert body["details"][0]["field"] == "title"


def test_missing_title_and_unknown_requester(api, alice):
    status, body = api.post("/api/tickets", {"content": "no title", "requester_id": alice["id"]})
    assert status == 422 and body["details"][0]["field"] == "title"
    status, body = api.post("/api/tickets", new_ticket(999999))
    assert status == 422
    assert body["details"] == [{"field": "requester_id", "message": "no user with this id"}]


def test_unknown_requester_leaves_nothing_behind(api, alice):
    api.post("/api/tickets", new_ticket(424242))
    _, page = api.get("/api/tickets")
    assert page["items"] == [] and page["total"] == 0


def test_assignee_must_be_an_agent(api, alice):
    agent = make_user(role="agent")
    status, body = api.post("/api/tickets", new_ticket(alice["id"], assignee_id=alice["id"]))
    assert status == 422 and body["details"][0]["field"] == "assignee_id"
    status, ticket = api.post("/api/tickets", new_ticket(alice["id"], assignee_id=agent["id"]))
    assert status == 201 and ticket["assignee_id"] == agent["id"]


def test_malformed_json_is_400_and_wrong_content_type_is_rejected(api, alice):
    status, body = api.post("/api/tickets", raw=b"{not json")
    assert status == 400 and body["error"] == "bad_request"
    status, body, _ = api.request("POST", "/api/tickets", raw=b"title=x", headers={"content-type": "text/plain"})
    assert status in (400, 415)
    assert body["details"][0]["field"] == "Content-Type"
    status, body = api.post("/api/tickets", raw=b"[1, 2]")
    assert status == 422
    status, body = api.post("/api/tickets", raw=b'{"title": NaN}')
    assert status == 400


def test_body_over_one_megabyte_is_413(api, alice):
    status, body = api.post("/api/tickets", new_ticket(alice["id"], content="x" * 1_100_000))
    assert status == 413 and body["error"] == "payload_too_large"


def test_get_ticket_and_unknown_ids(api, alice):
    ticket = make_ticket(alice["id"])
    status, body, headers = api.request("GET", f"/api/tickets/{ticket['id']}")
    assert status == 200 and body == ticket and headers["etag"] == '"1"'
    for bad in ("999999", "not-a-number", "1.5", "0", "99999999999999999999"):
        assert api.get(f"/api/tickets/{bad}")[0] == 404


def test_partial_update_changes_only_what_was_sent(api, alice):
    ticket = make_ticket(alice["id"], tags=["a"], priority="high")
    status, updated = api.put(f"/api/tickets/{ticket['id']}", {"status": "in_progress"})
    assert status == 200
    assert updated["status"] == "in_progress"
    assert {k: updated[k] for k in ("title", "content", "priority", "tags")} == \
           {k: ticket[k] for k in ("title", "content", "priority", "tags")}
    assert updated["updated_at"] > ticket["updated_at"]
    assert updated["version"] == 2


def test_a_requesters_own_words_cannot_be_edited_by_staff(api, alice):
    # GIVEN a ticket the requester wrote (no created_by) and one an agent entered on her behalf
    own = make_ticket(alice["id"], content="My printer is on fire.")
    assert own["created_by"] is None
    status, entered = api.post("/api/tickets", {"title": "Phone call", "content": "Caller says: printer broke.",
                                                 "requester_id": alice["id"]})
    assert status == 201 and entered["created_by"]
    # WHEN staff change the requester's content THEN 422 naming content, and nothing is written
    status, body = api.put(f"/api/tickets/{own['id']}", {"content": "Printer is fine.", "title": "Edited"})
    assert status == 422 and [d["field"] for d in body["details"]] == ["content"]
    assert api.get(f"/api/tickets/{own['id']}")[1]["title"] == own["title"]
    # the same content sent back (a form posting every field) and the title alone are fine
    status, body = api.put(f"/api/tickets/{own['id']}", {"content": own["content"], "title": "Printer fire"})
    assert status == 200 and body["content"] == own["content"] and body["title"] == "Printer fire"
    # text a staff member entered can be corrected
    status, body = api.put(f"/api/tickets/{entered['id']}", {"content": "Caller says: printer jams."})
    assert status == 200 and body["content"] == "Caller says: printer jams."


def test_update_validates_and_refuses_empty_or_null_changes(api, alice):
    ticket = make_ticket(alice["id"])
    assert api.put(f"/api/tickets/{ticket['id']}", {})[0] == 422
    status, body = api.put(f"/api/tickets/{ticket['id']}", {"title": None})
    assert status == 422 and body["details"][0]["field"] == "title"
    status, body = api.put(f"/api/tickets/{ticket['id']}", {"requester_id": 777777})
    assert status == 422 and body["details"][0]["field"] == "requester_id"
    assert api.put("/api/tickets/999999", {"status": "closed"})[0] == 404


def test_stale_version_is_409_and_keeps_the_other_edit(api, alice):
    ticket = make_ticket(alice["id"])
    path = f"/api/tickets/{ticket['id']}"
    assert api.put(path, {"title": "First edit", "version": 1})[0] == 200
    status, body = api.put(path, {"title": "Second edit", "version": 1})
    assert status == 409 and body["error"] == "version_conflict"
    status, body, _ = api.request("PUT", path, {"title": "Third edit"}, headers={"if-match": '"1"'})
    assert status == 409
    assert api.get(path)[1]["title"] == "First edit"
    status, body, headers = api.request("PUT", path, {"title": "Fourth edit"}, headers={"if-match": '"2"'})
    assert status == 200 and headers["etag"] == '"3"'


def test_two_concurrent_writers_with_the_same_version_one_wins_one_gets_409(api, alice):
    ticket = make_ticket(alice["id"])
    path = f"/api/tickets/{ticket['id']}"

    def edit(title):
        return api.put(path, {"title": title, "version": 1})

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(edit, ["Writer A", "Writer B"]))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    winner = next(body for status, body in results if status == 200)
    assert api.get(path)[1]["title"] == winner["title"]


def test_update_moves_ticket_between_filtered_lists_and_totals(api, alice):
    ticket = make_ticket(alice["id"], status="open", priority="low")
    api.put(f"/api/tickets/{ticket['id']}", {"status": "resolved", "priority": "urgent"})
    _, open_page = api.get("/api/tickets?status=open")
    _, resolved = api.get("/api/tickets?status=resolved&priority=urgent")
    assert open_page["items"] == [] and open_page["total"] == 0
    assert [t["id"] for t in resolved["items"]] == [ticket["id"]] and resolved["total"] == 1


def test_filters_combine_exactly(api, alice):
    bob = make_user(name="Bob")
    agent = make_user(role="agent")
    wanted = [("open", "high", None), ("open", "low", agent["id"]), ("closed", "high", None),
              ("open", "high", agent["id"]), ("in_progress", "medium", None), ("open", "high", None)]
    made = [make_ticket(bob["id"], status=s, priority=p, assignee_id=a) for s, p, a in wanted]
    make_ticket(alice["id"], status="open", priority="high")

    def ids(query):
        status, page = api.get(f"/api/tickets?{query}&page_size=100")
        assert status == 200, page
        return {t["id"] for t in page["items"]}, page["total"]

    expected = {t["id"] for t in made if t["status"] == "open" and t["priority"] == "high"}
    assert ids(f"status=open&priority=high&requester_id={bob['id']}") == (expected, 3)
    assert ids(f"assignee_id={agent['id']}") == ({made[1]["id"], made[3]["id"]}, 2)
    unassigned = {t["id"] for t in made if t["assignee_id"] is None}
    assert ids(f"assignee_id=none&requester_id={bob['id']}") == (unassigned, 4)
    assert ids("status=closed")[0] == {made[2]["id"]}


def test_pages_cover_every_ticket_once_newest_first(api, alice):
    made = [make_ticket(alice["id"], title=f"T{n}") for n in range(7)]
    seen, page = [], 1
    while True:
        status, body = api.get(f"/api/tickets?page={page}&page_size=3")
        assert status == 200
        seen += body["items"]
        assert body["total"] == 7
        if body["next_cursor"] is None:
            break
        page += 1
    assert [t["id"] for t in seen] == [t["id"] for t in reversed(made)]
    created = [t["created_at"] for t in seen]
    assert created == sorted(created, reverse=True)


def test_cursor_paging_matches_page_numbers(api, alice):
    for n in range(5):
        make_ticket(alice["id"], title=f"T{n}")
    _, first = api.get("/api/tickets?page_size=2")
    _, by_cursor = api.get(f"/api/tickets?page_size=2&cursor={first['next_cursor']}")
    _, by_number = api.get("/api/tickets?page_size=2&page=2")
    assert by_cursor["items"] == by_number["items"] and by_cursor["page"] == 2


def test_list_parameters_are_validated(api):
    for query, field in [("page_size=100000", "page_size"), ("page_size=0", "page_size"), ("page=0", "page"),
                         ("status=bogus", "status"), ("requester_id=abc", "requester_id"),
                         ("cursor=%%%", "cursor"), ("assignee_id=someone", "assignee_id")]:
        status, body = api.get(f"/api/tickets?{query}")
        assert status == 422, (query, body)
        assert field in [d["field"].split(".")[0] for d in body["details"]], (query, body)


def test_page_numbers_beyond_the_offset_cap_point_to_the_cursor(api):
    status, body = api.get("/api/tickets?page=600&page_size=100")
    assert status == 422
    assert "cursor" in body["details"][0]["message"]


@pytest.mark.parametrize("field, value", [("status", "resolved"), ("priority", "urgent"), ("status", "open"),
                                          ("assignee_id", None), ("priority", "medium")])
def test_requesters_never_set_triage_fields_on_create(api, field, value):
    requester = make_user_with_token()
    as_requester = api.as_(requester["token"])
    status, body = as_requester.post("/api/tickets", {"title": "Help", "content": "Please", field: value})
    assert status == 422 and [d["field"] for d in body["details"]] == [field], body
    assert as_requester.get("/api/tickets")[1]["total"] == 0
    status, ticket = as_requester.post("/api/tickets", {"title": "Help", "content": "Please"})
    assert status == 201 and (ticket["status"], ticket["priority"], ticket["assignee_id"]) == ("open", "medium", None)


def test_requesters_never_set_triage_fields_on_update_nor_rate_an_open_ticket(api):
    requester = make_user_with_token()
    as_requester = api.as_(requester["token"])
    _, ticket = as_requester.post("/api/tickets", {"title": "Help", "content": "Please"})
    for change in ({"status": "resolved"}, {"priority": "urgent"}, {"category": "billing"},
                   {"assignee_id": requester["id"]}):
        assert as_requester.put(f"/api/tickets/{ticket['id']}", change)[0] == 403, change
    assert as_requester.post(f"/api/tickets/{ticket['id']}/rating", {"score": 5})[0] == 409
    _, after = api.get(f"/api/tickets/{ticket['id']}")
    assert (after["status"], after["priority"], after["category"], after["version"]) == ("open", "medium", None, 1)


def test_a_requester_naming_someone_else_is_refused_naming_the_field(api):
    requester, other = make_user_with_token(), make_user()
    status, body = api.as_(requester["token"]).post("/api/tickets", {"title": "t", "content": "c",
                                                                      "requester_id": other["id"]})
    assert status == 403 and body["details"] == [{"field": "requester_id", "message": body["details"][0]["message"]}]


def test_a_ticket_opened_for_a_requester_records_who_opened_it(api, admin, alice):
    status, ticket = api.post("/api/tickets", {"title": "By phone", "content": "Alice called",
                                               "requester_id": alice["id"]})
    assert status == 201 and ticket["requester_id"] == alice["id"] and ticket["created_by"] == admin["id"]
    requester = make_user_with_token()
    _, own = api.as_(requester["token"]).post("/api/tickets", {"title": "Mine", "content": "me"})
    assert own["created_by"] is None
    _, listed = api.get(f"/api/tickets?requester_id={alice['id']}")
    assert listed["items"][0]["created_by"] == admin["id"]
    _, events = api.get(f"/api/tickets/{ticket['id']}/events")
    created = events["items"][0]
    assert created["type"] == "created" and created["actor_id"] == admin["id"]
    assert created["data"]["created_by"] == admin["id"] and created["data"]["requester_id"] == alice["id"]
