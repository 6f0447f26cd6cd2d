"""``create_app(settings)``: the one place the web application is assembled. Nothing is built at import."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware import Middleware

from accord import __version__
from accord.clock import Clock, SystemClock
from accord.db import make_engine, make_sessionmaker
from accord.settings import Settings
from accord.web import problems, security
from accord.web.api import authorities as authorities_api
from accord.web.api import banks as banks_api
from accord.web.api import cases as cases_api
from accord.web.api import contact as contact_api
from accord.web.api import evidence as evidence_api
from accord.web.api import exchange as exchange_api
from accord.web.api import identity, operations
from accord.web.api import matching as matching_api
from accord.web.api import membership as membership_api
from accord.web.api import narratives as narratives_api
from accord.web.api import notices as notices_api
from accord.web.api import policies as policies_api
from accord.web.api import rights as rights_api
from accord.web.api import transparency as transparency_api
from accord.web.idempotency import IdempotencyMiddleware
from accord.web.limits import BodyLimitMiddleware
from accord.web.observability import Metrics, ObservabilityMiddleware
from accord.web.ratelimit import RateLimitMiddleware
from accord.web.security import SecurityHeadersMiddleware
from accord.web.state import AppState
from accord.web.ui import authorities as authorities_ui
from accord.web.ui import banks as banks_ui
from accord.web.ui import cases as cases_ui
from accord.web.ui import evidence as evidence_ui
from accord.web.ui import narratives as narratives_ui
from accord.web.ui import notices as notices_ui
from accord.web.ui import policies as policies_ui
from accord.web.ui import rights as rights_ui
from accord.web.ui import status as status_ui
from accord.web.ui import transparency as transparency_ui
from accord.web.ui import views

API_ROUTERS: list[APIRouter] = [
    identity.router,
    operations.router,
    notices_api.router,
    authorities_api.router,
    contact_api.router,
    cases_api.router,
    banks_api.router,
    matching_api.router,
    exchange_api.router,
    policies_api.router,
    membership_api.router,
    rights_api.router,
    transparency_api.router,
    narratives_api.router,
    evidence_api.router,
]
UI_ROUTERS: list[APIRouter] = [
    views.router,
    notices_ui.router,
    authorities_ui.router,
    cases_ui.router,
    banks_ui.router,
    policies_ui.router,
    rights_ui.router,
    transparency_ui.router,
    narratives_ui.router,
    status_ui.router,
    evidence_ui.router,
]
# What a `--role matcher` process serves: only hashing and matching.
MATCHER_ROUTERS: list[APIRouter] = [matching_api.router]


def _package_dir(name: str) -> Path:
    return Path(str(files("accord.web").joinpath(name)))


def create_app(settings: Settings, clock: Clock | None = None, role: str = "all") -> FastAPI:
    """Assemble the API, the UI, problem+json, idempotency, request ids and metrics for ``settings``."""
    engine = make_engine(settings.database_url)
    state = AppState(settings=settings, engine=engine, factory=make_sessionmaker(engine),
                     clock=clock or SystemClock())
    metrics = Metrics(state)
    state.extras["metrics"] = metrics
    state.extras["templates"] = Jinja2Templates(directory=_package_dir("templates"),
                                                 context_processors=[security.template_context])
    app = FastAPI(
        title="Accord",
        version=__version__,
        description="Removal orders, review, shared hash banks, rights and counter-narratives.",
        responses=problems.RESPONSES,
        middleware=[
            Middleware(SecurityHeadersMiddleware, state=state),
            Middleware(ObservabilityMiddleware, metrics=metrics),
            Middleware(RateLimitMiddleware, settings=settings, clock=state.clock),
            Middleware(BodyLimitMiddleware, settings=settings),  # before anything reads a body
            Middleware(IdempotencyMiddleware, state=state),
        ],
    )
    app.state.accord = state
    problems.install(app)
    app.openapi = lambda: problems.openapi_document(app)  # type: ignore[method-assign]
    routers = MATCHER_ROUTERS if role == "matcher" else [*API_ROUTERS, *UI_ROUTERS]
    for router in [*routers, operations.public]:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.add_api_route("/", lambda: RedirectResponse("/ui/"), include_in_schema=False)
    return app
