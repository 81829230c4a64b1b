/** The SLA policy editor's form model: targets in hours and minutes, business hours or 24x7. */
import type { SlaPolicy, SlaPolicyIn, TicketPriority } from '@/api/types';
import { PRIORITIES } from '@/api/types';

export interface Duration { hours: number; minutes: number }
export interface TargetValues { first_response: Duration; resolution: Duration }

export interface PolicyFormValues {
  targets: Record<TicketPriority, TargetValues>;
  mode: 'business' | '24x7';
  timezone: string;
  days: number[];
  start: string;
  end: string;
}

export const MIN_TARGET_S = 60;
export const MAX_TARGET_S = 90 * 24 * 3600;
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const DEFAULT_HOURS = { timezone: 'UTC', days: [0, 1, 2, 3, 4], start: '09:00', end: '17:00' };

export function toDuration(seconds: number): Duration {
  const minutes = Math.round(seconds / 60);
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}

export function toSeconds(duration: Duration | undefined): number {
  if (!duration) return 0;
  return Math.round((Number(duration.hours) || 0) * 3600 + (Number(duration.minutes) || 0) * 60);
}

export function policyToForm(policy: SlaPolicy): PolicyFormValues {
  const targets = {} as Record<TicketPriority, TargetValues>;
  for (const p of PRIORITIES) {
    const t = policy.targets[p];
    targets[p] = { first_response: toDuration(t?.first_response_s ?? 3600), resolution: toDuration(t?.resolution_s ?? 3600) };
  }
  const hours = policy.business_hours as Partial<typeof DEFAULT_HOURS> | null;
  return {
    targets,
    mode: hours ? 'business' : '24x7',
    timezone: typeof hours?.timezone === 'string' ? hours.timezone : DEFAULT_HOURS.timezone,
    days: Array.isArray(hours?.days) ? hours.days.filter((d): d is number => typeof d === 'number') : DEFAULT_HOURS.days,
    start: typeof hours?.start === 'string' ? hours.start : DEFAULT_HOURS.start,
    end: typeof hours?.end === 'string' ? hours.end : DEFAULT_HOURS.end,
  };
}

/** Problems the API would refuse, found before sending (the API checks again). */
export function policyProblems(values: PolicyFormValues): string[] {
  const problems: string[] = [];
  // In the order the form shows them: urgent first.
  for (const p of [...PRIORITIES].reverse()) {
    const fr = toSeconds(values.targets[p]?.first_response);
    const res = toSeconds(values.targets[p]?.resolution);
    const name = p.charAt(0).toUpperCase() + p.slice(1);
    if (fr < MIN_TARGET_S || res < MIN_TARGET_S) problems.push(`${name}: each target must be at least 1 minute`);
    if (fr > MAX_TARGET_S || res > MAX_TARGET_S) problems.push(`${name}: each target must be at most 90 days`);
    if (res < fr) problems.push(`${name}: resolution must not be shorter than first response`);
  }
  if (values.mode === 'business') {
    if (values.days.length === 0) problems.push('Pick at least one working day');
    if (!(values.start < values.end)) problems.push('Business hours must start before they end');
  }
  return problems;
}

export function formToPolicy(values: PolicyFormValues): SlaPolicyIn {
  const target = (p: TicketPriority) => ({
    first_response_s: toSeconds(values.targets[p].first_response),
    resolution_s: toSeconds(values.targets[p].resolution),
  });
  return {
    targets: { urgent: target('urgent'), high: target('high'), medium: target('medium'), low: target('low') },
    business_hours: values.mode === '24x7'
      ? null
      : { timezone: values.timezone, days: [...new Set(values.days)].sort((a, b) => a - b), start: values.start, end: values.end },
  };
}

/** IANA zones the browser knows (the API accepts any of them), UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}
