"""Cases: the provider's unit of review. Queues, routing, priority, claims, decisions, quality review."""
