"""Statements of reasons in the exact shape the DSA Transparency Database accepts.

DSA Art. 17 obliges a hosting provider to give the uploader a statement of reasons for every restriction;
Art. 24(5) obliges an online platform to submit those decisions, without personal data, to the Commission's
Transparency Database. This module turns one Accord moderation decision (``DecisionFacts``) into the JSON body
of ``POST /api/v1/statement`` and groups bodies for ``POST /api/v1/statements`` (1 to 100 per call).

It knows nothing about the database: the DB layer loads decisions, builds ``DecisionFacts`` and streams them
through ``export_statements`` / ``to_json_lines`` / ``batches``. The independent check of the produced bodies
lives in ``sor_rules`` and is deliberately written without importing anything from here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from accord.clock import as_utc
from accord.errors import InvalidInput
from accord.law.eu import EEA_COUNTRIES

STATEMENT_ENDPOINT: Final = "/api/v1/statement"
STATEMENTS_ENDPOINT: Final = "/api/v1/statements"
MAX_BATCH: Final = 100

CATEGORY_TERRORIST_CONTENT: Final = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
KEYWORD_TERRORIST_CONTENT: Final = "KEYWORD_TERRORIST_CONTENT"
CATEGORY_VIOLENCE: Final = "STATEMENT_CATEGORY_VIOLENCE"
CATEGORY_SPEECH: Final = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
CATEGORY_OTHER_TERMS: Final = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
# Policy categories (``accord.policies.document``) that are terrorist content: TCO Art. 2(7)(a)-(e) and the
# two a provider's terms commonly add. Any other category is filed under its own Transparency Database heading.
TERRORIST_TOPICS: Final = frozenset({"incitement", "solicitation_commit", "solicitation_group", "instruction",
                                     "threat", "glorification", "recruitment"})
_TOPIC_CATEGORIES: Final = {
    "graphic_violence": (CATEGORY_VIOLENCE, ()),
    "violence": (CATEGORY_VIOLENCE, ()),
    "hate_speech": (CATEGORY_SPEECH, ("KEYWORD_HATE_SPEECH",)),
    "self_harm": ("STATEMENT_CATEGORY_SELF_HARM", ()),
}


class Action(StrEnum):
    """What Accord did with the item."""

    REMOVE = "remove"
    DISABLE = "disable"  # access disabled in the listed countries (geo-block)
    RESTRICT = "restrict"  # a lesser visibility restriction, see ``Restriction``
    NO_ACTION = "no_action"
    SUSPEND_ACCOUNT = "suspend_account"  # DSA Art. 23(1): a user who frequently posts manifestly illegal content
    SUSPEND_NOTICES = "suspend_notices"  # DSA Art. 23(2): a notifier who frequently files manifestly unfounded notices


class Restriction(StrEnum):
    """The kind of restriction when ``Action.RESTRICT`` was chosen."""

    DEMOTED = "demoted"
    AGE_RESTRICTED = "age_restricted"
    INTERACTION_RESTRICTED = "interaction_restricted"
    LABELLED = "labelled"
    OTHER = "other"


class Source(StrEnum):
    """How the item came to Accord's attention (DSA Art. 17(3)(b))."""

    REMOVAL_ORDER = "removal_order"
    TRUSTED_FLAGGER_NOTICE = "trusted_flagger_notice"
    USER_NOTICE = "user_notice"
    OWN_INITIATIVE = "own_initiative"
    REFERRAL = "referral"


class ContentType(StrEnum):
    APP = "app"
    AUDIO = "audio"
    IMAGE = "image"
    PRODUCT = "product"
    SYNTHETIC_MEDIA = "synthetic_media"
    TEXT = "text"
    VIDEO = "video"
    OTHER = "other"


class Automation(StrEnum):
    """How far the decision itself was automated (DSA Art. 17(3)(c))."""

    FULLY = "fully"
    PARTIALLY = "partially"
    NOT_AUTOMATED = "not_automated"


