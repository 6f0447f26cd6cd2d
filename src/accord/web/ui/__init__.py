"""Server-rendered pages (Jinja2 + htmx), logged in with a member's password."""
