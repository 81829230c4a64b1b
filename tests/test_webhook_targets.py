"""Webhook targets: malformed URLs are 422 naming `url` (never a 5xx), no notation of a non-public address gets
through, a delivery connects to the address it checked and follows no redirect, and fan-out loses no delivery."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.config import reset_process_state
from chalicelib.ops import webhooks
from tests.fuzz.corpus import MALFORMED_URLS, NON_PUBLIC_URLS
from tests.test_ops import drain
from tests.utils.receiver import Receiver

MALFORMED = MALFORMED_URLS
NON_PUBLIC = NON_PUBLIC_URLS
PUBLIC = ["https://93.184.216.34/hook", "https://93.184.216.34:8443/hook?x=1",
          "https://[2606:2800:220:1:248:1893:25c8:1946]/hook", "https://[2002:808:808::1]/hook"]


@pytest.fixture(autouse=True)
def production_rules(monkeypatch):
    monkeypatch.delenv("WEBHOOKS_ALLOW_PRIVATE", raising=False)
    webhooks.reset_cache()
    yield
    webhooks.reset_cache()


def _register(api, url: str) -> tuple[int, Any]:
    return api.post("/api/webhooks", {"url": url, "events": ["ticket.created"]})


def _refusals(api, urls: list[str]) -> list[tuple[str, int, Any]]:
    """The URLs that were not refused with a 422 naming `url`."""
    wrong = []
    for url in urls:
        status, body = _register(api, url)
        if status != 422 or body["details"][0]["field"] != "url":
            wrong.append((url, status, body))
    return wrong


def test_a_malformed_webhook_url_is_422_naming_url(api):
    assert _refusals(api, MALFORMED) == []


def test_no_notation_of_a_non_public_address_passes(api):
    assert _refusals(api, NON_PUBLIC) == []


def test_public_addresses_are_accepted(api):
    for url in PUBLIC:
        status, body = _register(api, url)
        assert status == 201, (url, body)


def test_local_development_still_allows_loopback_but_not_malformed_urls(api, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    reset_process_state()
    assert _register(api, "http://127.0.0.1:9/x")[0] == 201
    assert _register(api, "http://localhost:9/x")[0] == 201
    for url in ("http://127.0.0.1:99999/", "https://[::1/", "https://a..b/"):
        status, body = _register(api, url)
        assert status == 422 and body["details"][0]["field"] == "url", (url, body)


class _Resolver:
    """Answers for one test host name, in order (the last answer repeats); every other name resolves normally."""

    def __init__(self, name: str, answers: list[str]) -> None:
        self.name, self.answers, self.lookups = name, answers, 0
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        answer = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        sockaddr = (answer, int(port), 0, 0) if family == socket.AF_INET6 else (answer, int(port))
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]


@pytest.fixture
def listener() -> Iterator[dict[str, Any]]:
    """A TCP port on 127.0.0.1 that counts the connections it accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    state: dict[str, Any] = {"port": server.getsockname()[1], "connections": 0, "stop": False}

    def accept() -> None:
        while not state["stop"]:
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            state["connections"] += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield state
    state["stop"] = True
    thread.join(2)
    server.close()


def _delivery(hook_id: str) -> dict[str, Any]:
    return {"webhook_id": hook_id, "event": {"id": "evt_test", "type": "ticket.created", "data": {}}}