class Instrument(StrEnum):
    """The law a legal ground is taken from; ``NATIONAL`` means the article text names the law itself."""

    TCO = "tco"
    DSA = "dsa"
    NATIONAL = "national"


class ExtraKeyword(StrEnum):
    """Keywords that may accompany ``KEYWORD_TERRORIST_CONTENT``."""

    ILLEGAL_ORGANIZATIONS = "illegal_organizations"
    INCITEMENT_VIOLENCE_HATRED = "incitement_violence_hatred"


@dataclass(frozen=True, slots=True)
class LegalGround:
    """The item is illegal: ``article`` is cited under ``instrument`` and ``explanation`` says why."""

    instrument: Instrument
    article: str
    explanation: str
    reference_url: str | None = None


@dataclass(frozen=True, slots=True)
class ContractualGround:
    """The item breaks the provider's terms: ``clause`` is the term relied on."""

    clause: str
    explanation: str
    also_illegal: bool | None = None
    reference_url: str | None = None


Ground = LegalGround | ContractualGround


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionFacts:
    """One moderation decision, in Accord's terms, with only what a statement of reasons may carry.

    ``puid_namespace`` is the provider's platform-unique id source: the Transparency Database refuses a
    ``puid`` twice per platform, so a provider that also files statements from another system gives Accord
    its own namespace. Dates are calendar dates in UTC. ``territorial_scope`` empty means "everywhere the
    service is offered" (EU and EEA); ``Action.DISABLE`` needs the countries explicitly.
    """

    decision_id: str | int | UUID
    action: Action
    ground: Ground
    content_types: tuple[ContentType, ...]
    content_date: date
    application_date: date
    facts: str
    source: Source
    automated_detection: bool
    automated_decision: Automation
    puid_namespace: str = "accord"
    territorial_scope: tuple[str, ...] = ()
    end_date: date | None = None
    restriction: Restriction | None = None
    restriction_other: str | None = None
    content_type_other: str | None = None
    content_language: str | None = None
    notifier: str | None = None
    extra_keywords: tuple[ExtraKeyword, ...] = ()
    topic: str | None = None  # the policy category the ground cites (``graphic_violence``, ``incitement``...)
    category: str | None = None  # given explicitly (an Art. 23 suspension takes that of the decision behind it)


# --- limits and vocabularies, as documented for the Transparency Database API ---------------------------

_SHORT_TEXT: Final = 500
_EXPLANATION: Final = 2000
_FACTS: Final = 5000
_FIRST_CONTENT_DATE: Final = date(2000, 1, 1)
_FIRST_APPLICATION_DATE: Final = date(2020, 1, 1)
_LAST_DATE: Final = date(2038, 1, 1)
_PUID_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")
_NAMESPACE_CHARS: Final = re.compile(r"[A-Za-z0-9_]{1,64}")
_URL: Final = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)
# Python's whitespace plus what Laravel's TrimStrings also removes: a text of these only counts as missing.
_BLANK: Final = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u200b\u200e"
)
_EEA: Final = frozenset(EEA_COUNTRIES)
_COUNTRY_ALIASES: Final = {"EL": "GR"}  # the EU's own code for Greece; the API wants ISO 3166

