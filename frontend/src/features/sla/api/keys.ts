/** Every SLA query key, so queries and invalidations cannot drift apart. */
export const slaKeys = {
  all: ['sla'] as const,
  policy: () => [...slaKeys.all, 'policy'] as const,
};
