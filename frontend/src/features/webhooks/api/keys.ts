/** Every webhook query key, so queries and invalidations cannot drift apart. */
export const webhookKeys = {
  all: ['webhooks'] as const,
  list: () => [...webhookKeys.all, 'list'] as const,
};
