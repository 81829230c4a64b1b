import type { Ticket } from '@/api/types';
import { isApiError } from '@/lib/api-client';

export type RatingMode = 'rate' | 'change' | 'closed' | 'not_resolved';

export interface RatingState {
  mode: RatingMode;
  /** Whether the widget accepts a (new) score now. */
  editable: boolean;
  /** What the requester reads above the stars. */
  hint: string;
}

/**
 * The rules of the satisfaction rating, as the API enforces them: only a resolved ticket can be rated,
 * one rating per ticket, changeable until the ticket is closed.
 */
export function ratingState(ticket: Pick<Ticket, 'status' | 'csat_score'>): RatingState {
  const rated = typeof ticket.csat_score === 'number';
  if (ticket.status === 'closed') {
    return { mode: 'closed', editable: false, hint: rated ? 'This ticket is closed; your rating is final.' : 'This ticket is closed; it can no longer be rated.' };
  }
  if (ticket.status !== 'resolved') {
    return { mode: 'not_resolved', editable: false, hint: 'You can rate the help you got once the ticket is resolved.' };
  }
  return rated
    ? { mode: 'change', editable: true, hint: 'Thanks for your rating. You can change it until the ticket is closed.' }
    : { mode: 'rate', editable: true, hint: 'How did we do? Rate the help you got from 1 (poor) to 5 (excellent).' };
}

export const MAX_RATING_COMMENT = 2000;

/** A 409 from POST /rating in words (the API's codes: `closed`, `not_resolved`). */
export function describeRatingError(error: unknown): string | null {
  if (!isApiError(error) || error.status !== 409) return null;
  if (error.code === 'closed') return 'This ticket was closed in the meantime, so its rating can no longer change.';
  if (error.code === 'not_resolved') return 'This ticket is no longer resolved (it may have been reopened), so it cannot be rated now.';
  return error.message;
}

export const SCORE_WORDS = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'] as const;
