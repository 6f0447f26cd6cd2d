"""The DSA transparency report (Art. 15, Art. 24(1)) in the layout of the harmonised template of Commission
Implementing Regulation (EU) 2024/2835 (Annex I), computed from audit events like every other report.

The template has eleven sections in a fixed order: 1 report identification, 2 categories, 3 Member States'
orders, 4 notices (Art. 16), 5 own-initiative moderation of illegal content, 6 own-initiative moderation
under the terms and conditions, 7 complaints, out-of-court disputes and suspensions (Art. 20, 21, 23),
8 automated means, 9 human resources, 10 average monthly active recipients, 11 qualitative information.
Each row carries the figure, its breakdown (Member State, category, restriction) where the template has one,
and a note where Accord cannot know the figure. Terrorist content falls under the template's category
"Risk for public security"; a terms-of-service ground under its own category.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.clock import Clock
from accord.identity.models import Member, Organisation
from accord.law.sor import CATEGORY_TERRORIST_CONTENT
from accord.rights.profile import is_micro_small
from accord.transparency import events as ev
from accord.transparency import reports

TEMPLATE: Final = "Commission Implementing Regulation (EU) 2024/2835, Annex I: harmonised transparency report template"
STRIKE: Final = Event.CASES_STRIKE_RECORD
QUALITY_REVIEW: Final = Event.CASES_QUALITY_REVIEW
DISPUTE_FILE: Final = Event.TRANSPARENCY_DISPUTE_FILE
DISPUTE_DECIDE: Final = Event.TRANSPARENCY_DISPUTE_DECIDE
NOT_RECORDED: Final = "not recorded by Accord; add from the provider's own records"
HOUR: Final = 3600.0


@dataclass
class Section:
    number: int
    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: str, value: Any, *, breakdown: str = "", note: str = "") -> None:
        self.rows.append({"row": row, "breakdown": breakdown, "value": value, "note": note})

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.number, "name": self.name, "rows": self.rows}


def dsa_template(session: Session, clock: Clock, *, org: Organisation, year: int) -> dict[str, Any]:
    """The provider's Art. 15/24 report for ``year`` as the template's sections and rows."""
    reports.check_year(year)
    window = ev.year_window(year)
    small = is_micro_small(session, org.id)
    sections = [_identification(org, year, small), _categories()]
    if small:
        spared = Section(3, "Sections 3 to 10")
        spared.add("Not required", None, note=f"{reports.SPARED}; {reports.KEPT_24_3}")
        sections.append(spared)
    else:
        sections += _figures(session, window, org.id)
    sections.append(_qualitative(small))
    return {"template": TEMPLATE, "year": year, "generated_at": clock.now().isoformat(),
            "provider": {"id": org.id, "name": org.name, "country": org.country},
            "sections": [s.as_dict() for s in sections]}


def _figures(session: Session, window: Any, provider_id: str) -> list[Section]:
    decisions = reports.decision_rows(session, window, provider_id)
    return [
        _orders(reports.order_facts(session, window, provider_id=provider_id)),
        _notices(session, window, provider_id, decisions),
        _own_initiative(5, "Own-initiative content moderation: illegal content", decisions, "legal"),
        _own_initiative(6, "Own-initiative content moderation: terms and conditions", decisions, "terms"),
        _complaints_disputes_suspensions(session, window, provider_id),
        _automated_means(session, window, provider_id, decisions),
        _human_resources(session, provider_id),
        _recipients(),
    ]


# --- sections -------------------------------------------------------------------------------------------


def _identification(org: Organisation, year: int, small: bool) -> Section:
    section = Section(1, "Report identification")
    section.add("Name of the service provider", org.name)
    section.add("Member State of establishment", org.country)
    section.add("Type of intermediary service", "hosting service (online platform)")
    section.add("Reporting period: start", f"{year}-01-01")
    section.add("Reporting period: end", f"{year}-12-31")
    section.add("Micro or small enterprise", small, note="DSA Art. 15(2), Art. 19(1)" if small else "")
    return section


def _categories() -> Section:
    section = Section(2, "Categories")
    labels = json.loads(files("accord.transparency").joinpath("dsa_sor_fields.json").read_text())["category"]
    for code, label in labels["labels"].items():
        section.add("Category", label, breakdown=code)
    return section


def _orders(orders: reports.OrderFacts) -> Section:
    section = Section(3, "Orders from Member States' authorities (Art. 9 and Art. 10)")
    by_state: dict[str, list[str]] = {}
    for order_id, order in orders.received.items():
        by_state.setdefault(str(order["member_state"]), []).append(order_id)
    section.add("Number of orders to act against illegal content received", len(orders.received),
                breakdown=CATEGORY_TERRORIST_CONTENT, note="TCO removal orders (Regulation (EU) 2021/784)")
    for state, ids in sorted(by_state.items()):
        timing = reports.timing(orders, ids)
        section.add("Number of orders to act against illegal content received", len(ids), breakdown=state)
        section.add("Median time to inform the authority of receipt (hours)",
                    _hours(timing["median_seconds_to_ack"]), breakdown=state)
        section.add("Median time to give effect to the order (hours)", _hours(timing["median_seconds_to_act"]),
                    breakdown=state)
    section.add("Number of orders to provide information received", None, note=NOT_RECORDED)
    return section


def _notices(session: Session, window: Any, provider_id: str, decisions: list[reports.DecisionRow]) -> Section:
    section = Section(4, "Notices (Art. 16)")
    notices = reports.notices_dsa(session, window, provider_id)
    restrictive = [r for r in decisions if r.action in reports.RESTRICTIONS and not _own(r.sources)]
    section.add("Number of notices submitted", notices["total"])
    for kind, count in notices["by_kind"].items():
        section.add("Number of notices submitted", count, breakdown=kind)
    section.add("Number of notices submitted by trusted flaggers", notices["trusted_flagger"])
    section.add("Number of actions taken on the basis of the law", _count(restrictive, ground_kind="legal"))
    section.add("Number of actions taken on the basis of the terms and conditions",
                _count(restrictive, ground_kind="terms"))
    section.add("Number of notices processed by automated means",
                sum(r.count for r in restrictive if r.automation != "not_automated"))
    section.add("Median time to take action (hours)", _hours(notices["median_seconds_to_act"]))
    return section


def _own_initiative(number: int, name: str, decisions: list[reports.DecisionRow], ground: str) -> Section:
    section = Section(number, name)
    own = [r for r in decisions if r.action in reports.RESTRICTIONS and _own(r.sources) and r.ground_kind == ground]
    section.add("Number of own-initiative restrictions", sum(r.count for r in own))
    for action in sorted({r.action for r in own}):
        section.add("Number of own-initiative restrictions", _count(own, action=action), breakdown=action)
    section.add("Number detected by automated means", _count(own, automated_detection=True))
    section.add("Number decided by fully automated means", _count(own, automation="fully"))
    return section


def _complaints_disputes_suspensions(session: Session, window: Any, provider_id: str) -> Section:
    section = Section(7, "Complaints (Art. 20), out-of-court disputes (Art. 21) and suspensions (Art. 23)")
    complaints = reports.complaints_summary(reports.complaint_facts(session, window, provider_id))
    section.add("Number of complaints received", complaints["received"])
    section.add("Number of decisions upheld after a complaint", complaints["upheld"])
    section.add("Number of decisions reversed after a complaint", complaints["reversed"])
    section.add("Median time to decide a complaint (days)", _days(complaints["median_seconds_to_decide"]))
    _disputes(section, session, window, provider_id)
    _suspensions(section, session, window, provider_id)
    return section


def _disputes(section: Section, session: Session, window: Any, provider_id: str) -> None:
    filed = ev.grouped(session, DISPUTE_FILE, window, [], provider_id=provider_id)
    decided = ev.rows(session, DISPUTE_DECIDE, window, ["outcome", "days"], provider_id=provider_id)
    outcomes = Counter(str(outcome) for outcome, _ in decided)
    section.add("Number of disputes submitted to out-of-court dispute settlement bodies",
                sum(int(row[-1]) for row in filed))
    for outcome in ("upheld", "reversed", "settled", "withdrawn"):
        section.add("Outcome of the disputes", outcomes.get(outcome, 0), breakdown=outcome,
                    note="upheld: the provider's decision stands; reversed: the body found for the recipient")
    section.add("Median time to complete the dispute settlement procedure (days)",
                ev.median(ev.number(days) for _, days in decided))
    share = outcomes.get("reversed", 0) / len(decided) if decided else None
    section.add("Share of disputes in which the body found against the provider", share)


def _suspensions(section: Section, session: Session, window: Any, provider_id: str) -> None:
    strikes = Counter({(str(kind), str(result)): int(n) for kind, result, n in ev.grouped(
        session, STRIKE, window, ["subject_kind", "consequence"], provider_id=provider_id)})
    section.add("Number of suspensions for manifestly illegal content (Art. 23(1))",
                strikes[("uploader", "suspension")])
    section.add("Number of suspensions for manifestly unfounded notices (Art. 23(2))",
                strikes[("notifier", "suspension")])
    section.add("Number of suspensions for manifestly unfounded complaints (Art. 23(2))", None, note=NOT_RECORDED)
    section.add("Number of warnings before suspension", sum(n for (_, r), n in strikes.items() if r == "warning"))


def _automated_means(session: Session, window: Any, provider_id: str,
                     decisions: list[reports.DecisionRow]) -> Section:
    section = Section(8, "Use of automated means")
    restrictive = [r for r in decisions if r.action in reports.RESTRICTIONS]
    reviewed = [(kind, ev.truthy(over)) for kind, over in ev.rows(
        session, QUALITY_REVIEW, window, ["kind", "overturned"], provider_id=provider_id)]
    verified = [over for kind, over in reviewed if kind == "verification"]
    section.add("Number of restrictions detected by automated means", _count(restrictive, automated_detection=True))
    section.add("Number of restrictions decided by fully automated means", _count(restrictive, automation="fully"))
    section.add("Number of automated decisions verified by a human reviewer", len(verified))
    section.add("Number of verified automated decisions overturned", sum(verified))
    section.add("Error rate of automated decisions (overturned share of those verified)",
                round(sum(verified) / len(verified), 4) if verified else None,
                note="" if verified else "no automated decision was verified in the period")
    return section


def _human_resources(session: Session, provider_id: str) -> Section:
    section = Section(9, "Human resources dedicated to content moderation")
    reviewers = session.scalar(select(func.count()).select_from(Member).where(
        Member.org_id == provider_id, Member.role.in_(("reviewer", "admin")))) or 0
    section.add("Number of members who may review content", reviewers, note="members with a reviewer or admin role")
    return section


def _recipients() -> Section:
    section = Section(10, "Average monthly active recipients")
    section.add("Average monthly active recipients in the Union", None, note=NOT_RECORDED)
    return section


def _qualitative(small: bool) -> Section:
    section = Section(11, "Qualitative information")
    section.add("Content moderation", "Notices, removal orders, hash matches and the provider's own review are "
                "decided in one review console; every restriction has a statement of reasons (DSA Art. 17).")
    if small:
        section.add("Transparency Database", reports.SPARED_TDB)
    else:
        section.add("Automated means", "Hash matching against shared banks detects known terrorist content; "
                    "automatic action only where the provider's policy allows it, with a share verified by a "
                    "reviewer (TCO Art. 5(3)).")
    return section


# --- helpers --------------------------------------------------------------------------------------------


def _own(sources: tuple[str, ...]) -> bool:
    return reports.own_initiative(sources)


def _count(rows: Iterable[reports.DecisionRow], **match: Any) -> int:
    return sum(r.count for r in rows if all(getattr(r, k) == v for k, v in match.items()))


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 2)


def to_csv(report: dict[str, Any]) -> str:
    """One line per row: section number, section name, row name, breakdown, value, note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "section_name", "row", "breakdown", "value", "note"])
    for section in report["sections"]:
        for row in section["rows"]:
            value = "" if row["value"] is None else row["value"]
            writer.writerow([section["section"], section["name"], row["row"], row["breakdown"], value, row["note"]])
    return buffer.getvalue()


def render(report: dict[str, Any], fmt: str) -> str:
    """``json`` or ``csv``."""
    if fmt == "csv":
        return to_csv(report)
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
