"""JSON API routers, one per domain, all under /v1."""
