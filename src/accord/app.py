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
from accord.web.api import notices as notices_api  # noqa: E402 - orders, referrals, flags
from accord.web.ui import notices as notices_ui  # noqa: E402

API_ROUTERS.append(notices_api.router)
UI_ROUTERS.append(notices_ui.router)
from accord.web.api import cases as cases_api  # noqa: E402 - the review console registers itself
from accord.web.ui import cases as cases_ui  # noqa: E402

API_ROUTERS.append(cases_api.router)
UI_ROUTERS.append(cases_ui.router)
from accord.web.api import narratives as narratives_api  # noqa: E402 - the campaigns package registers itself
from accord.web.ui import narratives as narratives_ui  # noqa: E402

API_ROUTERS.append(narratives_api.router)
UI_ROUTERS.append(narratives_ui.router)
from accord.web.api import policies as policies_api  # noqa: E402 - policies and incidents register themselves
from accord.web.ui import policies as policies_ui  # noqa: E402

API_ROUTERS.append(policies_api.router)
UI_ROUTERS.append(policies_ui.router)
# What a `--role matcher` process serves: only hashing and matching (added by the matching package).
MATCHER_ROUTERS: list[APIRouter] = []
from accord.web.api import banks as banks_api, exchange as exchange_api, matching as matching_api  # noqa: E402, I001
from accord.web.ui import banks as banks_ui  # noqa: E402

API_ROUTERS += [banks_api.router, matching_api.router, exchange_api.router]
UI_ROUTERS.append(banks_ui.router)
MATCHER_ROUTERS.append(matching_api.router)
from accord.web.api import rights as rights_api, transparency as transparency_api  # noqa: E402, I001 - rights
from accord.web.ui import rights as rights_ui, transparency as transparency_ui  # noqa: E402, I001

API_ROUTERS += [rights_api.router, transparency_api.router]
UI_ROUTERS += [rights_ui.router, transparency_ui.router]


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
