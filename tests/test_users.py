"""Users: create, unique e-mail, list, read, update, and the errors around them."""

from __future__ import annotations


def test_create_user_lowercases_email_and_defaults_to_requester(api):
    status, user = api.post("/api/users", {"email": "Dana@Example.COM", "name": "  Dana  "})
    assert status == 201, user
    assert user["email"] == "dana@example.com"
    assert user["name"] == "Dana"
    assert user["role"] == "requester"
    assert "password" not in user and "password_hash" not in user


def test_duplicate_email_is_409_even_with_other_case(api):
    assert api.post("/api/users", {"email": "eve@example.com", "name": "Eve"})[0] == 201
    status, body = api.post("/api/users", {"email": "EVE@example.com", "name": "Eve 2"})
    assert status == 409
    assert body["error"] == "duplicate"
    assert body["details"][0]["field"] == "email"


def test_duplicate_email_leaves_no_half_written_user(api):
    _, first = api.post("/api/users", {"email": "once@example.com", "name": "Once"})
    api.post("/api/users", {"email": "once@example.com", "name": "Twice"})
    _, page = api.get("/api/users?page_size=100")
    assert [u["name"] for u in page["items"] if u["email"] == "once@example.com"] == ["Once"]
    assert page["total"] == len(page["items"])


def test_invalid_user_fields_are_422_naming_the_field(api):
    cases = [
        ({"email": "not-an-email", "name": "X"}, "email"),
        ({"email": "x@example.com"}, "name"),
        ({"email": "x@example.com", "name": ""}, "name"),
        ({"email": "x@example.com", "name": "X", "role": "emperor"}, "role"),
        ({"email": "x@example.com", "name": "X", "password": "short"}, "password"),
        ({"email": "x@example.com", "name": "X", "nickname": "x"}, "nickname"),
        ({"email": "x@example.com", "name": "a\x00b"}, "name"),
    ]
    for body, field in cases:
        status, error = api.post("/api/users", body)
        assert status == 422, (body, status, error)
        assert field in [d["field"] for d in error["details"]], (body, error)


def test_unknown_and_malformed_user_ids_are_404(api):
    for path in ("/api/users/999999", "/api/users/abc", "/api/users/0", "/api/users/-1"):
        status, body = api.get(path)
        assert status == 404, (path, status, body)
        assert body["error"] == "not_found"


def test_list_users_is_newest_first_with_total_and_role_filter(api):
    for n in range(3):
        api.post("/api/users", {"email": f"agent{n}@example.com", "name": f"Agent {n}", "role": "agent"})
    api.post("/api/users", {"email": "req@example.com", "name": "Req"})
    status, page = api.get("/api/users?role=agent")
    assert status == 200
    assert [u["name"] for u in page["items"]] == ["Agent 2", "Agent 1", "Agent 0"]
    assert page["total"] == 3
    status, page = api.get("/api/users?page_size=2")
    assert len(page["items"]) == 2 and page["next_cursor"]
    status, rest = api.get(f"/api/users?page_size=2&cursor={page['next_cursor']}")
    assert status == 200 and rest["page"] == 2
    assert not {u["id"] for u in page["items"]} & {u["id"] for u in rest["items"]}


def test_update_user_role_moves_them_between_role_lists(api):
    _, user = api.post("/api/users", {"email": "promo@example.com", "name": "Promo"})
    status, updated = api.put(f"/api/users/{user['id']}", {"role": "agent"})
    assert status == 200 and updated["role"] == "agent"
    _, agents = api.get("/api/users?role=agent")
    _, requesters = api.get("/api/users?role=requester")
    assert user["id"] in {u["id"] for u in agents["items"]}
    assert user["id"] not in {u["id"] for u in requesters["items"]}


def test_an_admin_cannot_demote_themselves_nor_the_last_admin(api, admin):
    status, body = api.put(f"/api/users/{admin['id']}", {"role": "agent"})
    assert status == 409 and body["error"] == "own_role"
    _, other = api.post("/api/users", {"email": "second@example.com", "name": "Second", "role": "admin"})
    assert api.put(f"/api/users/{other['id']}", {"role": "agent"})[0] == 200
    from tests.utils.factories import token_for

    status, body = api.as_(token_for(other)).get("/api/users")
    assert status == 200  # an agent now
    _, third = api.post("/api/users", {"email": "third@example.com", "name": "Third", "role": "admin"})
    assert api.put(f"/api/users/{third['id']}", {"role": "agent"})[0] == 200


def test_lookalike_emails_are_the_same_user_on_create_and_sign_in(api):
    status, joe = api.post("/api/users", {"email": "joe@example.com", "name": "Joe", "password": "joe-password-1"})
    assert status == 201, joe
    for lookalike in ["ｊｏｅ@example.com", "ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "JOE@example.com", "ⓙⓞⓔ@example.com"]:
        status, body = api.post("/api/users", {"email": lookalike, "name": "Impostor"})
        assert status == 409 and body["details"][0]["field"] == "email", (lookalike, status, body)
        status, tokens = api.as_(None).post("/api/auth/login", {"email": lookalike, "password": "joe-password-1"})
        assert status == 200, (lookalike, tokens)
    _, page = api.get("/api/users?page_size=100")
    assert [u["email"] for u in page["items"] if u["name"] in ("Joe", "Impostor")] == ["joe@example.com"]


def test_nfkc_keeps_composed_decomposed_and_idna_forms_together(api):
    status, composed = api.post("/api/users", {"email": "jos\u00e9@ex\u00e4mple.com", "name": "José"})
    assert status == 201, composed
    for variant in ["jose\u0301@exa\u0308mple.com", "JOS\u00c9@xn--exmple-cua.com", "ｊｏｓé@exämple.com"]:
        status, body = api.post("/api/users", {"email": variant, "name": "Other"})
        assert status == 409, (variant, status, body)
    status, body = api.post("/api/users", {"email": "ｊｏｅ＠ｅｘａｍｐｌｅ＠example.com", "name": "Two ats"})
    assert status == 422 and body["details"][0]["field"] == "email"
