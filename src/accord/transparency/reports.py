"""Transparency reports computed only from audit events (``docs/events.md``).

- ``provider_report``: the provider's TCO Art. 7 annual report (every item of Art. 7(3)) and, unless the
  micro/small profile spares it (DSA Art. 15(2), 19), the DSA Art. 15/24 figures.
- ``authority_report``: the competent authority's TCO Art. 8 report.

Every figure is derived from the events of one calendar year (UTC); nothing is counted on the side.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.rights.profile import is_micro_small
from accord.transparency import blocklists as blocklist_report
from accord.transparency import events as ev
from accord.transparency.flaggers import provider_flagger_accuracy

RESTRICTIONS: Final = ("remove", "disable", "restrict")
EXECUTED: Final = ("removed", "disabled")
_NOTICE_SOURCES: Final = frozenset({"removal_order", "referral", "alert", "trusted_flag", "user_report",
                                    "notice", "trusted_flagger_notice", "user_notice"})
SPARED: Final = "not required of a micro or small enterprise (DSA Art. 15(2), Art. 19(1))"
SPARED_TDB: Final = ("statements of reasons are not submitted to the Transparency Database: a micro or small"
                     " enterprise is exempt from DSA Art. 24(5) (Art. 19(1))")
KEPT_24_3: Final = ("DSA Art. 24(3) still applies: the average monthly active recipients are given to the Digital"
                    " Services Coordinator or the Commission when they ask")


@dataclass(frozen=True)
class DecisionRow:
    """One group of decisions with the same facts, as the ``GROUP BY`` returns it."""

    action: str
    ground_kind: str
    automated_detection: bool
    automation: str
    sources: tuple[str, ...]
    month: int
    count: int


def provider_report(session: Session, clock: Clock, *, org: Organisation, year: int) -> dict[str, Any]:
    """The provider's yearly report: TCO Art. 7 always, the DSA figures unless spared."""
    _check_year(year)
    window = ev.year_window(year)
    decisions = _decision_rows(session, window, org.id)
    orders = _order_facts(session, window, provider_id=org.id)
    complaints = _complaints(session, window, org.id)
    report: dict[str, Any] = {
        **_header(clock, org, year),
        "tco_art7": _tco_art7(session, window, org.id, decisions, orders, complaints),
    }
    if is_micro_small(session, org.id):
        report["dsa"] = {"not_required": SPARED, "transparency_database": SPARED_TDB, "art_24_3": KEPT_24_3}
    else:
        report["dsa"] = _dsa(session, window, org.id, decisions, orders, complaints)
    report["monthly"] = _monthly(decisions)
    return report


def authority_report(session: Session, clock: Clock, *, org: Organisation, year: int) -> dict[str, Any]:
    """The authority's yearly report (TCO Art. 8(1))."""
    _check_year(year)
    window = ev.year_window(year)
    orders = _order_facts(session, window, issuer_id=org.id)
    return {
        **_header(clock, org, year),
        "tco_art8": {
            "a_removal_orders": _order_summary(orders),
            "b_specific_measures_decisions": _exposure_decisions(session, window, org.id),
            "c_scrutiny": _scrutiny(session, window, org.id, orders),
            "d_review_proceedings": _reviews(session, window, issuer_id=org.id),
            "e_penalties": _penalties(session, window, org.id),
        },
        "blocking_lists": blocklist_report.yearly(session, window, org.id),
    }


def _reviews(session: Session, window: Any, **scope: str) -> dict[str, Any]:
    """TCO Art. 9 proceedings recorded in the year (Art. 7(3)(e), Art. 8(1)), and the outcomes decided in it."""
    brought = ev.grouped(session, ev.REVIEW_RECORD, window, ["brought_by"], **scope)
    decided = ev.grouped(session, ev.REVIEW_DECIDE, window, ["outcome"], **scope)
    return {"brought": sum(int(n) for _, n in brought), "by_party": _counted(brought), "by_outcome": _counted(decided)}


def _exposure_decisions(session: Session, window: Any, authority_id: str) -> dict[str, Any]:
    """TCO Art. 8(1): decisions under Art. 5(4) (exposure), 5(6) (measures required), 5(7) (on review)."""
    counts = {tag: sum(int(n) for _, n in ev.grouped(session, tag, window, ["provider_id"], authority_id=authority_id))
              for tag in (ev.EXPOSURE_DECIDE, ev.EXPOSURE_REQUIRE, ev.EXPOSURE_REVIEW_DECIDE, ev.EXPOSURE_REPORT)}
    return {"art5_4_exposure": counts[ev.EXPOSURE_DECIDE], "art5_6_measures_required": counts[ev.EXPOSURE_REQUIRE],
            "art5_7_reviews_decided": counts[ev.EXPOSURE_REVIEW_DECIDE],
            "count": counts[ev.EXPOSURE_DECIDE] + counts[ev.EXPOSURE_REQUIRE] + counts[ev.EXPOSURE_REVIEW_DECIDE],
            "provider_reports_received": counts[ev.EXPOSURE_REPORT]}


