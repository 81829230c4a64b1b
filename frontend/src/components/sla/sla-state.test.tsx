import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders, ticketFixture } from '@/test/utils';
import { SlaChip } from './SlaChip';
import { slaChip } from './sla-state';

const base = {
  status: 'open' as const,
  sla_state: 'ok' as const,
  sla_paused: false,
  first_response_due: '2026-01-01T10:30:00Z',
  resolution_due: '2026-01-01T14:00:00Z',
  first_responded_at: null,
  resolved_at: null,
  merged_into: null,
};

describe('SLA chip', () => {
  it('says ok, at risk or breached for a running clock, with the due times', () => {
    expect(slaChip(base)).toMatchObject({ kind: 'ok', label: 'OK' });
    expect(slaChip(base).details).toHaveLength(2);
    expect(slaChip(base).details[0]).toMatch(/^First response due /);
    expect(slaChip({ ...base, sla_state: 'at_risk' })).toMatchObject({ kind: 'at_risk', label: 'At risk', color: 'orange' });
    expect(slaChip({ ...base, sla_state: 'breached' })).toMatchObject({ kind: 'breached', label: 'Breached', color: 'red' });
  });

  it('says paused while the ticket waits on the customer, and why', () => {
    const paused = slaChip({ ...base, status: 'pending', sla_paused: true });
    expect(paused).toMatchObject({ kind: 'paused', label: 'Paused' });
    expect(paused.details.at(-1)).toMatch(/paused while the ticket waits on the customer/);
    expect(slaChip({ ...base, status: 'pending', sla_paused: true, sla_state: 'at_risk' }).label).toBe('Paused · at risk');
    // A breach is never hidden by a pause.
    expect(slaChip({ ...base, status: 'pending', sla_paused: true, sla_state: 'breached' })).toMatchObject({ kind: 'breached', label: 'Breached · paused' });
  });

  it('says met for a resolved ticket that never breached, breached otherwise', () => {
    const resolved = { ...base, status: 'resolved' as const, sla_paused: true, first_responded_at: '2026-01-01T10:10:00Z', resolved_at: '2026-01-01T12:00:00Z' };
    const met = slaChip(resolved);
    expect(met).toMatchObject({ kind: 'met', label: 'Met' });
    expect(met.details[0]).toMatch(/^First response: responded /);
    expect(met.details.join(' ')).not.toMatch(/paused/);
    expect(slaChip({ ...resolved, sla_state: 'breached' }).label).toBe('Breached');
  });

  it('has no clock for a merged ticket', () => {
    expect(slaChip({ ...base, status: 'closed', merged_into: 12 })).toMatchObject({ kind: 'none', label: 'Merged' });
  });

  it('renders the label, and the due times in its accessible name', () => {
    renderWithProviders(<SlaChip ticket={ticketFixture({ ...base, sla_state: 'at_risk' })} />);
    const chip = screen.getByTestId('sla-chip');
    expect(chip).toHaveTextContent('At risk');
    expect(chip).toHaveAttribute('data-sla', 'at_risk');
    expect(chip.getAttribute('aria-label')).toMatch(/SLA At risk\. First response due .*Resolution due/);
  });
});
