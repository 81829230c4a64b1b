/** The requester portal's own query keys (tickets use the shared ticketKeys). */
export const requesterKeys = {
  all: ['requester'] as const,
  answer: (question: string) => [...requesterKeys.all, 'self-service', question] as const,
};
