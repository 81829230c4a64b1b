import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AnalyticsSummaryOut } from '@/api/types';
import { renderWithProviders } from '@/test/utils';
import { readSummary } from '../summary';
import { AiFirstResponseCard } from './AiFirstResponseCard';

function summary(autoReply: unknown, humanFirstResponses = 0): AnalyticsSummaryOut {
  return {
    from: '2026-03-01', to: '2026-03-01', days: [], totals: { created: 0, resolved: 0 },
    first_response: { count: humanFirstResponses, median_s: null, p90_s: null },
    ai: { category_mix: {}, suggestions: 0, category_accepted: 0, drafts_used: 0, acceptance_rate: null, auto_reply: autoReply },
  } as unknown as AnalyticsSummaryOut;
}

describe('AI first response on the dashboard', () => {
  it('shows answers sent, resolved by AI, reopened, deflections, declined by reason and AI vs human first responses', () => {
    const data = readSummary(summary({
      sent: 5, resolved: 4, reopened: 1, deflected: 3, declined: { 'out of scope': 2, 'low confidence': 6 },
      by_category: { track_order: { sent: 5, resolved: 4, reopened: 1, deflected: 3 } }, days: [],
    }, 7));
    renderWithProviders(<AiFirstResponseCard data={data} />);
    expect(screen.getByTestId('stat-ai-sent')).toHaveTextContent('5');
    expect(screen.getByTestId('stat-ai-resolved')).toHaveTextContent('4');
    expect(screen.getByTestId('stat-ai-resolved')).toHaveTextContent('80');
    expect(screen.getByTestId('stat-ai-reopened')).toHaveTextContent('1');
    expect(screen.getByTestId('stat-ai-deflected')).toHaveTextContent('3');
    expect(screen.getByTestId('stat-fr-ai')).toHaveTextContent('5');
    expect(screen.getByTestId('stat-fr-human')).toHaveTextContent('7');
    expect(screen.getByText('Declined (8)')).toBeInTheDocument();
    const rows = within(screen.getByTestId('ai-declined')).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual(['low confidence6', 'out of scope2']);
    expect(within(screen.getByTestId('ai-by-category')).getByText('track_order')).toBeInTheDocument();
  });

  it('says so when the AI decided nothing in the range', () => {
    renderWithProviders(<AiFirstResponseCard data={readSummary(summary(undefined))} />);
    expect(screen.getByText(/has not decided on a ticket/)).toBeInTheDocument();
  });
});
