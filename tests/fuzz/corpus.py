"""Our own hostile corpus, sent over HTTP to the running API next to schemathesis' generated cases.

Schemathesis generates from the OpenAPI document, so it never tries what the document does not describe: a
cursor the API did not issue, a path id that is not a number, a URL that parses differently in two libraries.
This walks the live /openapi.json instead of a fixed route list (path parameters are filled with real ids
collected from earlier responses, whatever type the document gives them, then with odd values), keeps what
the API hands out (ids, cursors) and replays it where it does not belong.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import urllib3

ODD_PATH_VALUES = [
    "5;x", "5;DROP%20TABLE", "%00", "5%00", "0", "-1", "+5", "1e3", "1.0", "0x10", "9" * 400, "%2e%2e", "..",
    "%2e%2e%2fusers", "5%2F6", "%20", "5%20", "%C3%B8", "%EF%BC%95", "%F0%9F%98%80", "%FF", "%C0%AF", "null",
    "%5B%5D", "a" * 2000, "%25", "5%0d%0aX-Injected:%201", "%u0035",
]
ODD_RAW_PATHS = [
    "/api/tickets/", "/api//tickets", "/api/tickets/%2e%2e/users", "/api/tickets/1/replies/", "/%00",
    "/api/" + "a" * 5000, "/api/tickets?cursor=a&cursor=b", "/api/tickets?page_size=%00", "/api/tickets?page=1e9",
    "/api/tickets?status=%00", "/api/tickets?requester_id=%EF%BC%95", "/api/users?role[]=admin",
    "/api/kb/documents?page_size=-1", "/api/tickets?assignee_id=none&assignee_id=1", "/api/%F0%9F%98%80",
    "/openapi.json/..", "/docs/assets/..%2f..%2fapp.py", "/docs/assets/%00",
]
MALFORMED_URLS = [
    "https://93.184.216.34:99999/", "https://[::1/", "https://example.com:http/", "https://a..b/",
    "https://" + "a" * 64 + ".example.com/", "https://./", "https://[fe80::1%25eth0]/", "https://exa mple.com/",
    "https://example.com:0/", "https:///nohost", "https://example.com\\@evil.test/", "https://-bad-.example.com/",
    "https://under_score.example.com/", "https://" + "a." * 130 + "com/", "https://example.com/\x00",
    "https://[::ffff:127.0.0.1/", "https://[abcd::12345]/", "https://" + "x" * 3000 + ".com/",
]
NON_PUBLIC_URLS = [
    "https://[::127.0.0.1]/", "https://[::7f00:1]/", "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/",
    "https://[::ffff:0:a9fe:a9fe]/", "https://[64:ff9b::127.0.0.1]/", "https://[64:ff9b::a00:1]/",
    "https://[64:ff9b::169.254.169.254]/", "https://[64:ff9b:1::808:808]/", "https://[2002:7f00:1::]/",
    "https://[2002:a9fe:a9fe::1]/", "https://[2002:c0a8:101::]/", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "https://[::]/", "https://[::1]/", "https://[fc00::1]/", "https://[fe80::1]/", "https://[ff02::1]/",
    "https://2130706433/", "https://0x7f.1/", "https://0x7f000001/", "https://0177.0.0.1/", "https://127.1/",
    "https://017700000001/", "https://127.0.0.1./", "https://0/", "https://0.0.0.0/", "https://10.0.0.1/",
    "https://100.64.0.1/", "https://169.254.169.254/", "https://192.168.1.1/", "https://224.0.0.1/",
    "https://255.255.255.255/", "http://2130706433/",
]
ODD_URL_VALUES: list[Any] = ["", " ", "javascript:alert(1)", "file:///etc/passwd", "gopher://127.0.0.1:6379/_",
                             "https://user:pw@example.com/", None, 5, ["https://example.com/"], {"u": 1}]


def _b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def forged_cursors() -> list[str]:
    """Cursors the API never issued: old unsigned layouts, raw DynamoDB keys, junk, oversize."""
    return [
        "eyJwayI6ImRvYyJ9", _b64({"pk": {"S": "doc"}, "source": {"S": "a"}}),
        _b64({"pk": {"N": "1"}, "source": {"B": "AA=="}}), _b64({"pk": {"S": "doc"}, "source": {"S": ""}}),
        _b64({"sk": "2099-01-01T00:00:00.000000Z#000000000000001", "page": 2}), _b64({"sk": "", "page": 2}),
        _b64({"sk": "x" * 5000, "page": 1}), _b64({"sk": {"S": "a"}, "page": 1}), _b64({"sk": "a", "page": -1}),
        _b64([1, 2, 3]), _b64(None), _b64("a"), "bogus", "%00", "a.b.c", ".", "%C3%A9.%C3%A9", "A" * 1500 + ".AAAA",
        "=" * 10, "eyJ%00", "%FF%FE", "a" * 999 + ".", "." + "a" * 43,
    ]


def tampered(cursor: str) -> list[str]:
    """Edits of a real cursor: changed position with the old tag, flipped tag, truncated, doubled."""
    payload, _, tag = cursor.partition(".")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        data = {}
    edited = {k: (v + 1 if isinstance(v, int) else "zzzz") for k, v in data.items()} if isinstance(data, dict) else {}
    flipped = ("A" if tag[:1] != "A" else "B") + tag[1:]
    return [f"{_b64(edited)}.{tag}", f"{payload}.{flipped}", f"{payload}.", payload, f"{payload}.{tag}{tag}",
            cursor[:-1], cursor + "A"]


@dataclass
class Tally:
    """What the corpus run saw."""

    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    bad_error_bodies: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts plus the first few offenders."""
        return {"requests": self.requests, "server_errors": len(self.server_errors),
                "bad_error_bodies": len(self.bad_error_bodies), "first_server_errors": self.server_errors[:10],
                "first_bad_error_bodies": self.bad_error_bodies[:10]}


