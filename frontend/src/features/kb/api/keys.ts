/** Every knowledge-base query key, so queries and invalidations cannot drift apart. */
export const kbKeys = {
  all: ['kb'] as const,
  documents: () => [...kbKeys.all, 'documents'] as const,
  documentPage: (cursor: string | undefined) => [...kbKeys.documents(), cursor ?? 'first'] as const,
};