def test_a_delivery_connects_to_the_address_it_checked(api, monkeypatch, listener):
    """DNS rebinding: the name is public when checked and loopback a moment later; the POST must not follow."""
    name = "hooks.rebind.test"
    # registration and the delivery's check see a public address (one with no route from a test machine);
    # any later lookup, as an HTTP library resolving the name again would do, gets loopback
    resolver = _Resolver(name, ["2606:4700::1111", "2606:4700::1111", "127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    status, hook = _register(api, f"https://{name}:{listener['port']}/hook")
    assert status == 201, hook
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.deliver(_delivery(hook["id"]))
    assert listener["connections"] == 0
    assert resolver.lookups == 2  # one at registration, one per delivery


def test_a_name_that_turns_private_before_delivery_is_not_contacted(api, monkeypatch, listener):
    name = "hooks.turns-private.test"
    monkeypatch.setattr(socket, "getaddrinfo", _Resolver(name, ["93.184.216.34", "127.0.0.1"]))
    status, hook = _register(api, f"https://{name}:{listener['port']}/hook")
    assert status == 201, hook
    with pytest.raises(webhooks.DeliveryFailed, match="non-public"):
        webhooks.deliver(_delivery(hook["id"]))
    assert listener["connections"] == 0


class _Redirecting:
    """Answers every POST with a redirect to `location`."""

    def __init__(self, location: str) -> None:
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests += 1
                self.send_response(307)
                self.send_header("Location", location)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_redirect_is_never_followed(api, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    reset_process_state()
    final = Receiver()
    redirecting = _Redirecting(final.url)
    try:
        status, hook = _register(api, redirecting.url)
        assert status == 201, hook
        with pytest.raises(webhooks.DeliveryFailed, match="HTTP 307"):
            webhooks.deliver(_delivery(hook["id"]))
        assert redirecting.requests == 1 and final.requests == []
    finally:
        redirecting.server.shutdown()
        redirecting.server.server_close()
        final.stop()


def _fail_entries(first_calls: int) -> Any:
    """A botocore hook that makes SQS refuse the first entry of the first `first_calls` batches (an out-of-range
    DelaySeconds, which SQS reports per entry in `Failed` while it queues the others)."""
    calls = {"n": 0}

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls["n"] += 1
        if calls["n"] <= first_calls:
            first, *rest = params["Entries"]
            params["Entries"] = [{**first, "DelaySeconds": 901}, *rest]

    return hook


def _subscribe(api, count: int) -> list[str]:
    ids = []
    for n in range(count):
        status, hook = _register(api, f"https://93.184.216.{n + 1}/hook")
        assert status == 201, hook
        ids.append(hook["id"])
    return ids


@pytest.mark.parametrize("failing_calls", [1, 2])
def test_fan_out_sends_again_the_entries_sqs_refused(api, failing_calls):
    from chalicelib import aws

    hook_ids = _subscribe(api, 3)
    sqs = aws.client("sqs")
    hook = _fail_entries(failing_calls)
    sqs.meta.events.register("before-parameter-build.sqs.SendMessageBatch", hook)
    try:
        result = webhooks.fan_out({"id": "evt_1", "type": "ticket.created", "data": {}})
    finally:
        sqs.meta.events.unregister("before-parameter-build.sqs.SendMessageBatch", hook)
    assert result == {"deliveries": 3}
    queued = sorted(json.loads(m["Body"])["webhook_id"] for m in drain("webhook-deliveries"))
    assert queued == sorted(hook_ids)


def test_fan_out_fails_the_event_when_sqs_keeps_refusing_an_entry(api):
    from chalicelib import aws

    _subscribe(api, 2)
    sqs = aws.client("sqs")
    hook = _fail_entries(100)
    sqs.meta.events.register("before-parameter-build.sqs.SendMessageBatch", hook)
    try:
        with pytest.raises(webhooks.DeliveryFailed, match="not queued"):
            webhooks.fan_out({"id": "evt_2", "type": "ticket.created", "data": {}})
    finally:
        sqs.meta.events.unregister("before-parameter-build.sqs.SendMessageBatch", hook)


def test_fan_out_reaches_a_webhook_registered_in_another_process(api, monkeypatch):
    # GIVEN a webhook registered by another process, while this one still caches "nobody listens" (its cache was
    # filled before the registration, and nothing told it: only the registering process forgets its cache)
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    reset_process_state()
    status, hook = _register(api, "http://127.0.0.1:9/elsewhere")
    assert status == 201
    webhooks._subscriptions = (webhooks.time.monotonic(), {})
    # WHEN this process fans out the next event
    result = webhooks.fan_out({"id": "evt_1", "type": "ticket.created", "occurred_at": "x", "data": {}})
    # THEN the new webhook gets its delivery at once, not when the cache expires a minute later
    assert result == {"deliveries": 1}
    assert [json.loads(m["Body"])["webhook_id"] for m in drain("webhook-deliveries")] == [hook["id"]]
