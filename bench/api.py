"""API latency and DynamoDB calls per request at 1k and 10k tickets: `python -m bench.api`.

The app runs in this process (chalice.test.Client, as the tests do) against moto server; every DynamoDB call a
request makes is counted on the wire by the moto middleware (`devstack.local_aws`, the same counter as
tests/test_call_counts.py). Tickets are created through the product's service (`tickets.create_ticket`: one
UpdateItem + one TransactWriteItems of ~40 items each) with varied status, priority, requester and assignee, first up
to 1,000, measured, then up to 10,000, measured again: list, detail and filter routes should cost the same.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench._common import (
    ROOT,
    InProcessApi,
    latency_ms,
    quick,
    ratio,
    save_json,
    setup_env,
    start_moto,
)

STATUSES = ("open", "in_progress", "pending", "resolved")
PRIORITIES = ("low", "medium", "high", "urgent")


# No consumer runs here, and moto's SendMessage counts every message of the queue (its attributes), so an
# ever-growing classify queue would make seeding slower with each ticket; DynamoDB's cost is what is measured.
DRAIN_EVERY = 200


def drain_classify_queue() -> None:
    """Drop the classification requests the seeded tickets queued (nothing here consumes them)."""
    import boto3

    from chalicelib.config import get_settings

    settings = get_settings()
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
    url = sqs.get_queue_url(QueueName=settings.queue_name("classify"))["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for n, m in enumerate(messages)])


class World:
    """The users and the ticket the routes work on."""

    def __init__(self) -> None:
        from chalicelib.schemas.users import UserCreate
        from chalicelib.services import auth, users

        def user(role: str, n: int) -> dict[str, Any]:
            return users.create_user(data=UserCreate(email=f"bench-{role}{n}@example.com", name=f"{role} {n}",
                                                     role=role, password=None if role == "requester" else
                                                     "correct horse battery staple"))

        self.admin = user("admin", 0)
        self.token = str(auth.issue_tokens(users.get_user_model(self.admin["id"]))["access_token"])
        self.requesters = [user("requester", n) for n in range(20)]
        self.agents = [user("agent", n) for n in range(3)]
        self.created = 0
        self._cycle = itertools.count()

    def seed(self, total: int) -> float:
        """Create tickets through the service until `total` exist; returns seconds."""
        from chalicelib.principal import SYSTEM
        from chalicelib.schemas.tickets import TicketCreate
        from chalicelib.services import tickets

        started = time.perf_counter()
        while self.created < total:
            if self.created % DRAIN_EVERY == 0:
                drain_classify_queue()
            n = next(self._cycle)
            tickets.create_ticket(data=TicketCreate(
                title=f"Ticket {n}: cannot sign in after the update", content=f"Details of case {n}. " * 3,
                status=STATUSES[n % 4], priority=PRIORITIES[(n // 4) % 4],
                requester_id=self.requesters[n % len(self.requesters)]["id"],
                assignee_id=self.agents[n % 3]["id"] if n % 5 else None), actor=SYSTEM)
            self.created += 1
        return time.perf_counter() - started


def routes(api: InProcessApi, world: World) -> dict[str, Callable[[], Any]]:
    """Every route measured, each a zero-argument call that must succeed."""
    requester = world.requesters[0]["id"]
    ticket = api.ok("POST", "/api/tickets", {"title": "Bench ticket", "content": "The one the detail routes use.",
                                             "requester_id": requester, "priority": "high"})
    tid = ticket["id"]
    api.ok("POST", f"/api/tickets/{tid}/replies", {"content": "First answer."})
    cursor = api.ok("GET", "/api/tickets?page_size=20")["next_cursor"]
    flip = itertools.cycle(["in_progress", "open"])
    return {
        "GET /health": lambda: api.ok("GET", "/health"),
        "GET /api/auth/me": lambda: api.ok("GET", "/api/auth/me"),
        "GET /api/tickets (20)": lambda: api.ok("GET", "/api/tickets?page_size=20"),
        "GET /api/tickets (50)": lambda: api.ok("GET", "/api/tickets?page_size=50"),
        "GET /api/tickets?status=open": lambda: api.ok("GET", "/api/tickets?status=open&page_size=20"),
        "GET /api/tickets (3 filters)": lambda: api.ok(
            "GET", f"/api/tickets?status=open&priority=high&requester_id={requester}&page_size=20"),
        "GET /api/tickets?page=3": lambda: api.ok("GET", "/api/tickets?page=3&page_size=20"),
        "GET /api/tickets?cursor=": lambda: api.ok("GET", f"/api/tickets?page_size=20&cursor={cursor}"),
        "GET /api/tickets/{id}": lambda: api.ok("GET", f"/api/tickets/{tid}"),
        "PUT /api/tickets/{id}": lambda: api.ok("PUT", f"/api/tickets/{tid}", {"status": next(flip)}),
        "POST /api/tickets": lambda: api.ok("POST", "/api/tickets", {"title": "New", "content": "Created by the bench.",
                                                                    "requester_id": requester}),
        "POST /api/tickets/{id}/replies": lambda: api.ok("POST", f"/api/tickets/{tid}/replies", {"content": "More."}),
        "GET /api/tickets/{id}/replies": lambda: api.ok("GET", f"/api/tickets/{tid}/replies"),
        "GET /api/tickets/{id}/events": lambda: api.ok("GET", f"/api/tickets/{tid}/events"),
        "GET /api/users": lambda: api.ok("GET", "/api/users?page_size=50"),
        "GET /api/users/{id}": lambda: api.ok("GET", f"/api/users/{requester}"),
        "GET /api/analytics/summary": lambda: api.ok("GET", "/api/analytics/summary"),
        "GET /api/ai/labels": lambda: api.ok("GET", "/api/ai/labels"),
        "GET /api/kb/documents": lambda: api.ok("GET", "/api/kb/documents"),
    }


def measure(server: Any, calls: dict[str, Callable[[], Any]], runs: int) -> dict[str, Any]:
    """Latency over `runs` requests per route (after 2 warm-ups) and the DynamoDB calls of each request."""
    out = {}
    for name, fn in calls.items():
        for _ in range(2):
            fn()
        seconds, totals, ops = [], [], Counter()
        for _ in range(runs):
            server.middleware.calls.clear()
            started = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - started)
            ddb = {k.split(":", 1)[1]: v for k, v in server.middleware.calls.items() if k.startswith("dynamodb:")}
            totals.append(sum(ddb.values()))
            ops.update(ddb)
        out[name] = {"latency_ms": latency_ms(seconds), "ddb_calls": statistics.median(totals),
                     "ddb_calls_max": max(totals),
                     "ddb_ops": {op: round(count / runs, 2) for op, count in sorted(ops.items())}}
    return out


def main(argv: list[str] | None = None) -> int:
    """Seed, measure at each level, save bench/results/api.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="200,1000" if quick() else "1000,10000")
    parser.add_argument("--runs", type=int, default=10 if quick() else 15)
    args = parser.parse_args(argv)
    setup_env()
    started = time.time()
    server = start_moto()
    levels = []
    try:
        world = World()
        api = InProcessApi(world.token)
        calls: dict[str, Callable[[], Any]] | None = None
        for level in [int(x) for x in args.levels.split(",")]:
            before = world.created
            seed_s = world.seed(level)
            calls = calls or routes(api, world)
            entry = {"tickets": level, "seed_s": round(seed_s, 1),
                     "seed_ms_per_ticket": round(seed_s * 1000 / max(1, level - before), 1),
                     "routes": measure(server, calls, args.runs)}
            levels.append(entry)
            print(f"{level} tickets: seeded in {seed_s:.0f}s; "
                  + ", ".join(f"{k} {v['latency_ms']['p50']}ms/{v['ddb_calls']}" for k, v in
                              list(entry["routes"].items())[2:9]), flush=True)
        api.close()
    finally:
        server.stop()
    first, last = levels[0], levels[-1]
    flat = {name: {"p50_ratio": ratio(last["routes"][name]["latency_ms"]["p50"],
                                      first["routes"][name]["latency_ms"]["p50"]),
                   "same_ddb_calls": last["routes"][name]["ddb_calls"] == first["routes"][name]["ddb_calls"]}
            for name in first["routes"]}
    path = save_json("api", {"runs": args.runs, "levels": levels, "flat": flat,
                             "seconds": round(time.time() - started)})
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