_VISIBILITY: Final = {
    Action.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    Action.DISABLE: "DECISION_VISIBILITY_CONTENT_DISABLED",
}
_SUSPENSIONS: Final = {
    Action.SUSPEND_ACCOUNT: ("decision_account", "DECISION_ACCOUNT_SUSPENDED", "end_date_account_restriction"),
    # The notifier keeps its account; what is suspended is part of the service: the handling of its notices.
    Action.SUSPEND_NOTICES: ("decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION",
                             "end_date_service_restriction"),
}
_RESTRICTIONS: Final = {
    Restriction.DEMOTED: "DECISION_VISIBILITY_CONTENT_DEMOTED",
    Restriction.AGE_RESTRICTED: "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    Restriction.INTERACTION_RESTRICTED: "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    Restriction.LABELLED: "DECISION_VISIBILITY_CONTENT_LABELLED",
    Restriction.OTHER: "DECISION_VISIBILITY_OTHER",
}
_SOURCE_TYPES: Final = {
    Source.TRUSTED_FLAGGER_NOTICE: "SOURCE_TRUSTED_FLAGGER",
    Source.USER_NOTICE: "SOURCE_ARTICLE_16",
    Source.OWN_INITIATIVE: "SOURCE_VOLUNTARY",
    # An IRU referral is a request to check content against the terms, not an Art. 9 order.
    Source.REFERRAL: "SOURCE_TYPE_OTHER_NOTIFICATION",
}
_CONTENT_TYPES: Final = {kind: f"CONTENT_TYPE_{kind.name}" for kind in ContentType}
_AUTOMATED_DECISIONS: Final = {level: f"AUTOMATED_DECISION_{level.name}" for level in Automation}
_KEYWORDS: Final = {word: f"KEYWORD_{word.name}" for word in ExtraKeyword}
_CITATIONS: Final = {
    Instrument.TCO: "Regulation (EU) 2021/784 (TCO)",
    Instrument.DSA: "Regulation (EU) 2022/2065 (DSA)",
    Instrument.NATIONAL: "",
}
_LANGUAGES: Final = frozenset((  # ISO 639-1, as the API lists them
    "AB", "AA", "AF", "AK", "SQ", "AM", "AR", "AN", "HY", "AS", "AV", "AE", "AY", "AZ", "BM", "BA",
    "EU", "BE", "BN", "BH", "BI", "BS", "BR", "BG", "MY", "CA", "KM", "CH", "CE", "NY", "ZH", "CU",
    "CV", "KW", "CO", "CR", "HR", "CS", "DA", "DV", "NL", "DZ", "EN", "EO", "ET", "EE", "FO", "FJ",
    "FI", "FR", "FF", "GD", "GL", "LG", "KA", "DE", "KI", "EL", "KL", "GN", "GU", "HT", "HA", "HE",
    "HZ", "HI", "HO", "HU", "IS", "IO", "IG", "ID", "IA", "IE", "IU", "IK", "GA", "IT", "JA", "JV",
    "KN", "KR", "KS", "KK", "RW", "KV", "KG", "KO", "KJ", "KU", "KY", "LO", "LA", "LV", "LB", "LI",
    "LN", "LT", "LU", "MK", "MG", "MS", "ML", "MT", "GV", "MI", "MR", "MH", "RO", "MN", "NA", "NV",
    "ND", "NG", "NE", "SE", "NO", "NB", "NN", "II", "OC", "OJ", "OR", "OM", "OS", "PI", "PA", "PS",
    "FA", "PL", "PT", "QU", "RM", "RN", "RU", "SM", "SG", "SA", "SC", "SR", "SN", "SD", "SI", "SK",
    "SL", "SO", "ST", "NR", "ES", "SU", "SW", "SS", "SV", "TL", "TY", "TG", "TA", "TT", "TE", "TH",
    "BO", "TI", "TO", "TS", "TN", "TR", "TK", "TW", "UG", "UK", "UR", "UZ", "VE", "VI", "VO", "WA",
    "CY", "FY", "WO", "XH", "YI", "YO", "ZA", "ZU",
))  # fmt: skip

# Art. 24(5): no personal data. Free text is written by moderators, so obvious identifiers are masked as a
# safety net; the wording of facts and explanations remains the moderator's responsibility. Each pattern
# runs only when a cheap test finds its tell-tale sign, because scanning every text with every pattern
# would cost more than the rest of the export together.
_LINK: Final = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)  # links often carry user names or ids
_CONTACT: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@\w{2,}")  # e-mail, @handle
_PHONE: Final = re.compile(r"\+\d[\d ()/.-]{6,}\d")  # international phone number
_IPV4: Final = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6: Final = re.compile(r"\b(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}\b")  # uncompressed form


