"""HTTP: the JSON API under /v1, the server-rendered UI, problem+json, authentication dependencies."""
