"""Event handlers (schedules, queues): thin functions that call services, one Blueprint per concern."""
