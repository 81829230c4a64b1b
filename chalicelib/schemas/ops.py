"""Operations schemas: SLA policy, ratings, merge, the timeline, webhooks, analytics."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from chalicelib.schemas.common import EntityId, Name, Out, PageQuery, SafeText, Strict
from chalicelib.schemas.tickets import Priority

MAX_TARGET_S = 90 * 24 * 3600
WebhookEvent = Literal["ticket.created", "ticket.updated", "reply.created", "sla.breached"]


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not an IANA time zone such as Europe/Amsterdam") from exc
    return name


HourMinute = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class TargetIn(Strict):
    """Targets for one priority, in seconds of working time."""

    first_response_s: int = Field(ge=60, le=MAX_TARGET_S, strict=True)
    resolution_s: int = Field(ge=60, le=MAX_TARGET_S, strict=True)

    @model_validator(mode="after")
    def _resolution_after_first_response(self) -> TargetIn:
        if self.resolution_s < self.first_response_s:
            raise ValueError("resolution_s must be at least first_response_s")
        return self


class BusinessHoursIn(Strict):
    """Working days (0 = Monday) and hours in a time zone."""

    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_check_zone)] = "UTC"
    days: list[Annotated[int, Field(ge=0, le=6, strict=True)]] = Field(min_length=1, max_length=7)
    start: HourMinute = "09:00"
    end: HourMinute = "17:00"

    @field_validator("days")
    @classmethod
    def _unique_days(cls, days: list[int]) -> list[int]:
        if len(set(days)) != len(days):
            raise ValueError("days must not repeat")
        return sorted(days)

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHoursIn:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class Targets(Strict):
    """One target per priority."""

    urgent: TargetIn
    high: TargetIn
    medium: TargetIn
    low: TargetIn


class SlaPolicyIn(Strict):
    """The SLA policy. `business_hours: null` counts every hour (24x7)."""

    targets: Targets
    business_hours: BusinessHoursIn | None


class TargetOut(Out):
    """Targets for one priority, in seconds of working time."""

    first_response_s: int
    resolution_s: int


class BusinessHoursOut(Out):
    """Working days (0 = Monday) and hours in a time zone."""

    timezone: str
    days: list[int]
    start: str
    end: str


class SlaPolicyOut(Out):
    """The SLA policy in force (`business_hours: null`: every hour counts)."""

    targets: dict[Priority, TargetOut]
    business_hours: BusinessHoursOut | None
    updated_at: str | None


class RatingIn(Strict):
    """A satisfaction rating."""

    score: int = Field(ge=1, le=5, strict=True)
    comment: Annotated[SafeText, StringConstraints(max_length=2000)] | None = None


class MergeIn(Strict):
    """Which ticket survives. Tickets of two different requesters merge only when an admin sets
    `confirm_cross_requester` (recorded on both timelines); neither requester then sees the other's messages."""

    into: EntityId
    confirm_cross_requester: StrictBool = Field(
        default=False, description="An admin's explicit confirmation that the tickets belong to different requesters.")


class EventOut(Out):
    """One entry of a ticket's timeline."""

    type: str
    actor_id: int | None
    changes: list[dict[str, Any]]
    data: dict[str, Any]
    created_at: str


class EventListQuery(PageQuery):
    """Paging through a timeline (oldest first)."""

    page_size: int = Field(default=100, ge=1, le=100)


class WebhookIn(Strict):
    """A webhook: an https URL on a public address, and the events to send to it."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
    events: list[WebhookEvent] = Field(min_length=1, max_length=4)
    description: Name | None = None


class WebhookOut(Out):
    """A webhook (never its secret)."""

    id: str
    url: str
    events: list[str]
    active: bool
    description: str
    created_at: str


class WebhookCreated(WebhookOut):
    """The new webhook with its signing secret, shown only now."""

    secret: str


_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("not a date such as 2026-11-27")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("not a date such as 2026-11-27") from exc


IsoDate = Annotated[date, BeforeValidator(_iso_date),
                    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE.pattern})]


class AnalyticsQuery(Strict):
    """A date range (UTC days, inclusive, YYYY-MM-DD); defaults to the last 30 days."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    start: IsoDate | None = Field(default=None, alias="from")
    end: IsoDate | None = Field(default=None, alias="to")


class DayCounts(Out):
    """Tickets created and resolved on one UTC day."""

    date: str
    created: int
    resolved: int


class SummaryTotals(Out):
    """Tickets created and resolved in the range."""

    created: int
    resolved: int


class StatusCounts(Out):
    """Current tickets per status."""

    open: int
    in_progress: int
    pending: int
    resolved: int
    closed: int


class PriorityCounts(Out):
    """Current unresolved tickets per priority."""

    low: int
    medium: int
    high: int
    urgent: int


class Backlog(Out):
    """The backlog now (not limited to the range)."""

    by_status: StatusCounts
    open_by_priority: PriorityCounts
    open_total: int


class Durations(Out):
    """How long something took, in seconds (null when nothing was measured)."""

    count: int
    median_s: float | None
    p90_s: float | None


class Attainment(Out):
    """Targets met and breached; `attainment` is the share met (null when none was due)."""

    met: int
    breached: int
    attainment: float | None


class AgentAttainment(Attainment):
    """Resolution targets met and breached by one agent."""

    agent_id: int
    name: str | None


class Breaches(Out):
    """SLA breaches in the range."""

    first_response: int
    resolution: int


class SlaSummary(Out):
    """SLA attainment by priority (only priorities with targets due appear) and by agent."""

    resolution_by_priority: dict[Priority, Attainment]
    first_response_by_priority: dict[Priority, Attainment]
    resolution_by_agent: list[AgentAttainment]
    breaches: Breaches


class CsatSummary(Out):
    """Satisfaction ratings: how many, their average, and how many of each score."""

    count: int
    average: float | None
    distribution: dict[Literal["1", "2", "3", "4", "5"], int]


class AutoReplyCounts(Out):
    """The AI first response's outcomes in one category."""

    sent: int
    resolved: int
    reopened: int
    deflected: int


class AutoReplyDay(AutoReplyCounts):
    """The AI first response's outcomes on one UTC day."""

    date: str


class AutoReplySummary(AutoReplyCounts):
    """AI answers sent, resolved by AI, reopened after AI, declined by reason and self-service deflections."""

    declined: dict[str, int] = Field(description="Declined decisions by reason.")
    by_category: dict[str, AutoReplyCounts]
    days: list[AutoReplyDay]


class AiSummary(Out):
    """AI usage: the classifier's category mix, suggestions, and how often agents kept what it proposed."""

    category_mix: dict[str, int]
    suggestions: int
    category_accepted: int
    drafts_used: int
    acceptance_rate: float | None
    auto_reply: AutoReplySummary


class SummaryCost(Out):
    """What the summary cost to compute."""

    stat_queries: int = Field(description="DynamoDB queries read for the trends.")


class SummaryOut(Out):
    """The dashboard's numbers (see chalicelib/ops/analytics.py for each block)."""

    model_config = ConfigDict(populate_by_name=True)

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    days: list[DayCounts]
    totals: SummaryTotals
    backlog: Backlog
    first_response: Durations
    resolution: Durations
    sla: SlaSummary
    csat: CsatSummary
    ai: AiSummary
    cost: SummaryCost
