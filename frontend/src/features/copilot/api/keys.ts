/** Every copilot query key, so queries and invalidations cannot drift apart. */
export const copilotKeys = {
  all: ['copilot'] as const,
  sessions: () => [...copilotKeys.all, 'sessions'] as const,
  session: (id: string) => [...copilotKeys.all, 'session', id] as const,
};