def _scrutiny(session: Session, window: Any, authority_id: str, orders: OrderFacts) -> dict[str, Any]:
    """TCO Art. 4: the authority's cross-border orders, how many were scrutinised and found to infringe."""
    found = ev.grouped(session, ev.SCRUTINY_DECIDE, window, ["infringement"], issuer_id=authority_id)
    return {"cross_border_orders": orders.cross_border, "scrutinised": sum(int(n) for _, n in found),
            "infringements": sum(int(n) for flag, n in found if ev.truthy(flag))}


def _penalties(session: Session, window: Any, authority_id: str) -> dict[str, Any]:
    """TCO Art. 8(1): penalties imposed under Art. 18, by the infringed provision."""
    found = ev.grouped(session, ev.PENALTY_IMPOSE, window, ["ground"], authority_id=authority_id)
    return {"count": sum(int(n) for _, n in found), "by_ground": _counted(found)}


def _check_year(year: int) -> None:
    if not 2022 <= year <= 2100:
        raise InvalidInput("the TCO Regulation applies from 2022; give a year from 2022", field="year")


def _header(clock: Clock, org: Organisation, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "organisation": {"id": org.id, "name": org.name, "kind": org.kind, "country": org.country},
        "generated_at": clock.now().isoformat(),
    }


# --- decisions --------------------------------------------------------------------------------------------


def _decision_rows(session: Session, window: Any, provider_id: str) -> list[DecisionRow]:
    keys: list[ev.Column] = ["action", "ground_kind", "automated_detection", "automated_decision", "sources",
                             ev.month()]
    found = ev.grouped(session, ev.DECISION, window, keys, provider_id=provider_id)
    return [
        DecisionRow(str(action or ""), str(ground or ""), ev.truthy(detected), ev.automation_level(decided),
                    tuple(str(s) for s in ev.json_list(sources)), int(month), int(count))
        for action, ground, detected, decided, sources, month, count in found
    ]


def _sum(rows: Iterable[DecisionRow], **match: Any) -> int:
    return sum(r.count for r in rows if all(getattr(r, k) == v for k, v in match.items()))


def _restrictive(rows: Iterable[DecisionRow]) -> list[DecisionRow]:
    return [r for r in rows if r.action in RESTRICTIONS]


