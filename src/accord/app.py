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
from accord.web import problems
from accord.web.api import identity, operations
from accord.web.idempotency import IdempotencyMiddleware
from accord.web.observability import Metrics, ObservabilityMiddleware
from accord.web.state import AppState
from accord.web.ui import views

API_ROUTERS = [identity.router, operations.router]
UI_ROUTERS = [views.router]
# What a `--role matcher` process serves: only hashing and matching (added by the matching package).
MATCHER_ROUTERS: list[APIRouter] = []


def _package_dir(name: str) -> Path:
    return Path(str(files("accord.web").joinpath(name)))


def create_app(settings: Settings, clock: Clock | None = None, role: str = "all") -> FastAPI:
    """Assemble the API, the UI, problem+json, idempotency, request ids and metrics for ``settings``."""
    engine = make_engine(settings.database_url)
    state = AppState(settings=settings, engine=engine, factory=make_sessionmaker(engine),
                     clock=clock or SystemClock())
    metrics = Metrics(state)
    state.extras["metrics"] = metrics
    state.extras["templates"] = Jinja2Templates(directory=_package_dir("templates"))
    app = FastAPI(
        title="Accord",
        version=__version__,
        description="Removal orders, review, shared hash banks, rights and counter-narratives.",
        middleware=[
            Middleware(ObservabilityMiddleware, metrics=metrics),
            Middleware(IdempotencyMiddleware, state=state),
        ],
    )
    app.state.accord = state
    problems.install(app)
    routers = MATCHER_ROUTERS if role == "matcher" else [*API_ROUTERS, *UI_ROUTERS]
    for router in [*routers, operations.public]:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.add_api_route("/", lambda: RedirectResponse("/ui/"), include_in_schema=False)
    return app
