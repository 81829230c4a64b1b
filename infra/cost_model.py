"""What N tickets a month with AI suggestions cost on AWS, at list prices (us-east-1, x86, no free tier).

Durations come from build/infra/packages.json (measured by `make test-infra`: each path in its package folder,
against moto, on the shared 2-core machine); memory sizes from .chalice/config.json and the stack. The workload per
ticket is an assumption, stated below. `python -m infra.cost_model [tickets]` prints the table docs/DEPLOY.md shows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from infra.stages import function_sizing

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "build" / "infra" / "packages.json"

# List prices, us-east-1.
LAMBDA_GB_S = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
APIGW_REQUEST = 3.50 / 1e6
DDB_WRU = 0.625 / 1e6
DDB_RRU = 0.125 / 1e6
DDB_GB_MONTH = 0.25 + 0.20  # storage + point-in-time recovery
SQS_REQUEST = 0.40 / 1e6
S3_GET = 0.0004 / 1000
S3_PUT = 0.005 / 1000
S3_GB_MONTH = 0.023
CLOUDFRONT_GB = 0.085
CLOUDFRONT_REQUEST = 0.0100 / 10000
CW_LOGS_GB = 0.50
CW_ALARM = 0.10
ECR_GB_MONTH = 0.10

# The workload of one ticket (assumptions): the agent console's calls while the ticket lives, the background work.
API_CALLS = 30  # create, ~10 list views, ~10 detail views (incl. polling for the classification), replies, edits
AUTHORIZER_CALLS = 10  # API Gateway caches each token's answer for 60 s
SUGGESTIONS = 1  # POST /api/ai/tickets/{id}/suggest: KB search + the LLM's draft
KB_SEARCHES = 3  # agents searching the knowledge base
LLM_WAIT_S = 3.0  # the function waits for the LLM's answer (not measurable here; typical for a 300-token draft)
COLD_SHARE = 0.10  # share of invocations that start a new environment (init is billed)
WRU_PER_TICKET = 180  # creation ~75 (one transaction: ticket + 16 listings + 16 counters), 2 replies, 2 edits
RRU_PER_TICKET = 550  # ~20 page views of ~25 strongly consistent reads, classification and suggestion
LANCEDB_GETS_PER_SEARCH = 20  # manifest, index and data files of a small table
LOG_KB_PER_INVOCATION = 1.0
KB_DOCUMENTS = 50  # documents (re)ingested per month
TRAININGS = 30  # classifier retrainings per month (each after new examples), ~20 s at 3 GB
STORAGE_GB = 1.0  # DynamoDB (tickets, replies, listings) for a few thousand tickets
IMAGE_GB = 0.35  # the image compressed in ECR
CONSOLE_GB = 1.0  # console assets served per month (browsers cache the hashed files)
MONTH_MIN = 30 * 24 * 60
SCHEDULES = {"sla_watch": MONTH_MIN, "ai_housekeeping": MONTH_MIN / 2, "sweep_deletes": MONTH_MIN / 5,
             "sweep_merges": MONTH_MIN / 5}
# Lambda's SQS pollers long-poll each mapped queue even when it is empty (about 15 ReceiveMessage a minute).
SQS_IDLE_POLLS = 15 * MONTH_MIN
SQS_MAPPINGS = 6
# Errors and Throttles per function (14), not-running per schedule (5), DLQ depth and message age per queue (6),
# API 5xx: the count infra/tests/test_template.py asserts.
ALARMS = 2 * 14 + 5 + 2 * 6 + 1
API_ML_MEMORY_MB = 2048


def _gb_s(seconds: float, memory_mb: int) -> float:
    return seconds * memory_mb / 1024


def rows(tickets: int) -> list[tuple[str, str, float]]:
    """(item, basis, USD per month)."""
    figures = json.loads(FIGURES.read_text())["cold_start_s"]
    api_warm = figures["api_handler_list"]["warm_s"]
    api_cold = figures["api_handler_list"]["total_s"]
    ml_cold = figures["api_ml"]["total_s"]
    search_warm = figures["api_ml"]["warm_s"]
    # Classifying embeds the ticket like a search embeds the query (the classify probe has no model to run yet).
    classify_warm = max(figures["api_ml_classify"]["warm_s"], search_warm)
    ingest = figures["kb_ingest"]["total_s"]
    schedule_warm = figures["sla_watch"]["warm_s"]
    _, api_mb = function_sizing("prod", "api_handler")
    _, auth_mb = function_sizing("prod", "bearer_auth")
    _, classify_mb = function_sizing("prod", "classify_tickets")
    _, ingest_mb = function_sizing("prod", "kb_ingest")
    _, train_mb = function_sizing("prod", "train_classifier")
    _, schedule_mb = function_sizing("prod", "sla_watch")

    api_s = tickets * API_CALLS * ((1 - COLD_SHARE) * api_warm + COLD_SHARE * api_cold)
    auth_s = tickets * AUTHORIZER_CALLS * api_warm  # a JWT check and at most two GetItem: like a list call, or less
    ml_calls = tickets * (SUGGESTIONS + KB_SEARCHES)
    ml_s = (tickets * SUGGESTIONS * (classify_warm + search_warm + LLM_WAIT_S) + tickets * KB_SEARCHES * search_warm
            + ml_calls * COLD_SHARE * ml_cold)
    classify_s = tickets * classify_warm * (1 + COLD_SHARE * 3)
    schedule_calls = sum(SCHEDULES.values())
    lambda_gb_s = (_gb_s(api_s, api_mb) + _gb_s(auth_s, auth_mb) + _gb_s(ml_s, API_ML_MEMORY_MB)
                   + _gb_s(classify_s, classify_mb) + _gb_s(KB_DOCUMENTS * ingest, ingest_mb)
                   + _gb_s(TRAININGS * 20, train_mb) + _gb_s(schedule_calls * schedule_warm, schedule_mb)
                   + _gb_s(720 * 2.0, 3008))
    invocations = (tickets * (API_CALLS + AUTHORIZER_CALLS + SUGGESTIONS + KB_SEARCHES + 1) + KB_DOCUMENTS
                   + TRAININGS + schedule_calls + 720)
    api_requests = tickets * (API_CALLS + SUGGESTIONS + KB_SEARCHES)
    return [
        ("Lambda compute", f"{lambda_gb_s:,.0f} GB-s (API {api_mb} MB x {api_warm * 1000:.0f} ms warm / "
                           f"{api_cold:.1f} s cold; image {API_ML_MEMORY_MB} MB; schedules "
                           f"{schedule_calls:,.0f} runs x {schedule_warm * 1000:.0f} ms)", lambda_gb_s * LAMBDA_GB_S),
        ("Lambda requests", f"{invocations:,.0f} invocations", invocations * LAMBDA_REQUEST),
        ("API Gateway (REST)", f"{api_requests:,.0f} requests", api_requests * APIGW_REQUEST),
        ("DynamoDB on demand", f"{tickets * WRU_PER_TICKET:,.0f} WRU, {tickets * RRU_PER_TICKET + 2 * MONTH_MIN:,.0f}"
                               f" RRU, {STORAGE_GB:.0f} GB + PITR",
         tickets * WRU_PER_TICKET * DDB_WRU + (tickets * RRU_PER_TICKET + 2 * MONTH_MIN) * DDB_RRU
         + STORAGE_GB * DDB_GB_MONTH),
        ("SQS", f"{SQS_MAPPINGS} event source mappings polling ({SQS_MAPPINGS * SQS_IDLE_POLLS:,.0f} receives) "
                f"+ {tickets * 4:,.0f} messages", (SQS_MAPPINGS * SQS_IDLE_POLLS + tickets * 4 * 3) * SQS_REQUEST),
        ("S3 (LanceDB, uploads, artifacts)", f"{ml_calls * LANCEDB_GETS_PER_SEARCH:,.0f} GET, "
                                             f"{KB_DOCUMENTS * 20 + TRAININGS:,} PUT, 1 GB",
         ml_calls * LANCEDB_GETS_PER_SEARCH * S3_GET + (KB_DOCUMENTS * 20 + TRAININGS) * S3_PUT + S3_GB_MONTH),
        ("CloudFront", f"{CONSOLE_GB:.0f} GB + {api_requests * 1.5:,.0f} requests (within the always-free 1 TB / 10 M)",
         0.0),
        ("CloudWatch", f"{ALARMS} alarms, {invocations * LOG_KB_PER_INVOCATION / 1e6:.2f} GB logs",
         ALARMS * CW_ALARM + invocations * LOG_KB_PER_INVOCATION / 1e6 * CW_LOGS_GB),
        ("ECR", f"{IMAGE_GB} GB image", IMAGE_GB * ECR_GB_MONTH),
    ]


def table(tickets: int) -> str:
    """A markdown table with a total."""
    lines = ["| item | basis | USD / month |", "|---|---|---:|"]
    total = 0.0
    for item, basis, usd in rows(tickets):
        lines.append(f"| {item} | {basis} | {usd:.2f} |")
        total += usd
    lines.append(f"| **total** | {tickets:,} tickets with AI suggestions | **{total:.2f}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    args = argv if argv is not None else sys.argv[1:]
    tickets = int(args[0]) if args else 1000
    sys.stdout.write(table(tickets) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