def _by(rows: Iterable[DecisionRow], attribute: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[str(getattr(row, attribute))] += row.count
    return dict(sorted(counts.items()))


def _monthly(rows: list[DecisionRow]) -> dict[str, dict[str, int]]:
    """Restrictions per month and ground, for the chart."""
    table: dict[str, dict[str, int]] = {}
    for ground in ("legal", "terms"):
        table[ground] = {str(m): _sum(_restrictive(rows), month=m, ground_kind=ground) for m in range(1, 13)}
    return table


# --- orders and notices -----------------------------------------------------------------------------------


@dataclass
class OrderFacts:
    """Removal orders of the year, one entry per order id, joined from receive, acknowledge and outcome."""

    received: dict[str, dict[str, Any]]
    seconds_to_ack: dict[str, float | None]
    outcomes: dict[str, dict[str, Any]]

    @property
    def cross_border(self) -> int:
        return sum(1 for order in self.received.values() if ev.truthy(order["cross_border"]))


def _order_facts(session: Session, window: Any, **scope: str) -> OrderFacts:
    received = {
        str(subject): {"member_state": state or "?", "tco_types": ev.json_list(types), "cross_border": cross}
        for subject, state, types, cross in ev.rows(
            session, ev.NOTICE_RECEIVE, window, [ev.SUBJECT, "member_state", "tco_types", "cross_border"],
            kind="removal_order", **scope)
    }
    acks = ev.rows(session, ev.NOTICE_ACK, window, [ev.SUBJECT, "seconds_to_ack"], kind="removal_order", **scope)
    outcomes = {
        str(subject): {"outcome": outcome, "ground": ground, "seconds_to_act": ev.number(seconds),
                       "breach": ev.truthy(breach), "member_state": state or "?"}
        for subject, outcome, ground, seconds, breach, state in ev.rows(
            session, ev.NOTICE_OUTCOME, window,
            [ev.SUBJECT, "outcome", "ground", "seconds_to_act", "breach", "member_state"],
            kind="removal_order", **scope)
    }
    return OrderFacts(received, {str(s): ev.number(v) for s, v in acks}, outcomes)


def _order_summary(orders: OrderFacts) -> dict[str, Any]:
    """Orders issued or received, items removed or disabled, and the speed of it."""
    outcomes = list(orders.outcomes.values())
    return {
        "orders": len(orders.received),
        "cross_border": orders.cross_border,
        "executed": sum(1 for o in outcomes if o["outcome"] in EXECUTED),
        "by_outcome": dict(sorted(Counter(str(o["outcome"]) for o in outcomes).items())),
        "not_executed_by_ground": _not_executed(outcomes),
        "one_hour_breaches": sum(1 for o in outcomes if o["breach"]),
        "median_seconds_to_act": ev.median(o["seconds_to_act"] for o in outcomes),
    }


def _not_executed(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    grounds = Counter(str(o["ground"] or "unspecified") for o in outcomes if o["outcome"] == "cannot_comply")
    return dict(sorted(grounds.items()))


def _orders_dsa(orders: OrderFacts) -> dict[str, Any]:
    """DSA Art. 15(1)(a): orders by Member State and type, with median times to acknowledge and to act."""
    by_state: dict[str, list[str]] = defaultdict(list)
    by_type: dict[str, list[str]] = defaultdict(list)
    for order_id, order in orders.received.items():
        by_state[order["member_state"]].append(order_id)
        for kind in order["tco_types"] or ["unspecified"]:
            by_type[str(kind)].append(order_id)
    return {
        "total": len(orders.received),
        **_timing(orders, list(orders.received)),
        "by_member_state": {state: _order_group(orders, ids) for state, ids in sorted(by_state.items())},
        "by_type": {kind: _order_group(orders, ids) for kind, ids in sorted(by_type.items())},
    }


def _order_group(orders: OrderFacts, ids: list[str]) -> dict[str, Any]:
    return {"count": len(ids), **_timing(orders, ids)}


def _timing(orders: OrderFacts, ids: list[str]) -> dict[str, float | None]:
    return {
        "median_seconds_to_ack": ev.median(orders.seconds_to_ack.get(i) for i in ids),
        "median_seconds_to_act": ev.median(orders.outcomes.get(i, {}).get("seconds_to_act") for i in ids),
    }


def _notices_dsa(session: Session, window: Any, provider_id: str) -> dict[str, Any]:
    """DSA Art. 15(1)(b): notices by kind, those from trusted flaggers, and what was done."""
    received = ev.grouped(session, ev.NOTICE_RECEIVE, window, ["kind", "issuer_kind"], provider_id=provider_id)
    notices = [(str(kind), str(issuer), int(n)) for kind, issuer, n in received if kind not in ev.ORDER_KINDS]
    outcome_rows = ev.rows(session, ev.NOTICE_OUTCOME, window, ["kind", "outcome", "seconds_to_act"],
                           provider_id=provider_id)
    outcomes = [(o, ev.number(s)) for kind, o, s in outcome_rows if kind not in ev.ORDER_KINDS]
    by_kind: Counter[str] = Counter()
    for kind, _issuer, n in notices:
        by_kind[kind] += n
    return {
        "total": sum(n for *_, n in notices),
        "by_kind": dict(sorted(by_kind.items())),
        "trusted_flagger": sum(n for _k, issuer, n in notices if issuer == "trusted_flagger"),
        "by_outcome": dict(sorted(Counter(str(o) for o, _ in outcomes).items())),
        "median_seconds_to_act": ev.median(s for _, s in outcomes),
    }


# --- complaints -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintFacts:
    filed: dict[str, int]
    outcomes: dict[str, int]
    seconds: list[float | None]
    overdue: int
    reinstated: dict[str, int]


def _complaints(session: Session, window: Any, provider_id: str) -> ComplaintFacts:
    filed = ev.grouped(session, ev.COMPLAINT_FILE, window, ["by"], provider_id=provider_id)
    decided = ev.rows(session, ev.COMPLAINT_DECIDE, window, ["outcome", "seconds_to_decide", "breach"],
                      provider_id=provider_id)
    reinstated = ev.grouped(session, ev.REINSTATE, window, ["reason"], provider_id=provider_id)
    return ComplaintFacts(
        filed=_counted(filed),
        outcomes=dict(sorted(Counter(str(o) for o, _, _ in decided).items())),
        seconds=[ev.number(s) for _, s, _ in decided],
        overdue=sum(1 for *_, breach in decided if ev.truthy(breach)),
        reinstated=_counted(reinstated),
    )


def _counted(found: list[Any]) -> dict[str, int]:
    return dict(sorted((str(key), int(n)) for key, n in found))


def _complaints_summary(facts: ComplaintFacts) -> dict[str, Any]:
    return {
        "received": sum(facts.filed.values()),
        "by_complainant": facts.filed,
        "decided": sum(facts.outcomes.values()),
        "upheld": facts.outcomes.get("upheld", 0),
        "reversed": facts.outcomes.get("reversed", 0),
        "answered_after_two_weeks": facts.overdue,
        "median_seconds_to_decide": ev.median(facts.seconds),
    }


# --- the two parts of the provider report -------------------------------------------------------------


def _tco_art7(session: Session, window: Any, provider_id: str, decisions: list[DecisionRow], orders: OrderFacts,
              complaints: ComplaintFacts) -> dict[str, Any]:
    restrictive = _restrictive(decisions)
    matches = ev.grouped(session, ev.MATCH_FOUND, window, ["signal_type"], provider_id=provider_id)
    return {
        "a_measures": {
            "decisions": sum(r.count for r in decisions),
            "restrictions": sum(r.count for r in restrictive),
            "by_action": _by(decisions, "action"),
            "detected_by_automated_tools": _sum(restrictive, automated_detection=True),
            "automated_detection_with_human_decision": _sum(restrictive, automated_detection=True,
                                                            automation="not_automated"),
        },
        "b_reappearance": {
            "hash_matches": sum(int(n) for _, n in matches),
            "matches_by_signal_type": _counted(matches),
            "restrictions_after_a_match": sum(r.count for r in restrictive if "hash_match" in r.sources),
        },
        "c_removals": {
            "after_removal_orders": _order_summary(orders)["executed"],
            "after_specific_measures": _sum(restrictive, automated_detection=True),
            "orders_not_executed": sum(_not_executed(list(orders.outcomes.values())).values()),
            "not_executed_by_ground": _not_executed(list(orders.outcomes.values())),
        },
        "d_complaints": _complaints_summary(complaints),
        "e_review_proceedings": _reviews(session, window, provider_id=provider_id, brought_by="provider"),
        "f_reinstated_after_review": complaints.reinstated.get("review", 0) + complaints.reinstated.get("scrutiny", 0),
        "g_reinstated_after_complaint": complaints.reinstated.get("complaint", 0),
    }


def _dsa(session: Session, window: Any, provider_id: str, decisions: list[DecisionRow], orders: OrderFacts,
         complaints: ComplaintFacts) -> dict[str, Any]:
    restrictive = _restrictive(decisions)
    return {
        "orders": _orders_dsa(orders),
        "notices": _notices_dsa(session, window, provider_id),
        "actions": {
            "legal_ground": _sum(restrictive, ground_kind="legal"),
            "terms_ground": _sum(restrictive, ground_kind="terms"),
            "by_action": _by(restrictive, "action"),
            "own_initiative": sum(r.count for r in restrictive if _own_initiative(r.sources)),
        },
        "automated_means": {
            "automated_detection": _sum(restrictive, automated_detection=True),
            "decisions_by_automation": _by(restrictive, "automation"),
        },
        "complaints": {**_complaints_summary(complaints), "reinstated": sum(complaints.reinstated.values())},
        "trusted_flaggers": [a.as_dict() for a in provider_flagger_accuracy(session, provider_id=provider_id,
                                                                             window=window)],
    }


def _own_initiative(sources: tuple[str, ...]) -> bool:
    return not any(s in _NOTICE_SOURCES for s in sources)


def report_for(session: Session, clock: Clock, *, org_id: str, year: int) -> dict[str, Any]:
    """The report an organisation publishes: a provider's (TCO Art. 7, DSA) or an authority's (TCO Art. 8)."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise InvalidInput(f"no organisation {org_id!r}", field="org")
    if org.kind == "authority":
        return authority_report(session, clock, org=org, year=year)
    if org.kind == "provider":
        return provider_report(session, clock, org=org, year=year)
    raise InvalidInput("transparency reports are published by providers and authorities", field="org")


# The pieces the harmonised-template layout (``template.py``) reuses, under public names.
check_year = _check_year
decision_rows = _decision_rows
order_facts = _order_facts
timing = _timing
notices_dsa = _notices_dsa
complaint_facts = _complaints
complaints_summary = _complaints_summary
own_initiative = _own_initiative
