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
    help: str = ""
    """What ``accord --help`` lists for a top-level command without importing it: the start of its own help."""


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
        cli=(Command("db", "accord.cli.operations:db_app",
                     "The database schema."),
             Command("audit", "accord.cli.operations:audit_app",
                     "The hash-chained audit trail."),
             Command("jobs", "accord.cli.operations:jobs_app",
                     "Background jobs and dead letters."),
             Command("serve", "accord.cli.operations:serve",
                     "Serve the API and UI; with --role all, also run one worker process beside it."),
             Command("worker", "accord.cli.operations:worker",
                     "Claim and run background jobs (webhooks, escalations, purges) until stopped."),
             Command("demo", "accord.cli.operations:demo",
                     "Seed the demo world once; a second run changes nothing."),
             Command("backup", "accord.cli.backup:backup",
                     "Back up the whole database, encrypted and authenticated (AES-256-GCM)"),
             Command("restore", "accord.cli.backup:restore",
                     "Restore a backup into an empty database")),
    ),
    Domain(
        "identity",
        models=("accord.identity.models", "accord.identity.session_models"),
        jobs=("accord.identity.jobs",),
        api=("accord.web.api.identity",),
        ui=("accord.web.ui.views",),  # the home page of each kind of organisation, settings, the favicon
        cli=(Command("org", "accord.cli.identity:org_app",
                     "Organisations: authorities, providers, trusted flaggers, civil society, coordinators."),
             Command("member", "accord.cli.identity:member_app",
                     "Members of an organisation and their roles."),
             Command("key", "accord.cli.identity:key_app",
                     "API keys: shown once, stored hashed, scoped, revocable."),
             Command("keys", "accord.cli.keys:keys_app",
                     "The instance's signing and preservation keys.")),
    ),
    Domain(
        "notices",
        models=("accord.notices.models",),
        jobs=("accord.notices.jobs", "accord.notices.liveness_jobs"),
        api=("accord.web.api.notices", "accord.web.api.contact", "accord.web.api.action_days"),
        ui=("accord.web.ui.notices", "accord.web.ui.action_days"),
        cli=(Command("notice", "accord.cli.notices:notice_app",
                     "Removal orders, referrals, trusted flags, user reports and alerts."),
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
             Command("authority", "accord.cli.authorities:authority_app",
                     "What an authority does about a provider: exposure (TCO Art. 5), penalties (Art. 18).")),
        demo=("accord.demo.authorities",),
    ),
    Domain(
        "narratives",
        models=("accord.narratives.models",),
        api=("accord.web.api.narratives",),
        ui=("accord.web.ui.narratives",),
        cli=(Command("campaign", "accord.cli.narratives:campaign_app",
                     "Counter-narrative campaigns: create, import daily figures, report impact."),),
        demo=("accord.demo.narratives",),
    ),
    Domain(
        "policies",  # before banks in the demo: a match acts automatically only where a policy says so
        models=("accord.policies.models",),
        api=("accord.web.api.policies",),
        ui=("accord.web.ui.policies",),
        cli=(Command("policy", "accord.cli.policies:policy_app",
                     "Providers' policies: versions, diffs, jurisdictions and resolution."),
             Command("incident", "accord.cli.policies:incident_app",
                     "Crisis incidents: declare against the checklist, conclude, debrief.")),
        demo=("accord.demo.policies",),
    ),
    Domain(
        "banks",
        models=("accord.banks.models",),
        api=("accord.web.api.banks",),
        ui=("accord.web.ui.banks",),
        cli=(Command("bank", "accord.cli.banks:bank_app",
                     "Hash banks: create, add files, import and export CSV, list."),
             Command("hash", "accord.cli.hashing:hash_files",
                     "Hash files: one JSON line per file with its signals (PDQ for photos, MD5, SHA-256, video MD5).")),
        demo=("accord.demo.banks", "accord.demo.documents"),
    ),
    Domain(
        "matching",
        models=("accord.matching.models",),
        jobs=("accord.matching.jobs",),
        api=("accord.web.api.matching",),
        cli=(Command("match", "accord.cli.banks:match_files",
                     "Match files against the banks the organisation may use"),),
    ),
    Domain(
        "exchange",
        api=("accord.web.api.exchange",),
        cli=(Command("exchange", "accord.cli.banks:exchange_app",
                     "Exchange: pull another Accord instance's feed, import pytx exchanges."),),
    ),
    Domain(
        "transparency",
        models=("accord.transparency.models",),
        jobs=("accord.transparency.jobs",),
        api=("accord.web.api.transparency", "accord.web.api.membership"),
        ui=("accord.web.ui.transparency",),
        cli=(Command("report", "accord.cli.transparency:report_app",
                     "Transparency reports computed from the audit trail (TCO Art. 7/8, DSA Art. 15/24)."),
             Command("sor", "accord.cli.transparency:sor_app",
                     "DSA statements of reasons for the Transparency Database."),
             Command("dispute", "accord.cli.transparency:dispute_app",
                     "Out-of-court disputes before certified bodies (DSA Art. 21).")),
        demo=("accord.demo.transparency",),
    ),
    Domain(
        "cases",
        models=("accord.cases.models",),
        api=("accord.web.api.cases",),
        ui=("accord.web.ui.cases",),
        cli=(Command("case", "accord.cli.cases:case_app",
                     "Review cases: list what waits, take the next case, decide it."),),
        demo=("accord.demo.cases",),
    ),
    Domain(
        "rights",  # after transparency in the demo: it answers a complaint about one of that year's removals
        models=("accord.rights.models",),
        jobs=("accord.rights.jobs",),
        api=("accord.web.api.rights",),
        ui=("accord.web.ui.rights", "accord.web.ui.status"),
        cli=(Command("rights", "accord.cli.rights:rights_app",
                     "Complaints (TCO Art. 10), user notices (Art. 11), preservation (Art. 6)."),),
        demo=("accord.demo.rights",),
    ),
    Domain(
        "blocklists",  # administrative blocking lists that resolvers enforce (issue 14)
        models=("accord.blocklists.models",),
        jobs=("accord.blocklists.jobs",),
        api=("accord.web.api.blocklists",),
        ui=("accord.web.ui.blocklists",),
        cli=(Command("blocklist", "accord.cli.blocklists:blocklist_app",
                     "Administrative blocking lists: DNS blocking and search delisting"),),
        demo=("accord.demo.blocklists",),
    ),
    Domain(
        "evidence",  # European Production and Preservation Orders (Regulation (EU) 2023/1543, issue 19)
        models=("accord.evidence.models",),
        jobs=("accord.evidence.jobs",),
        api=("accord.web.api.evidence",),
        ui=("accord.web.ui.evidence",),
        cli=(Command("evidence", "accord.cli.evidence:evidence_app",
                     "European Production and Preservation Orders (e-evidence, Regulation (EU) 2023/1543)."),),
        demo=("accord.demo.evidence",),
    ),
    Domain(
        "training",  # golden sets, the console's training mode, calibration before live cases (issue 18)
        models=("accord.training.models",),
        api=("accord.web.api.training",),
        ui=("accord.web.ui.training",),
        cli=(Command("training", "accord.cli.training:training_app",
                     "Reviewer training: golden sets, training answers, accuracy and calibration."),),
        demo=("accord.demo.training",),
    ),
    Domain(
        "readiness",  # drills, joint exercises and the readiness score (issue 18); after flows' domains: it
        # declares incidents (accord.flows.incidents) and its demo drill needs a provider with a policy
        models=("accord.readiness.models",),
        jobs=("accord.readiness.jobs",),
        api=("accord.web.api.readiness",),
        ui=("accord.web.ui.readiness",),
        cli=(Command("drill", "accord.cli.readiness:drill_app",
                     "Removal-order drills: a practice order at a random moment of a window; scorecards."),),
        demo=("accord.demo.readiness",),
    ),
    Domain(
        "scans",  # retroactive scans of a provider's content on Dask (issue 16); after banks and cases in the demo
        models=("accord.scans.models",),
        api=("accord.web.api.scans",),
        ui=("accord.web.ui.scans",),
        cli=(Command("scan", "accord.cli.scans:scan",
                     "Scan what is already hosted against the banks"),),
        demo=("accord.demo.scans",),
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
