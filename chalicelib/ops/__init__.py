"""Operations: SLA clocks, the audit trail, daily statistics, merge, ratings and webhooks."""