def _has_link(text: str) -> bool:
    return "://" in text or "www." in text or "WWW." in text


def _has_at(text: str) -> bool:
    return "@" in text


def _has_plus(text: str) -> bool:
    return "+" in text


_PERSONAL_DATA: Final[tuple[tuple[Callable[[str], object], re.Pattern[str]], ...]] = (
    (_has_link, _LINK),
    (_has_at, _CONTACT),
    (_has_plus, _PHONE),
    (re.compile(r"\.\d{1,3}\.\d{1,3}\.\d").search, _IPV4),
    (re.compile(r":[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:").search, _IPV6),
)
_REDACTED: Final = "[redacted]"

_EXEMPTIONS: Final = {
    Action.NO_ACTION: "no restriction was imposed; DSA Art. 17(1) asks for statements only for restrictions",
    Source.REMOVAL_ORDER: (
        "a TCO removal order is an order under DSA Art. 9, which Art. 17(5) excludes;"
        " the uploader is informed under TCO Art. 11 instead"
    ),
}


# --- public API ----------------------------------------------------------------------------------------


def statement_exemption(facts: DecisionFacts) -> str | None:
    """Why no statement of reasons is due for this decision, or ``None`` when one is due."""
    if facts.action is Action.NO_ACTION:
        return _EXEMPTIONS[Action.NO_ACTION]
    if facts.source is Source.REMOVAL_ORDER:
        return _EXEMPTIONS[Source.REMOVAL_ORDER]
    return None


def to_statement(facts: DecisionFacts) -> dict[str, Any]:
    """The exact JSON body for ``POST /api/v1/statement`` describing ``facts``.

    Over-long free text is shortened on a word boundary and marked with an ellipsis; identifiers and
    vocabulary that do not fit the API are refused with ``InvalidInput`` naming the field.
    """
    exemption = statement_exemption(facts)
    if exemption is not None:
        raise InvalidInput(f"no statement of reasons is due: {exemption}", field="action")
    body = _decision_fields(facts)
    body.update(_ground_fields(facts.ground))
    body.update(_content_fields(facts))
    body.update(_date_fields(facts))
    body.update(_source_fields(facts))
    body["puid"] = puid_for(facts.decision_id, facts.puid_namespace)
    return body


def export_statements(decisions: Iterable[DecisionFacts]) -> Iterator[dict[str, Any]]:
    """Statement bodies for every decision that needs one, skipping the documented exemptions."""
    for facts in decisions:
        if statement_exemption(facts) is None:
            yield to_statement(facts)


