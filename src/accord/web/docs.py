"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from the vendored copies in ``static/vendor``: no CDN, no
network at run time. FastAPI writes the pages; their one inline script gets the request's CSP nonce, so the
docs policy (``web/security.py``) needs no ``'unsafe-inline'`` for scripts."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

VENDOR = "/static/vendor"
SWAGGER_JS = f"{VENDOR}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui.css"
REDOC_JS = f"{VENDOR}/redoc.standalone.js"
FAVICON = "/static/favicon.svg"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def _with_nonce(page: HTMLResponse, request: Request) -> HTMLResponse:
    """The page with the request's nonce on every inline ``<script>`` (a script with ``src`` is from 'self')."""
    nonce = getattr(request.state, "csp_nonce", "")
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(html)


def install(app: FastAPI) -> None:
    """Serve the docs pages; ``create_app`` builds the app with ``docs_url=None, redoc_url=None``."""
    openapi_url = app.openapi_url or "/openapi.json"

    def swagger(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - Swagger UI",
                                   swagger_js_url=SWAGGER_JS, swagger_css_url=SWAGGER_CSS,
                                   swagger_favicon_url=FAVICON, oauth2_redirect_url=OAUTH2_REDIRECT,
                                   swagger_ui_parameters={"validatorUrl": None})
        return _with_nonce(page, request)

    def oauth2_redirect(request: Request) -> HTMLResponse:
        return _with_nonce(get_swagger_ui_oauth2_redirect_html(), request)

    def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc", redoc_js_url=REDOC_JS,
                              redoc_favicon_url=FAVICON, with_google_fonts=False)
        return _with_nonce(page, request)

    app.add_api_route("/docs", swagger, include_in_schema=False)
    app.add_api_route(OAUTH2_REDIRECT, oauth2_redirect, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)
