from __future__ import annotations


def test_health_answers_ok(api):
    status, body = api.get("/health")
    assert status == 200, body
    assert body["status"] == "ok"


def test_create_and_get_user(api):
    status, user = api.post("/api/users", {"email": "Alice@Example.com", "name": "Alice"})
    assert status == 201, user
    assert user["email"] == "alice@example.com"
    status, body = api.get(f"/api/users/{user['id']}")
    assert status == 200 and body["id"] == user["id"]
