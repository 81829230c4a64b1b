/** The AI suggestion an agent generated for a ticket, kept in sessionStorage so a page reload does not lose it.
 * Per tab and per ticket; cleared once a reply that started from it is sent. */

const PREFIX = 'helpdesk.ai-suggestion.';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode): nothing is kept
  }
}

export function saveSuggestion<T>(ticketId: number, suggestion: T): void {
  try {
    storage()?.setItem(PREFIX + ticketId, JSON.stringify(suggestion));
  } catch {
    // quota exceeded: the suggestion simply is not kept
  }
}

export function loadSuggestion<T>(ticketId: number, isValid: (value: unknown) => value is T): T | null {
  const raw = storage()?.getItem(PREFIX + ticketId);
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : null;
  } catch {
    return null;
  }
}

export function clearSuggestion(ticketId: number): void {
  storage()?.removeItem(PREFIX + ticketId);
}
