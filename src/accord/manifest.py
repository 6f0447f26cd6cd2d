"""The one list of what each domain plugs into Accord: its tables, jobs, routes, pages, commands and demo data.

Each ``Domain`` names modules (``"accord.banks.models"``) or module attributes (``"accord.cli.banks:bank_app"``)
as text, so this module imports nothing and sits in the core layer: the model registry (``accord.models``), the
worker (``accord.jobs.registry``), the web application (``accord.app``), the command line (``accord.cli.main``)
and the demo (``accord.demo``) each load what they need from it, when they need it. A new domain adds one
``Domain`` here; ``tests/unit/test_manifest.py`` fails when a package with tables, a router, a command or a demo
seeder is missing, or when an entry names something that does not exist.

Order matters twice: the demo seeds domain by domain in this order (a seeder may use what an earlier one
made), and the routers and commands are added in this order.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Literal


@dataclass(frozen=True)
class Command:
    """One entry of the ``accord`` command: ``target`` (``module:attribute``), a Typer application added as a
    group or a function added as a command, at ``path`` (``"bank"``, or ``"notice review"`` under ``notice``)."""

    path: str
    target: str


@dataclass(frozen=True)
class Domain:
    name: str
    models: tuple[str, ...] = ()
    """Modules declaring tables on ``accord.db.Base``."""
    jobs: tuple[str, ...] = ()
    """Modules declaring job handlers (``@handler``) and periodic duties (``@periodic``, ``accord.jobs.registry``)."""
    api: tuple[str, ...] = ()
    """Modules whose ``router`` serves JSON under ``/v1``."""
    ui: tuple[str, ...] = ()
    """Modules whose ``router`` serves pages."""
    cli: tuple[Command, ...] = ()
    demo: tuple[str, ...] = ()
    """Modules whose ``seed(session, clock, settings, world)`` adds this domain's demo data."""


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "operations",  # the audit trail, jobs, e-mail, idempotency records and the database itself
        models=("accord.audit.models", "accord.jobs.models", "accord.web.idempotency"),
        jobs=("accord.jobs.webhooks", "accord.mail"),
        api=("accord.web.api.operations",),
        cli=(Command("db", "accord.cli.operations:db_app"), Command("audit", "accord.cli.operations:audit_app"),
             Command("jobs", "accord.cli.operations:jobs_app"), Command("serve", "accord.cli.operations:serve"),
             Command("worker", "accord.cli.operations:worker"), Command("demo", "accord.cli.operations:demo"),
             Command("backup", "accord.cli.backup:backup"), Command("restore", "accord.cli.backup:restore")),
    ),
    Domain(
        "identity",
        models=("accord.identity.models", "accord.identity.session_models"),
        jobs=("accord.identity.jobs",),
        api=("accord.web.api.identity",),
        ui=("accord.web.ui.views",),  # the home page of each kind of organisation, settings, the favicon
        cli=(Command("org", "accord.cli.identity:org_app"), Command("member", "accord.cli.identity:member_app"),
             Command("key", "accord.cli.identity:key_app"), Command("keys", "accord.cli.keys:keys_app")),
    ),
    Domain(
        "notices",
        models=("accord.notices.models",),
        jobs=("accord.notices.jobs", "accord.notices.liveness_jobs"),
        api=("accord.web.api.notices", "accord.web.api.contact", "accord.web.api.action_days"),
        ui=("accord.web.ui.notices", "accord.web.ui.action_days"),
        cli=(Command("notice", "accord.cli.notices:notice_app"),
             Command("notice action-day", "accord.cli.action_days:action_day_app")),
        demo=("accord.demo.notices",),
    ),
    Domain(
        "authorities",
        models=("accord.authorities.models",),
        api=("accord.web.api.authorities",),
        ui=("accord.web.ui.authorities",),
        cli=(Command("notice review", "accord.cli.authorities:review_app"),
             Command("notice reinstatement", "accord.cli.authorities:reinstatement_app"),
             Command("notice finality", "accord.cli.authorities:finality"),
             Command("authority", "accord.cli.authorities:authority_app")),
        demo=("accord.demo.authorities",),
    ),
    Domain(
        "narratives",
        models=("accord.narratives.models",),
        api=("accord.web.api.narratives",),
        ui=("accord.web.ui.narratives",),
        cli=(Command("campaign", "accord.cli.narratives:campaign_app"),),
        demo=("accord.demo.narratives",),
    ),
    Domain(
        "policies",  # before banks in the demo: a match acts automatically only where a policy says so
        models=("accord.policies.models",),
        api=("accord.web.api.policies",),
        ui=("accord.web.ui.policies",),
        cli=(Command("policy", "accord.cli.policies:policy_app"),
             Command("incident", "accord.cli.policies:incident_app")),
        demo=("accord.demo.policies",),
    ),
    Domain(
        "banks",
        models=("accord.banks.models",),
        api=("accord.web.api.banks",),
        ui=("accord.web.ui.banks",),
        cli=(Command("bank", "accord.cli.banks:bank_app"), Command("hash", "accord.cli.banks:hash_files")),
        demo=("accord.demo.banks", "accord.demo.documents"),
    ),
    Domain(
        "matching",
        jobs=("accord.matching.jobs",),
        api=("accord.web.api.matching",),
        cli=(Command("match", "accord.cli.banks:match_files"),),
    ),
    Domain(
        "exchange",
        api=("accord.web.api.exchange",),
        cli=(Command("exchange", "accord.cli.banks:exchange_app"),),
    ),
    Domain(
        "transparency",
        models=("accord.transparency.models",),
        jobs=("accord.transparency.jobs",),
        api=("accord.web.api.transparency", "accord.web.api.membership"),
        ui=("accord.web.ui.transparency",),
        cli=(Command("report", "accord.cli.transparency:report_app"),
             Command("sor", "accord.cli.transparency:sor_app"),
             Command("dispute", "accord.cli.transparency:dispute_app")),
        demo=("accord.demo.transparency",),
    ),
    Domain(
        "cases",
        models=("accord.cases.models",),
        api=("accord.web.api.cases",),
        ui=("accord.web.ui.cases",),
        cli=(Command("case", "accord.cli.cases:case_app"),),
        demo=("accord.demo.cases",),
    ),
    Domain(
        "rights",  # after transparency in the demo: it answers a complaint about one of that year's removals
        models=("accord.rights.models",),
        jobs=("accord.rights.jobs",),
        api=("accord.web.api.rights",),
        ui=("accord.web.ui.rights", "accord.web.ui.status"),
        cli=(Command("rights", "accord.cli.rights:rights_app"),),
        demo=("accord.demo.rights",),
    ),
    Domain(
        "blocklists",  # administrative blocking lists that resolvers enforce (issue 14)
        models=("accord.blocklists.models",),
        jobs=("accord.blocklists.jobs",),
        api=("accord.web.api.blocklists",),
        ui=("accord.web.ui.blocklists",),
        cli=(Command("blocklist", "accord.cli.blocklists:blocklist_app"),),
        demo=("accord.demo.blocklists",),
    ),
    Domain(
        "evidence",  # European Production and Preservation Orders (Regulation (EU) 2023/1543, issue 19)
        models=("accord.evidence.models",),
        jobs=("accord.evidence.jobs",),
        api=("accord.web.api.evidence",),
        ui=("accord.web.ui.evidence",),
        cli=(Command("evidence", "accord.cli.evidence:evidence_app"),),
        demo=("accord.demo.evidence",),
    ),
    Domain(
        "flows",  # what spans domains; seeded last: a removal order answered directly (its complaint is about a
        # removal under the terms), then every statement of reasons seeded so far goes to the Transparency Database
        demo=("accord.demo.flows", "accord.demo.tdb"),
    ),
)

MATCHER: tuple[str, ...] = ("matching",)
"""The domains a ``--role matcher`` process serves: only hashing and matching."""

Part = Literal["models", "jobs", "api", "ui", "demo"]


def modules(part: Part, domains: tuple[Domain, ...] = DOMAINS) -> list[str]:
    """Every module the domains name for ``part``, in the order of ``DOMAINS``."""
    return [name for domain in domains for name in getattr(domain, part)]


def load(part: Part, domains: tuple[Domain, ...] = DOMAINS) -> list[ModuleType]:
    """Import every module the domains name for ``part`` (importing a jobs module registers its handlers)."""
    return [importlib.import_module(name) for name in modules(part, domains)]


def only(*names: str) -> tuple[Domain, ...]:
    return tuple(domain for domain in DOMAINS if domain.name in names)


def attribute(target: str) -> object:
    """What ``"module:attribute"`` names."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def commands() -> Iterator[Command]:
    return (command for domain in DOMAINS for command in domain.cli)
