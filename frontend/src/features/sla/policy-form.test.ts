import { describe, expect, it } from 'vitest';
import { formToPolicy, policyProblems, policyToForm, timeZones, toDuration, toSeconds } from './policy-form';

const POLICY = {
  targets: {
    urgent: { first_response_s: 1800, resolution_s: 14400 },
    high: { first_response_s: 7200, resolution_s: 28800 },
    medium: { first_response_s: 28800, resolution_s: 86400 },
    low: { first_response_s: 86400, resolution_s: 259200 },
  },
  business_hours: { timezone: 'Europe/Amsterdam', days: [0, 1, 2, 3, 4], start: '09:00', end: '17:30' },
  updated_at: null,
};

describe('SLA policy form', () => {
  it('shows targets in hours and minutes and sends seconds back', () => {
    expect(toDuration(1800)).toEqual({ hours: 0, minutes: 30 });
    expect(toDuration(259200)).toEqual({ hours: 72, minutes: 0 });
    expect(toSeconds({ hours: 1, minutes: 30 })).toBe(5400);
    const form = policyToForm(POLICY);
    expect(form.targets.urgent).toEqual({ first_response: { hours: 0, minutes: 30 }, resolution: { hours: 4, minutes: 0 } });
    expect(form).toMatchObject({ mode: 'business', timezone: 'Europe/Amsterdam', start: '09:00', end: '17:30' });
    expect(formToPolicy(form)).toEqual({ targets: POLICY.targets, business_hours: POLICY.business_hours });
  });

  it('sends business_hours: null for 24x7', () => {
    const form = { ...policyToForm(POLICY), mode: '24x7' as const };
    expect(formToPolicy(form).business_hours).toBeNull();
    expect(policyToForm({ ...POLICY, business_hours: null }).mode).toBe('24x7');
  });

  it('finds what the API would refuse before sending', () => {
    const form = policyToForm(POLICY);
    form.targets.high = { first_response: { hours: 9, minutes: 0 }, resolution: { hours: 8, minutes: 0 } };
    form.targets.low = { first_response: { hours: 0, minutes: 0 }, resolution: { hours: 1, minutes: 0 } };
    form.days = [];
    form.start = '18:00';
    expect(policyProblems(form)).toEqual([
      'High: resolution must not be shorter than first response',
      'Low: each target must be at least 1 minute',
      'Pick at least one working day',
      'Business hours must start before they end',
    ]);
    expect(policyProblems({ ...form, mode: '24x7', days: [], targets: policyToForm(POLICY).targets })).toEqual([]);
  });

  it('offers the IANA time zones, UTC first', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
  });
});