class Client:
    """Raw HTTP to the API: paths go out exactly as written (no re-encoding), every answer is tallied."""

    def __init__(self, base_url: str, token: str, tally: Tally) -> None:
        parts = urlsplit(base_url)
        self.pool = urllib3.HTTPConnectionPool(parts.hostname or "127.0.0.1", parts.port or 80, maxsize=2,
                                               timeout=urllib3.Timeout(connect=5, read=60), retries=False)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.tally = tally

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One request; the status and the decoded JSON body (None when it is not JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        response = self.pool.urlopen(method, path, body=data, headers=self.headers, redirect=False, retries=False)
        self.tally.requests += 1
        try:
            parsed = json.loads(response.data) if response.data else None
        except ValueError:
            parsed = None
        label = f"{method} {path[:160]} -> {response.status}"
        if response.status >= 500:
            self.tally.server_errors.append(f"{label} {response.data[:200]!r}")
        elif response.status >= 400 and not (isinstance(parsed, dict) and "message" in parsed):
            self.tally.bad_error_bodies.append(label)
        return response.status, parsed


@dataclass
class State:
    """What the API handed out so far: ids to fill path parameters with, and cursors per list."""

    ids: dict[str, str] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield method.upper(), path, operation


def _path_params(path: str) -> list[str]:
    return re.findall(r"{([^}]+)}", path)


def _fill(path: str, state: State, odd: tuple[str, str] | None = None) -> str:
    for name in _path_params(path):
        value = odd[1] if odd is not None and odd[0] == name else quote(state.ids.get(name, "1"), safe="")
        path = path.replace("{" + name + "}", value)
    return path


def seed(client: Client, requester_id: int) -> State:
    """Create one of each thing the API hands ids for, and collect a cursor from every list."""
    state = State(ids={"user_id": str(requester_id)})
    status, ticket = client.send("POST", "/api/tickets", {"title": "fuzz", "content": "corpus seed",
                                                          "requester_id": requester_id})
    if status == 201:
        state.ids["ticket_id"] = str(ticket["id"])
        for n in range(3):
            client.send("POST", f"/api/tickets/{ticket['id']}/replies", {"content": f"reply {n}"})
    status, hook = client.send("POST", "/api/webhooks", {"url": "https://93.184.216.34/hook",
                                                         "events": ["ticket.created"]})
    if status == 201:
        state.ids["webhook_id"] = str(hook["id"])
    status, key = client.send("POST", "/api/auth/api-keys", {"name": "fuzz corpus", "scopes": ["kb:read"]})
    if status == 201 and isinstance(key, dict):
        state.ids["key_id"] = str(key.get("id") or key.get("key_id") or "")
    return state


def _lists(spec: dict[str, Any]) -> list[str]:
    return [path for method, path, op in _operations(spec)
            if method == "GET" and any(p.get("name") == "cursor" for p in op.get("parameters", []))]


def collect_cursors(client: Client, spec: dict[str, Any], state: State) -> None:
    """A real next_cursor from every list that has a second page."""
    for path in _lists(spec):
        status, body = client.send("GET", f"{_fill(path, state)}?page_size=1")
        if status == 200 and isinstance(body, dict) and body.get("next_cursor"):
            state.cursors[path] = str(body["next_cursor"])


def attack_cursors(client: Client, spec: dict[str, Any], state: State, deep: bool) -> None:
    """Every list gets forged cursors, edits of real ones, and the real cursors of every other list (deep: also
    combined with page numbers)."""
    for path in _lists(spec):
        filled = _fill(path, state)
        candidates = forged_cursors()
        for issued_by, cursor in state.cursors.items():
            candidates += tampered(cursor)
            if issued_by != path:
                candidates.append(cursor)
        for cursor in candidates:
            encoded = cursor if "%" in cursor else quote(cursor, safe="")
            client.send("GET", f"{filled}?cursor={encoded}")
            if deep:
                client.send("GET", f"{filled}?page_size=1&page=2&cursor={encoded}")


def attack_paths(client: Client, spec: dict[str, Any], state: State) -> None:
    """Every path parameter of every operation gets every odd value (deletes last, so the seeds survive)."""
    operations = sorted(_operations(spec), key=lambda op: op[0] == "DELETE")
    for method, path, _ in operations:
        for name in _path_params(path):
            for value in ODD_PATH_VALUES:
                client.send(method, _fill(path, state, (name, value)), {} if method in ("POST", "PUT") else None)
    for raw in ODD_RAW_PATHS:
        for method in ("GET", "POST", "DELETE"):
            client.send(method, raw, {} if method == "POST" else None)


def attack_webhook_urls(client: Client) -> None:
    """Every hostile URL at registration; none may be accepted or answer 5xx."""
    for url in MALFORMED_URLS + NON_PUBLIC_URLS + ODD_URL_VALUES:
        status, body = client.send("POST", "/api/webhooks", {"url": url, "events": ["ticket.created"]})
        if status == 201:
            client.tally.server_errors.append(f"accepted hostile webhook url {url!r}")
            client.send("DELETE", f"/api/webhooks/{quote(str(body['id']), safe='')}")


def run(base_url: str, token: str, requester_id: int, rounds: int = 1) -> Tally:
    """The whole corpus, `rounds` times (later rounds replay against the state earlier rounds left); one round is
    the CI slice, more rounds add the deep variants."""
    tally = Tally()
    client = Client(base_url, token, tally)
    _, spec = client.send("GET", "/openapi.json")
    for _ in range(rounds):
        state = seed(client, requester_id)
        collect_cursors(client, spec, state)
        attack_cursors(client, spec, state, deep=rounds > 1)
        attack_webhook_urls(client)
        attack_paths(client, spec, state)
    return tally
