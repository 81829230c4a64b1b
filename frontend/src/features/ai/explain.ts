import { describeError, isApiError } from '@/lib/api-client';

/** What the agent reads when the AI call fails: whether to retry, and that they can carry on by hand. */
export function explainAiError(error: unknown): { title: string; description: string; retry: boolean } {
  if (isApiError(error)) {
    if (error.routeMissing) {
      return {
        title: 'AI suggestions are not available yet',
        description: 'This server does not offer AI suggestions yet. You can still reply by hand.',
        retry: false,
      };
    }
    if (error.status === 404) {
      return { title: 'Ticket not found', description: describeError(error), retry: false };
    }
    if (error.status === 0 || error.status >= 500 || error.status === 429) {
      return {
        title: 'AI unavailable',
        description: `The AI service did not answer (${error.status === 0 ? 'network error' : `HTTP ${error.status}`}: ${error.message}). Try again in a minute; you can still reply by hand.`,
        retry: true,
      };
    }
  }
  return { title: 'AI unavailable', description: `${describeError(error)} You can still reply by hand.`, retry: true };
}
