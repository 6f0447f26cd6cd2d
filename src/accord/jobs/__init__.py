"""The job table, the worker, retries with backoff, dead letters, and webhooks."""
