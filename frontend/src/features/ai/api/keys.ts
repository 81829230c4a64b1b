/** Every AI settings query key, so queries and invalidations cannot drift apart. */
export const aiKeys = {
  all: ['ai'] as const,
  classifier: () => [...aiKeys.all, 'classifier'] as const,
  labels: () => [...aiKeys.all, 'labels'] as const,
  autoReply: () => [...aiKeys.all, 'auto-reply'] as const,
};
