import type { CopilotSource } from './api/types';

const MARKER = /(?<!\\)\[(\d{1,2})\](?!\()/g;

/** The answer's `[n]` markers of sources it was given, as in-text links (`#cite-n`) the renderer turns into links. */
export function linkCitations(content: string, sources: readonly Pick<CopilotSource, 'n'>[]): string {
  const known = new Set(sources.map((s) => s.n));
  return content.replace(MARKER, (marker, n: string) => (known.has(Number(n)) ? `[\\[${n}\\]](#cite-${n})` : marker));
}

/** The source number of an in-text citation link, or undefined for any other link. */
export function citationNumber(href: string): number | undefined {
  const match = /^#cite-(\d{1,2})$/.exec(href);
  return match ? Number(match[1]) : undefined;
}

/**
 * Where a source lives in the console: the ticket, or the KB page searching that document for the cited passage
 * (its first words, without Markdown marks), so the passage comes first.
 */
export function sourceHref(source: Pick<CopilotSource, 'kind' | 'ticket_id' | 'source' | 'excerpt'>): string {
  if (source.kind === 'ticket' && source.ticket_id) return `/tickets/${source.ticket_id}`;
  const words = source.excerpt.replace(/[#*_`>[\]()!|-]+/g, ' ').split(/\s+/).filter(Boolean).join(' ').slice(0, 200);
  const params = new URLSearchParams({ source: source.source ?? '' });
  if (words) params.set('q', words);
  return `/kb?${params.toString()}`;
}

/** Relevance 0-1 as a whole percentage. */
export function relevancePercent(relevance: number): number {
  return Math.round(Math.min(1, Math.max(0, relevance)) * 100);
}

/**
 * An answer as text for the reply box: the customer sees no citation markers, HTML tags, emphasis marks or heading
 * hashes;
 * paragraphs and list items stay.
 */
export function replyText(content: string): string {
  return content
    .replace(/\s?\[\d{1,2}\](?!\()/g, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/\*\*|__/g, '')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const TICKET_SESSION_KEY = 'helpdesk.copilot.ticket.';

/** The conversation the drawer of a ticket continues (kept per browser tab, like the AI suggestion). */
export function ticketSession(ticketId: number): string | undefined {
  try {
    return sessionStorage.getItem(`${TICKET_SESSION_KEY}${ticketId}`) ?? undefined;
  } catch {
    return undefined;
  }
}

export function rememberTicketSession(ticketId: number, sessionId: string | undefined): void {
  try {
    if (sessionId) sessionStorage.setItem(`${TICKET_SESSION_KEY}${ticketId}`, sessionId);
    else sessionStorage.removeItem(`${TICKET_SESSION_KEY}${ticketId}`);
  } catch {
    // storage unavailable (private mode): the drawer starts a new conversation next time
  }
}
