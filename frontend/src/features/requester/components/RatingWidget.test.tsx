import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeRatingError, ratingState } from '@/lib/rating';
import { ApiError } from '@/lib/api-client';
import { errorFixture, mockFetch, renderWithProviders, ticketFixture } from '@/test/utils';
import { RatingWidget } from './RatingWidget';

afterEach(() => vi.unstubAllGlobals());

describe('rating rules', () => {
  it('rates only a resolved ticket; changeable until closed', () => {
    expect(ratingState({ status: 'open', csat_score: null })).toMatchObject({ mode: 'not_resolved', editable: false });
    expect(ratingState({ status: 'pending', csat_score: null }).editable).toBe(false);
    expect(ratingState({ status: 'resolved', csat_score: null })).toMatchObject({ mode: 'rate', editable: true });
    expect(ratingState({ status: 'resolved', csat_score: 3 })).toMatchObject({ mode: 'change', editable: true });
    expect(ratingState({ status: 'closed', csat_score: 3 })).toMatchObject({ mode: 'closed', editable: false, hint: expect.stringMatching(/final/) });
    expect(ratingState({ status: 'closed', csat_score: null }).hint).toMatch(/can no longer be rated/);
  });

  it('words the API\'s 409s', () => {
    expect(describeRatingError(new ApiError(409, 'closed', 'this ticket is closed; its rating can no longer change'))).toMatch(/closed in the meantime/);
    expect(describeRatingError(new ApiError(409, 'not_resolved', 'a ticket can be rated once it is resolved'))).toMatch(/no longer resolved/);
    expect(describeRatingError(new ApiError(422, 'validation_error', 'x'))).toBeNull();
  });
});

describe('rating widget', () => {
  it('sends a score with a comment', async () => {
    const { calls } = mockFetch([{ method: 'POST', path: '/api/tickets/7/rating', body: ticketFixture({ status: 'resolved', csat_score: 4, csat_comment: 'Quick fix' }) }]);
    const user = userEvent.setup();
    renderWithProviders(<RatingWidget ticket={ticketFixture({ status: 'resolved', csat_score: null }) as never} />);
    await user.click(screen.getByRole('button', { name: 'Send rating' }));
    expect(await screen.findByText('Pick 1 to 5 stars')).toBeInTheDocument();
    await user.click(screen.getAllByRole('radio')[3]!);
    await user.type(screen.getByLabelText('Comment (optional)'), 'Quick fix');
    await user.click(screen.getByRole('button', { name: 'Send rating' }));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toEqual({ score: 4, comment: 'Quick fix' });
  });

  it('shows the current rating with a change button, and no button once closed', () => {
    mockFetch([]);
    const { unmount } = renderWithProviders(<RatingWidget ticket={ticketFixture({ status: 'resolved', csat_score: 2, csat_comment: 'Slow' }) as never} />);
    expect(screen.getByTestId('my-rating')).toHaveTextContent('2/5');
    expect(screen.getByText('“Slow”')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Change rating' })).toBeInTheDocument();
    unmount();
    renderWithProviders(<RatingWidget ticket={ticketFixture({ status: 'closed', csat_score: 2 }) as never} />);
    expect(screen.queryByRole('button', { name: 'Change rating' })).not.toBeInTheDocument();
    expect(screen.getByTestId('rating-hint')).toHaveTextContent('your rating is final');
  });

  it('shows the API\'s 409 clearly when the ticket was closed meanwhile', async () => {
    mockFetch([
      { method: 'POST', path: '/api/tickets/7/rating', status: 409, body: errorFixture('closed', 'this ticket is closed; its rating can no longer change') },
      { method: 'GET', path: '/api/tickets/7', body: ticketFixture({ status: 'closed', csat_score: 3 }) },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<RatingWidget ticket={ticketFixture({ status: 'resolved', csat_score: 3 }) as never} />);
    await user.click(screen.getByRole('button', { name: 'Change rating' }));
    await user.click(screen.getAllByRole('radio')[4]!);
    await user.click(screen.getByRole('button', { name: 'Save rating' }));
    expect(await screen.findByText('Your rating was not saved')).toBeInTheDocument();
    expect(screen.getByText(/closed in the meantime/)).toBeInTheDocument();
  });
});
