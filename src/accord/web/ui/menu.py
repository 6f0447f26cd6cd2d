"""The navigation each kind of organisation sees: only the pages it can use, its home page first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    label: str
    href: str


SETTINGS = Link("Settings", "/ui/settings")
CAMPAIGNS = Link("Campaigns", "/ui/campaigns")
ACTION_DAYS = Link("Action days", "/ui/action-days")
# A provider works an inbox and a review console; issuers send and follow what they sent; civil society runs
# campaigns. Pages a kind cannot use (an empty review console, a provider profile, a report it does not
# publish) are not offered to it.
MENUS: dict[str, tuple[Link, ...]] = {
    "provider": (Link("Inbox", "/ui/"), Link("Review", "/ui/cases"), Link("Banks", "/ui/banks"),
                 Link("Policies", "/ui/policies"), Link("Incidents", "/ui/incidents"), Link("Rights", "/ui/rights"),
                 Link("Transparency", "/ui/transparency"), CAMPAIGNS, SETTINGS),
    "authority": (Link("Orders sent", "/ui/"), Link("Send an order", "/ui/notices/new"),
                  Link("Outcomes", "/ui/notices/outcomes"), ACTION_DAYS, Link("Transparency", "/ui/transparency"),
                  CAMPAIGNS, Link("Blocking lists", "/ui/blocklists"), SETTINGS),
    "coordinator": (Link("Sent", "/ui/"), Link("Send", "/ui/notices/new"), ACTION_DAYS,
                    Link("Incidents", "/ui/incidents"), Link("Banks", "/ui/banks"), CAMPAIGNS, SETTINGS),
    "trusted_flagger": (Link("Flags sent", "/ui/"), Link("Send a flag", "/ui/notices/new"),
                        Link("Accuracy", "/ui/transparency"), SETTINGS),
    "civil_society": (Link("Home", "/ui/"), CAMPAIGNS, Link("Lessons", "/ui/campaigns/library"), SETTINGS),
    "overseer": (Link("Home", "/ui/"), Link("Blocking lists", "/ui/blocklists"), SETTINGS),
    "network_operator": (Link("Home", "/ui/"), Link("Blocking lists", "/ui/blocklists"), SETTINGS),
}
# E-evidence orders (docs/evidence.md): the authorities that issue them and the providers that answer them.
for _kind in ("provider", "authority"):
    MENUS[_kind] = (*MENUS[_kind][:-1], Link("E-evidence", "/ui/evidence"), MENUS[_kind][-1])
# Reviewer training (docs/training.md): providers train their reviewers; coordinators write shared golden sets.
for _kind in ("provider", "coordinator"):
    MENUS[_kind] = (*MENUS[_kind][:-1], Link("Training", "/ui/training"), MENUS[_kind][-1])
# Drills and the readiness score (docs/readiness.md): providers, and those who drill them.
for _kind in ("provider", "authority", "coordinator"):
    MENUS[_kind] = (*MENUS[_kind][:-1], Link("Readiness", "/ui/readiness"), MENUS[_kind][-1])
# Retroactive scans (docs/scans.md), beside the banks they match against.
for _kind in ("provider", "coordinator"):
    _at = next(i for i, link in enumerate(MENUS[_kind]) if link.href == "/ui/banks") + 1
    MENUS[_kind] = (*MENUS[_kind][:_at], Link("Scans", "/ui/scans"), *MENUS[_kind][_at:])
# Kinds whose transparency page exists: providers and authorities publish reports, trusted flaggers read
# their own accuracy.
TRANSPARENCY_KINDS = ("provider", "authority", "trusted_flagger")


def menu_for(kind: str | None) -> tuple[Link, ...]:
    return MENUS.get(kind or "", (Link("Home", "/ui/"), SETTINGS))


def current(links: tuple[Link, ...], path: str) -> str | None:
    """The link that names the page being shown: the longest prefix of its path (``/ui/`` only for itself)."""
    matching = [link.href for link in links
                if path == link.href or (link.href != "/ui/" and path.startswith(link.href.rstrip("/") + "/"))
                or path == link.href.rstrip("/")]
    return max(matching, key=len, default=None)
