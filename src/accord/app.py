"""``create_app(settings)``: the one place the web application is assembled. Nothing is built at import."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware import Middleware

from accord import __version__, manifest
from accord.clock import Clock, SystemClock
from accord.db import make_engine, make_sessionmaker
from accord.settings import Settings
from accord.web import docs, problems, security
from accord.web.api import operations
from accord.web.deps import refuse_nul
from accord.web.idempotency import IdempotencyMiddleware
from accord.web.limits import BodyLimitMiddleware
from accord.web.observability import ObservabilityMiddleware
from accord.web.ratelimit import RateLimitMiddleware
from accord.web.schemas import notices as notice_schemas
from accord.web.security import SecurityHeadersMiddleware
from accord.web.state import AppState


def routers(part: Literal["api", "ui"], domains: tuple[manifest.Domain, ...] = manifest.DOMAINS) -> list[APIRouter]:
    """The ``router`` of every module the domain manifest names for ``part``, in its order."""
    found = []
    for module in manifest.load(part, domains):
        router = getattr(module, "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"{module.__name__} has no APIRouter named router")
        found.append(router)
    return found


API_ROUTERS: list[APIRouter] = routers("api")
UI_ROUTERS: list[APIRouter] = routers("ui")
# What a `--role matcher` process serves: only hashing and matching.
MATCHER_ROUTERS: list[APIRouter] = routers("api", manifest.only(*manifest.MATCHER))


def _package_dir(name: str) -> Path:
    return Path(str(files("accord.web").joinpath(name)))


def create_app(settings: Settings, clock: Clock | None = None, role: str = "all") -> FastAPI:
    """Assemble the API, the UI, problem+json, idempotency, request ids and metrics for ``settings``."""
    engine = make_engine(settings.database_url)
    templates = Jinja2Templates(directory=_package_dir("templates"), context_processors=[security.template_context])
    state = AppState(settings=settings, engine=engine, factory=make_sessionmaker(engine),
                     clock=clock or SystemClock(), templates=templates)
    app = FastAPI(
        title="Accord",
        version=__version__,
        description="Removal orders, review, shared hash banks, rights and counter-narratives.",
        responses=problems.RESPONSES,
        docs_url=None,  # web/docs.py serves /docs and /redoc from the vendored copies
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
        middleware=[
            Middleware(SecurityHeadersMiddleware, state=state),
            Middleware(ObservabilityMiddleware, metrics=state.metrics),
            Middleware(RateLimitMiddleware, settings=settings, clock=state.clock),
            Middleware(BodyLimitMiddleware, settings=settings),  # before anything reads a body
            Middleware(IdempotencyMiddleware, state=state),
        ],
    )
    app.state.accord = state
    problems.install(app)
    docs.install(app)
    served = MATCHER_ROUTERS if role == "matcher" else [*API_ROUTERS, *UI_ROUTERS]
    components = {} if role == "matcher" else notice_schemas.openapi_components()
    app.openapi = lambda: problems.openapi_document(app, components)  # type: ignore[method-assign]
    for router in [*served, operations.public]:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.add_api_route("/", lambda: RedirectResponse("/ui/"), include_in_schema=False)
    return app