def to_json_lines(statements: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """One compact JSON document per statement, each ending in a newline (JSON Lines)."""
    encode = _ENCODER.encode
    for statement in statements:
        yield encode(statement) + "\n"


def batches(statements: Iterable[Mapping[str, Any]], size: int = MAX_BATCH) -> Iterator[dict[str, Any]]:
    """Bodies for ``POST /api/v1/statements``: ``{"statements": [...]}`` with 1 to ``size`` items each."""
    if not 1 <= size <= MAX_BATCH:
        raise InvalidInput(f"a batch holds 1 to {MAX_BATCH} statements, not {size}", field="size")
    return _chunks(statements, size)


def _chunks(statements: Iterable[Mapping[str, Any]], size: int) -> Iterator[dict[str, Any]]:
    chunk: list[Mapping[str, Any]] = []
    for statement in statements:
        chunk.append(statement)
        if len(chunk) == size:
            yield {"statements": chunk}
            chunk = []
    if chunk:
        yield {"statements": chunk}


def puid_for(decision_id: str | int | UUID, namespace: str = "accord") -> str:
    """The platform-unique identifier for a decision: ``<namespace>-<decision id>``.

    The mapping is injective for a fixed namespace, so two decisions never share a ``puid``; ids the API
    would not accept are refused rather than rewritten, because rewriting could make two ids collide.
    """
    if not _NAMESPACE_CHARS.fullmatch(namespace):
        raise InvalidInput("the puid namespace must be 1-64 letters, digits or '_'", field="puid_namespace")
    puid = f"{namespace}-{_id_text(decision_id)}"
    if len(puid) > _SHORT_TEXT or not _PUID_CHARS.fullmatch(puid):
        raise InvalidInput(
            "a decision id must be letters, digits, '-' or '_' and fit 500 characters", field="decision_id"
        )
    return puid


def policy_topic(body: Mapping[str, Any], reference: str) -> str | None:
    """The category of the policy rule (by ``clause_ref``) or overlay (by ``legal_ref``) that ``reference``
    cites in a policy version's body; ``None`` when it cites none of them."""
    cited = _plain(reference)
    for item in (*body.get("rules", []), *body.get("overlays", [])):
        refs = {_plain(str(item.get("clause_ref", ""))), _plain(str(item.get("legal_ref", "")))}
        if cited and cited in refs:
            return str(item.get("category") or "") or None
    return None


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


PUID_NAMESPACE_KEY: Final = "transparency.puid_namespace"


def provider_namespace(provider_id: str, settings: Mapping[str, Any] | None = None) -> str:
    """The provider's ``puid`` namespace: the prefix it configured (organisation setting
    ``transparency.puid_namespace``), else one derived from its id, so that two providers on one instance, or
    Accord and another system of the same provider, never hand the Database the same ``puid``."""
    configured = (settings or {}).get(PUID_NAMESPACE_KEY)
    if configured:
        return str(configured)
    return re.sub(r"[^A-Za-z0-9_]", "_", provider_id)[:64] or "accord"


def scrub_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, links, handles, IP addresses and phone numbers masked."""
    for present, pattern in _PERSONAL_DATA:
        if present(text):
            text = pattern.sub(_REDACTED, text)
    return text


def fit(text: str, limit: int) -> str:
    """``text`` trimmed; when longer than ``limit`` characters, cut on a word boundary with an ellipsis."""
    text = text.strip(_BLANK)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", max(0, limit - 80))
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


# --- the pieces of a statement --------------------------------------------------------------------------

_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _decision_fields(facts: DecisionFacts) -> dict[str, Any]:
    """``decision_visibility`` (and ``..._other``) for an action on content; ``decision_account`` or
    ``decision_provision`` for an Art. 23 suspension."""
    if facts.action is Action.RESTRICT:
        return _restriction_fields(facts)
    if facts.restriction is not None or facts.restriction_other is not None:
        raise InvalidInput("a restriction kind is only given with action 'restrict'", field="restriction")
    if facts.action in _SUSPENSIONS:
        name, value, _ = _SUSPENSIONS[facts.action]
        return {name: value}
    return {"decision_visibility": [_VISIBILITY[facts.action]]}


def _restriction_fields(facts: DecisionFacts) -> dict[str, Any]:
    if facts.restriction is None:
        raise InvalidInput("action 'restrict' needs the kind of restriction", field="restriction")
    fields: dict[str, Any] = {"decision_visibility": [_RESTRICTIONS[facts.restriction]]}
    if facts.restriction is Restriction.OTHER:
        fields["decision_visibility_other"] = _required_text(facts.restriction_other, _SHORT_TEXT, "restriction_other")
    elif facts.restriction_other is not None:
        raise InvalidInput("a description is only given for restriction 'other'", field="restriction_other")
    return fields


def _ground_fields(ground: Ground) -> dict[str, Any]:
    """``decision_ground`` with the fields the API requires for that ground, and only those."""
    if isinstance(ground, LegalGround):
        fields: dict[str, Any] = {
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": _required_text(_citation(ground), _SHORT_TEXT, "ground.article"),
            "illegal_content_explanation": _required_text(ground.explanation, _EXPLANATION, "ground.explanation"),
        }
    else:
        fields = {
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": _required_text(ground.clause, _SHORT_TEXT, "ground.clause"),
            "incompatible_content_explanation": _required_text(ground.explanation, _EXPLANATION, "ground.explanation"),
        }
        if ground.also_illegal is not None:
            fields["incompatible_content_illegal"] = _yes_no(ground.also_illegal)
    if ground.reference_url is not None:
        fields["decision_ground_reference_url"] = _reference_url(ground.reference_url)
    return fields


def _citation(ground: LegalGround) -> str:
    citation = _CITATIONS[ground.instrument]
    article = ground.article.strip()
    return f"{citation}, {article}" if citation and article else article


def _content_fields(facts: DecisionFacts) -> dict[str, Any]:
    """``content_type``, the terrorist-content category and keywords, and the optional language."""
    if not facts.content_types:
        raise InvalidInput("at least one content type is needed", field="content_types")
    types = sorted({_CONTENT_TYPES[kind] for kind in facts.content_types})
    fields: dict[str, Any] = {"content_type": types}
    if ContentType.OTHER in facts.content_types:
        fields["content_type_other"] = _required_text(facts.content_type_other, _SHORT_TEXT, "content_type_other")
    elif facts.content_type_other is not None:
        raise InvalidInput("content_type_other needs content type 'other'", field="content_type_other")
    category, keywords = statement_category(facts.ground, facts.topic)
    if facts.category is not None and facts.category != category:
        category, keywords = facts.category, ()
    fields["category"] = category
    fields["category_specification"] = (_keywords(facts.extra_keywords) if category == CATEGORY_TERRORIST_CONTENT
                                        else list(keywords))
    fields["territorial_scope"] = _territorial_scope(facts)
    if facts.content_language is not None:
        fields["content_language"] = _language(facts.content_language)
    return fields


_TERRORIST_TEXT: Final = re.compile(r"terror|extremis|jihad|radicali[sz]|recruit|glorif", re.IGNORECASE)
_VIOLENT_TEXT: Final = re.compile(r"violen|gore|graphic", re.IGNORECASE)
_HATE_TEXT: Final = re.compile(r"\bhat(e|red)\b", re.IGNORECASE)


def statement_category(ground: Ground, topic: str | None = None) -> tuple[str, tuple[str, ...]]:
    """The Transparency Database ``category`` (and keywords) that the ground of a decision falls under.

    Terrorist content is ``STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY`` with ``KEYWORD_TERRORIST_CONTENT``; a
    terms-of-service ground about something else (graphic violence, hate speech) has its own category. The
    policy category the ground cites (``topic``) decides; without one, a legal ground is terrorist content
    (Accord's grounds cite the TCO definition or its national transposition) and a terms ground is read from
    its clause and explanation, falling back to "other violation of the terms".
    """
    if topic in TERRORIST_TOPICS:
        return CATEGORY_TERRORIST_CONTENT, (KEYWORD_TERRORIST_CONTENT,)
    if topic in _TOPIC_CATEGORIES:
        return _TOPIC_CATEGORIES[topic]
    if isinstance(ground, LegalGround):
        return CATEGORY_TERRORIST_CONTENT, (KEYWORD_TERRORIST_CONTENT,)
    text = f"{ground.clause} {ground.explanation}"
    for pattern, category in ((_TERRORIST_TEXT, CATEGORY_TERRORIST_CONTENT), (_VIOLENT_TEXT, CATEGORY_VIOLENCE)):
        if pattern.search(text):
            return category, (KEYWORD_TERRORIST_CONTENT,) if category == CATEGORY_TERRORIST_CONTENT else ()
    if _HATE_TEXT.search(text):
        return CATEGORY_SPEECH, ("KEYWORD_HATE_SPEECH",)
    return CATEGORY_OTHER_TERMS, ()


def _keywords(extra: tuple[ExtraKeyword, ...]) -> list[str]:
    if not extra:
        return [KEYWORD_TERRORIST_CONTENT]
    return sorted({KEYWORD_TERRORIST_CONTENT, *(_KEYWORDS[word] for word in extra)})


def _territorial_scope(facts: DecisionFacts) -> list[str]:
    if not facts.territorial_scope:
        if facts.action is Action.DISABLE:
            raise InvalidInput("disabling access needs the countries concerned", field="territorial_scope")
        return list(EEA_COUNTRIES)
    countries = {_COUNTRY_ALIASES.get(code.upper(), code.upper()) for code in facts.territorial_scope}
    unknown = countries - _EEA
    if unknown:
        listed = ", ".join(sorted(unknown))
        raise InvalidInput(f"not EU/EEA country codes: {listed}", field="territorial_scope")
    return sorted(countries)


def _language(code: str) -> str:
    upper = code.strip().upper()
    if upper not in _LANGUAGES:
        raise InvalidInput(f"{code!r} is not an ISO 639-1 language code", field="content_language")
    return upper


def _date_fields(facts: DecisionFacts) -> dict[str, Any]:
    """``content_date``, ``application_date`` and, for a temporary measure, its end date."""
    content = _as_date(facts.content_date)
    applied = _as_date(facts.application_date)
    _check_range(content, _FIRST_CONTENT_DATE, "content_date")
    _check_range(applied, _FIRST_APPLICATION_DATE, "application_date")
    if content > applied:
        raise InvalidInput("the content cannot be dated after the decision applied", field="content_date")
    fields = {"content_date": _iso(content), "application_date": _iso(applied)}
    if facts.end_date is not None:
        end = _as_date(facts.end_date)
        _check_range(end, applied, "end_date")
        end_field = _SUSPENSIONS[facts.action][2] if facts.action in _SUSPENSIONS else "end_date_visibility_restriction"
        fields[end_field] = _iso(end)
    return fields


def _source_fields(facts: DecisionFacts) -> dict[str, Any]:
    """``decision_facts``, ``source_type`` (with the notifier where allowed) and the automation flags."""
    fields: dict[str, Any] = {
        "decision_facts": _required_text(facts.facts, _FACTS, "facts"),
        "source_type": _SOURCE_TYPES[facts.source],
    }
    if facts.notifier is not None:
        fields["source_identity"] = _notifier(facts)
    fields["automated_detection"] = _yes_no(facts.automated_detection)
    fields["automated_decision"] = _AUTOMATED_DECISIONS[facts.automated_decision]
    return fields


def _notifier(facts: DecisionFacts) -> str:
    # Art. 17(3)(b): the notifier only where strictly necessary. Trusted flaggers and referral units are
    # organisations; a user's identity is personal data and never leaves the platform.
    if facts.source not in (Source.TRUSTED_FLAGGER_NOTICE, Source.REFERRAL):
        raise InvalidInput("only a trusted flagger or referral unit may be named as the notifier", field="notifier")
    return _required_text(facts.notifier, _SHORT_TEXT, "notifier")


# --- small helpers --------------------------------------------------------------------------------------


def _required_text(text: str | None, limit: int, field: str) -> str:
    cleaned = fit(scrub_personal_data(text), limit) if text is not None else ""
    if not cleaned:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return cleaned


def _reference_url(url: str) -> str:
    url = url.strip()
    if len(url) > _SHORT_TEXT or not _URL.fullmatch(url):
        raise InvalidInput(
            "the reference must be an http(s) URL of at most 500 characters", field="ground.reference_url"
        )
    return url


def _id_text(decision_id: str | int | UUID) -> str:
    if isinstance(decision_id, bool):
        raise InvalidInput("a decision id cannot be a boolean", field="decision_id")
    if isinstance(decision_id, int) and decision_id < 0:
        raise InvalidInput("a decision id cannot be negative", field="decision_id")
    return str(decision_id)


def _as_date(moment: date) -> date:
    return as_utc(moment).date() if isinstance(moment, datetime) else moment


def _check_range(day: date, first: date, field: str) -> None:
    if not first <= day <= _LAST_DATE:
        raise InvalidInput(f"{field} must lie between {first} and {_LAST_DATE}", field=field)


def _iso(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"
