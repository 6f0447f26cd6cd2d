"""Every audit event: its tag, the payload it carries, and what it means.

Transparency reports (TCO Art. 7/8, DSA Art. 15/24) are computed only from audit events, so a payload is a
contract: add keys freely (here first), never rename or drop one. ``record()`` takes an ``Event``; ``docs/events.md``
is written from this module by ``scripts/events_doc.py``. With checking on (the test suite turns it on), ``record()``
refuses a payload whose keys are not those of the event's ``TypedDict`` (docs/decisions.md explains why the keys
are checked at run time rather than by mypy).
"""

# No ``from __future__ import annotations``: TypedDict must see NotRequired[...] itself (Python 3.11).
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, NotRequired, TypedDict

from accord.errors import InvalidInput


class Event(StrEnum):
    """An audit tag, ``source:subject:action``."""

    IDENTITY_ORGANISATION_CREATE = "identity:organisation:create"
    IDENTITY_ORGANISATION_CONTACT_POINT = "identity:organisation:contact_point"
    IDENTITY_ORGANISATION_ANNEX_PROFILE = "identity:organisation:annex_profile"
    IDENTITY_MEMBER_ADD = "identity:member:add"
    IDENTITY_API_KEY_CREATE = "identity:api_key:create"
    IDENTITY_API_KEY_REVOKE = "identity:api_key:revoke"
    IDENTITY_SIGNING_KEY_CREATE = "identity:signing_key:create"
    IDENTITY_SESSION_START = "identity:session:start"
    IDENTITY_SESSION_END = "identity:session:end"
    IDENTITY_LOGIN_LOCKOUT = "identity:login:lockout"
    IDENTITY_SIGNING_KEY_ROTATE = "identity:signing_key:rotate"

    JOBS_WEBHOOK_CREATE = "jobs:webhook:create"
    JOBS_WEBHOOK_DISABLE = "jobs:webhook:disable"
    JOBS_JOB_DEAD_LETTER = "jobs:job:dead_letter"
    JOBS_JOB_RETRY = "jobs:job:retry"
    JOBS_WEBHOOK_TEST = "jobs:webhook:test"

    CASES_CASE_OPEN = "cases:case:open"
    CASES_CASE_JOIN = "cases:case:join"
    CASES_CASE_CLOSE = "cases:case:close"
    CASES_CASE_CLAIM = "cases:case:claim"
    CASES_CASE_RELEASE = "cases:case:release"
    CASES_CASE_ESCALATE = "cases:case:escalate"
    CASES_SETTINGS_UPDATE = "cases:settings:update"
    CASES_PREFERENCES_UPDATE = "cases:preferences:update"
    CASES_QUEUE_CREATE = "cases:queue:create"
    CASES_DECISION_CREATE = "cases:decision:create"
    CASES_DRILL_DECIDE = "cases:drill:decide"
    CASES_QUALITY_SAMPLE = "cases:quality:sample"
    CASES_QUALITY_REVIEW = "cases:quality:review"
    CASES_STRIKE_RECORD = "cases:strike:record"

    NOTICES_NOTICE_RECEIVE = "notices:notice:receive"
    NOTICES_NOTICE_IMPORT = "notices:notice:import"
    NOTICES_NOTICE_ACKNOWLEDGE = "notices:notice:acknowledge"
    NOTICES_NOTICE_OUTCOME = "notices:notice:outcome"
    NOTICES_NOTICE_BREACH = "notices:notice:breach"
    NOTICES_NOTICE_ESCALATE = "notices:notice:escalate"
    NOTICES_NOTICE_HOLD = "notices:notice:hold"
    NOTICES_NOTICE_CLARIFY = "notices:notice:clarify"
    NOTICES_NOTICE_RECHECK = "notices:notice:recheck"
    NOTICES_NOTICE_OFFLINE = "notices:notice:offline"
    NOTICES_INFORMATION_SEND = "notices:information:send"
    NOTICES_NONDISCLOSURE_EXTEND = "notices:nondisclosure:extend"
    NOTICES_SCRUTINY_REQUEST = "notices:scrutiny:request"
    NOTICES_SCRUTINY_DECIDE = "notices:scrutiny:decide"
    NOTICES_THREAT_ESCALATE = "notices:threat:escalate"
    NOTICES_ORDER_FINAL = "notices:order:final"
    NOTICES_ORDER_EUROPOL_COPY = "notices:order:europol_copy"
    NOTICES_ORDER_ANNUL = "notices:order:annul"
    NOTICES_ORDER_LANGUAGE_NOT_ACCEPTED = "notices:order:language_not_accepted"
    NOTICES_FEEDBACK_IMPORT = "notices:feedback:import"
    NOTICES_ACTION_DAY_CREATE = "notices:action_day:create"
    NOTICES_ACTION_DAY_IMPORT = "notices:action_day:import"

    MATCHING_MATCH_FOUND = "matching:match:found"

    BANKS_BANK_CREATE = "banks:bank:create"
    BANKS_ENTRY_ADD = "banks:entry:add"
    BANKS_ENTRY_DISABLE = "banks:entry:disable"
    BANKS_ENTRY_ENABLE = "banks:entry:enable"
    BANKS_ENTRY_CONFIRM = "banks:entry:confirm"
    BANKS_ENTRY_REJECT = "banks:entry:reject"
    BANKS_ENTRY_REMOVE = "banks:entry:remove"
    BANKS_ENTRY_UPDATE = "banks:entry:update"
    BANKS_ENTRY_VOTE = "banks:entry:vote"
    BANKS_IMPORT_CHUNK = "banks:import:chunk"
    BANKS_ENTRY_FLOOD = "banks:entry:flood"

    EXCHANGE_ENTRY_SEEN = "exchange:entry:seen"

    POLICIES_POLICY_CREATE = "policies:policy:create"
    POLICIES_VERSION_CREATE = "policies:version:create"
    POLICIES_VERSION_PUBLISH = "policies:version:publish"
    POLICIES_VERSION_ACTIVATE = "policies:version:activate"
    POLICIES_INCIDENT_DECLARE = "policies:incident:declare"
    POLICIES_INCIDENT_ESCALATE = "policies:incident:escalate"
    POLICIES_INCIDENT_LINK_BANK = "policies:incident:link_bank"
    POLICIES_INCIDENT_CONCLUDE = "policies:incident:conclude"
    POLICIES_REVIEW_TASK_OPEN = "policies:review_task:open"
    POLICIES_REVIEW_TASK_DONE = "policies:review_task:done"

    RIGHTS_COMPLAINT_FILE = "rights:complaint:file"
    RIGHTS_COMPLAINT_DECIDE = "rights:complaint:decide"
    RIGHTS_CONTENT_REINSTATE = "rights:content:reinstate"
    RIGHTS_USER_NOTICE_HOLD = "rights:user_notice:hold"
    RIGHTS_USER_NOTICE_SEND = "rights:user_notice:send"
    RIGHTS_NOTIFIER_INFORM = "rights:notifier:inform"
    RIGHTS_COMPLAINANT_INFORM = "rights:complainant:inform"
    RIGHTS_PRESERVATION_STORE = "rights:preservation:store"
    RIGHTS_PRESERVATION_ACCESS = "rights:preservation:access"
    RIGHTS_PRESERVATION_HOLD = "rights:preservation:hold"
    RIGHTS_PRESERVATION_PURGE = "rights:preservation:purge"
    RIGHTS_REVIEW_RECORD = "rights:review:record"
    RIGHTS_REVIEW_DECIDE = "rights:review:decide"
    RIGHTS_REINSTATEMENT_INSTRUCT = "rights:reinstatement:instruct"
    RIGHTS_REINSTATEMENT_CONFIRM = "rights:reinstatement:confirm"
    RIGHTS_PROFILE_SET = "rights:profile:set"
    RIGHTS_FLAGGER_ALERT_SET = "rights:flagger_alert:set"
    RIGHTS_PRESERVATION_KEY_ROTATE = "rights:preservation_key:rotate"
    RIGHTS_PRESERVATION_REENCRYPT = "rights:preservation:reencrypt"

    AUTHORITIES_EXPOSURE_DECIDE = "authorities:exposure:decide"
    AUTHORITIES_EXPOSURE_REPORT = "authorities:exposure:report"
    AUTHORITIES_EXPOSURE_REQUIRE = "authorities:exposure:require"
    AUTHORITIES_EXPOSURE_REVIEW_REQUEST = "authorities:exposure:review_request"
    AUTHORITIES_EXPOSURE_REVIEW_DECIDE = "authorities:exposure:review_decide"
    AUTHORITIES_PENALTY_IMPOSE = "authorities:penalty:impose"

    TRANSPARENCY_STATEMENTS_SUBMIT = "transparency:statements:submit"
    TRANSPARENCY_DISPUTE_FILE = "transparency:dispute:file"
    TRANSPARENCY_DISPUTE_DECIDE = "transparency:dispute:decide"

    NARRATIVES_CAMPAIGN_CREATE = "narratives:campaign:create"
    NARRATIVES_VARIANT_ADD = "narratives:variant:add"
    NARRATIVES_SEGMENT_ADD = "narratives:segment:add"
    NARRATIVES_REDIRECT_ADD = "narratives:redirect:add"
    NARRATIVES_EXPERIMENT_REGISTER = "narratives:experiment:register"
    NARRATIVES_FIGURES_IMPORT = "narratives:figures:import"
    NARRATIVES_FIGURE_UPDATE = "narratives:figure:update"
    NARRATIVES_LESSON_PUBLISH = "narratives:lesson:publish"
    BLOCKLISTS_LIST_CREATE = "blocklists:list:create"
    BLOCKLISTS_ENTRY_ADD = "blocklists:entry:add"
    BLOCKLISTS_ENTRY_DELIST = "blocklists:entry:delist"
    BLOCKLISTS_ENTRY_EXPIRE = "blocklists:entry:expire"
    BLOCKLISTS_ENTRY_REVIEW = "blocklists:entry:review"
    BLOCKLISTS_ENTRY_OBJECT = "blocklists:entry:object"
    BLOCKLISTS_ENTRY_ANSWER = "blocklists:entry:answer"
    BLOCKLISTS_ENTRY_REEXAMINE = "blocklists:entry:reexamine"
    BLOCKLISTS_ENTRY_REEXAMINATION_DUE = "blocklists:entry:reexamination_due"
    BLOCKLISTS_SUBSCRIPTION_CREATE = "blocklists:subscription:create"
    BLOCKLISTS_SUBSCRIPTION_ROTATE = "blocklists:subscription:rotate"
    BLOCKLISTS_SERIAL_APPLY = "blocklists:serial:apply"
    BLOCKLISTS_APPEAL_FILE = "blocklists:appeal:file"
    BLOCKLISTS_APPEAL_ANSWER = "blocklists:appeal:answer"
    BLOCKLISTS_APPEAL_OVERDUE = "blocklists:appeal:overdue"
    EVIDENCE_KEY_REGISTER = "evidence:key:register"
    EVIDENCE_ORDER_ISSUE = "evidence:order:issue"
    EVIDENCE_ORDER_NOTIFY = "evidence:order:notify"
    EVIDENCE_ORDER_ANSWER = "evidence:order:answer"
    EVIDENCE_ORDER_ESCALATE = "evidence:order:escalate"
    EVIDENCE_ORDER_BREACH = "evidence:order:breach"
    EVIDENCE_ORDER_EXPIRE = "evidence:order:expire"
    EVIDENCE_ORDER_CLARIFY = "evidence:order:clarify"
    EVIDENCE_ORDER_EXTEND = "evidence:order:extend"
    EVIDENCE_ORDER_WITHDRAW = "evidence:order:withdraw"
    EVIDENCE_ORDER_VALIDATE = "evidence:order:validate"
    EVIDENCE_ORDER_VALIDATION_OVERDUE = "evidence:order:validation_overdue"
    EVIDENCE_ORDER_REVIEW = "evidence:order:review"
    EVIDENCE_NOTIFICATION_ANSWER = "evidence:notification:answer"
    EVIDENCE_NOTIFICATION_LAPSE = "evidence:notification:lapse"
    EVIDENCE_PACKAGE_STORE = "evidence:package:store"
    EVIDENCE_PACKAGE_DOWNLOAD = "evidence:package:download"
    EVIDENCE_PACKAGE_PURGE = "evidence:package:purge"
    EVIDENCE_DISCLOSURE_SEND = "evidence:disclosure:send"
    SCANS_SCAN_START = "scans:scan:start"
    SCANS_SCAN_FINISH = "scans:scan:finish"

    TRAINING_SET_CREATE = "training:set:create"
    TRAINING_CASE_ADD = "training:case:add"
    TRAINING_ANSWER_RECORD = "training:answer:record"
    TRAINING_CALIBRATION_PASS = "training:calibration:pass"  # noqa: S105 -- an audit tag, not a password
    TRAINING_RULE_UPDATE = "training:rule:update"

    @property
    def source(self) -> str:
        """The area that writes the event: ``notices`` for ``notices:notice:receive``."""
        return self.value.split(":", 1)[0]

    READINESS_DRILL_SCHEDULE = "readiness:drill:schedule"
    READINESS_DRILL_SEND = "readiness:drill:send"
    READINESS_DRILL_CANCEL = "readiness:drill:cancel"
    READINESS_EXERCISE_START = "readiness:exercise:start"


# ---- payloads: the keys each event carries (NotRequired: absent from some writers, e.g. the demo history) ----

class Empty(TypedDict):
    """No payload."""


# identity
class OrganisationCreate(TypedDict):
    kind: str
    name: str
    country: str | None


class ContactPoint(TypedDict):
    email: str
    languages: list[str]


class AnnexProfile(TypedDict):
    legal_representative: bool
    authorised_person: bool


class MemberAdd(TypedDict):
    email: str
    role: str


class ApiKeyCreate(TypedDict):
    prefix: str
    scopes: list[str]


class ApiKeyRevoke(TypedDict):
    prefix: str


class SigningKeyCreate(TypedDict):
    org_id: str
    algorithm: str
    fingerprint: str


class SessionStart(TypedDict):
    expires_at: str


class LoginLockout(TypedDict):
    key: str
    member_id: str | None
    until: str
    lockouts: int


# jobs
class WebhookCreate(TypedDict):
    url: str
    events: list[str]


class JobDeadLetter(TypedDict):
    kind: str
    attempts: int
    error: str | None


# cases
class CaseIntake(TypedDict):
    source: str
    content_key: str


class CaseClose(TypedDict):
    reason: str
    provider_id: str


class CaseClaim(TypedDict):
    provider_id: str
    queue_id: str | None
    reviewer: str


class CaseRelease(TypedDict):
    provider_id: str
    reviewer: str | None


class CaseEscalate(TypedDict):
    provider_id: str
    case_id: str
    to: str
    reason: str
    queue_id: NotRequired[str]
    member_state: NotRequired[str | None]
    identified: NotRequired[bool]
    urls: NotRequired[list[str]]
    europol: NotRequired[bool]
    contacts: NotRequired[list[str]]


class SettingsChange(TypedDict):
    changes: dict[str, Any]


class QueueCreate(TypedDict):
    name: str
    position: int
    rules: Any
    roles: list[str]


class DecisionCreate(TypedDict):
    case_id: str
    provider_id: str
    action: str
    countries: list[str]
    ground_kind: str
    ground_ref: str
    automated_detection: bool
    automated_decision: bool
    exempt_purpose: str | None
    notice_ids: list[str]
    sources: list[str]
    content_type: list[str] | str
    queue_id: NotRequired[str | None]
    reviewer: NotRequired[str | None]
    statement_id: NotRequired[str | None]
    seconds_to_decide: NotRequired[int]
    facts: NotRequired[str]
    ground_explanation: NotRequired[str]
    policy_version_id: NotRequired[str | None]
    content_date: NotRequired[str]
    restriction: NotRequired[str | None]  # a restrict decision's kind (demoted, age_restricted...), else None
    # Read by transparency/export.py for events written before the restriction was (and by test fixtures):
    restriction_other: NotRequired[str | None]
    explanation: NotRequired[str]


class QualitySample(TypedDict):
    decision_id: str
    kind: str
    provider_id: str


class QualityReview(QualitySample):
    agree: bool
    overturned: bool


class StrikeRecord(TypedDict):
    provider_id: str
    subject_kind: str
    subject_ref: str
    decision_id: str
    count: int
    consequence: str
    statement_id: NotRequired[str]


# notices
class NoticeFacts(TypedDict):
    kind: str
    issuer_id: str | None
    provider_id: str
    member_state: str | None
    drill: NotRequired[bool]


class NoticeReceive(NoticeFacts):
    issuer_kind: str
    tco_types: list[str]
    cross_border: bool
    emergency: bool
    received_at: str | None
    deadline_at: NotRequired[str | None]
    case_id: NotRequired[str | None]


class NoticeImport(TypedDict):
    provider_id: str
    reference: str
    notice_id: str | None
    signed: bool
    fingerprint: str | None


class NoticeAcknowledge(NoticeFacts):
    seconds_to_ack: int | None


class NoticeOutcome(NoticeFacts):
    outcome: str
    countries: list[str]
    ground: str | None
    seconds_to_act: int | None
    breach: bool
    tco_types: list[str]
    automated: bool


class NoticeBreach(NoticeFacts):
    seconds_late: int | None


class NoticeEscalate(TypedDict):
    minutes: int
    provider_id: str
    drill: NotRequired[bool]


class WebhookTest(TypedDict):
    endpoints: int


class DrillDecide(TypedDict):
    case_id: str
    action: str
    notice_ids: list[str]
    drill: bool


class DrillFacts(TypedDict):
    provider_id: str
    organiser_id: str
    exercise_id: str | None
    drill: bool


class DrillSchedule(DrillFacts):
    starts_after: str
    ends_before: str


class DrillSend(DrillFacts):
    notice_id: str


class ExerciseStart(TypedDict):
    coordinator_id: str
    incident_id: str | None
    providers: list[str]
    drill: bool


class NoticeHold(TypedDict):
    kind: str
    provider_id: str
    held: bool


class NoticeClarify(NoticeFacts):
    by: str
    deadline_at: str | None


class NoticeRecheck(TypedDict):
    provider_id: str
    online: list[bool | None]


class NoticeOffline(TypedDict):
    kind: str
    issuer_id: str | None
    provider_id: str
    verification_label: str | None
    seconds_to_ack: int | None
    seconds_to_offline: int | None


class InformationSend(TypedDict):
    issuer_id: str | None
    provider_id: str
    sent_at: str


class NondisclosureExtend(NoticeFacts):
    until: str


class ScrutinyRequest(TypedDict):
    provider_id: str
    issuer_id: str | None
    by: str
    decide_until: str


class ScrutinyDecide(TypedDict):
    provider_id: str
    issuer_id: str | None
    infringement: bool
    reinstate_required: bool


class ThreatEscalate(TypedDict):
    provider_id: str
    issuer_id: str | None
    member_state: str | None
    identified: bool
    europol: bool
    contacts: list[str]


class OrderFinal(TypedDict):
    provider_id: str
    issuer_id: str | None
    host_authority_id: str | None
    final_at: str
    basis: str


class EuropolCopy(TypedDict):
    provider_id: str
    issuer_id: str | None
    reference: str
    sent_at: str
    org_ids: list[str]


class OrderAnnul(TypedDict):
    provider_id: str
    issuer_id: str | None


class LanguageNotAccepted(TypedDict):
    issuer_id: str | None
    provider_id: str
    language: str | None
    accepted: list[str]


class FeedbackImport(TypedDict):
    provider_id: str
    reference: str
    annex: str
    outcome: str
    acted_at: str
    signed: bool
    fingerprint: str | None


# matching, banks, exchange
class MatchFound(TypedDict):
    provider_id: str
    bank_id: str
    entry_id: str
    signal_type: str
    distance: int | float
    case_id: str | None
    bank_owner_id: NotRequired[str]
    labels: NotRequired[list[str]]
    incident_tags: NotRequired[list[str]]
    action: NotRequired[str | None]


class BankCreate(TypedDict):
    name: str
    kind: str
    visibility: str
    shared_with: list[str]


class EntryAdd(TypedDict):
    bank_id: str
    entry_ids: list[str]
    state: str
    signal_types: list[str]
    labels: list[str]
    incident_tags: list[str]
    origin: str | None


class ImportChunk(TypedDict):
    bank_id: str
    import_id: str
    chunk: int
    first_line: int
    last_line: int
    added: int
    duplicates: int
    refused: int
    first_entry_id: int | None
    last_entry_id: int | None
    digest: str
    state: str
    source: str


class EntryTransition(TypedDict):
    bank_id: str
    reason: str
    state: str


class EntryFlood(TypedDict):
    bank_id: str
    matches_in_hour: int
    limit: int
    rereview: int


class EntryRemove(TypedDict):
    bank_id: str
    origin: str | None


class EntryUpdate(TypedDict):
    bank_id: str
    labels: list[str]


class EntryVote(TypedDict):
    bank_id: str
    owner_id: str
    agree: bool


class EntrySeen(TypedDict):
    bank_id: str
    owner_id: str
    signal_type: str
    distance: int | float | None


# policies
class PolicyCreate(TypedDict):
    provider_id: str
    name: str
    template: str | None


class VersionPublish(TypedDict):
    provider_id: str
    policy_id: str
    version: int


class VersionCreate(VersionPublish):
    categories: list[str]


class VersionActivate(VersionPublish):
    previous: str | None


class IncidentDeclare(TypedDict):
    coordinator_id: str
    incident_tag: str
    level: str
    drill: bool
    criteria: Any
    title: str
    members: list[str]


IncidentEscalate = TypedDict("IncidentEscalate", {
    "incident_tag": str, "from": str, "to": str, "reason": str, "criteria": Any,
})


class IncidentLinkBank(TypedDict):
    incident_tag: str
    bank_id: str
    shared_with: list[str]
    visibility: str


class IncidentConclude(TypedDict):
    coordinator_id: str
    incident_tag: str
    drill: bool
    seconds_active: int


class ReviewTaskDone(TypedDict):
    provider_id: str
    incident_id: str


class ReviewTaskOpen(ReviewTaskDone):
    due_at: str


# rights
class ComplaintFile(TypedDict):
    decision_id: str
    provider_id: str
    by: str
    filed_by_org_id: NotRequired[str | None]
    deadline_at: NotRequired[str]


class ComplaintDecide(TypedDict):
    decision_id: str
    provider_id: str
    outcome: str
    seconds_to_decide: int
    by: str
    breach: bool


class ContentReinstate(TypedDict):
    provider_id: str
    reason: str
    preserved_item_id: NotRequired[str | None]


class UserNoticeHold(TypedDict):
    decision_id: str
    provider_id: str
    release_at: str | None


class UserNoticeSend(UserNoticeHold):
    mailed: bool


class NotifierInform(TypedDict):
    decision_id: str
    provider_id: str
    action: str
    automated: bool
    mailed: bool


class ComplainantInform(TypedDict):
    decision_id: str
    provider_id: str
    outcome: str
    by: str
    mailed: bool


class Preservation(TypedDict):
    provider_id: str
    decision_id: str
    purpose: str
    until: str


class PreservationAccess(Preservation):
    note: str


class PreservationHold(Preservation):
    requested_by: str | None


class ReviewDecide(TypedDict):
    provider_id: str
    issuer_id: str
    order_id: str
    brought_by: str
    outcome: str


class ReviewRecord(ReviewDecide):
    body: str


class ReinstatementInstruct(TypedDict):
    provider_id: str
    issuer_id: str
    notice_id: str
    reason: str
    decision_id: str | None


class ReinstatementConfirm(TypedDict):
    provider_id: str
    notice_id: str
    reason: str
    seconds_to_reinstate: int


class ProfileSet(TypedDict):
    provider_id: str
    micro_small: bool


class FlaggerAlertSet(TypedDict):
    provider_id: str
    below: float | None


# authorities
class Exposure(TypedDict):
    authority_id: str
    provider_id: str


class ExposureDecide(Exposure):
    final_orders: int


class ExposureReport(Exposure):
    late: bool


class ExposureReviewDecide(Exposure):
    outcome: str
    late: bool


class PenaltyImpose(TypedDict):
    authority_id: str
    provider_id: str
    ground: str
    amount_cents: int
    currency: str


# transparency
class StatementsSubmit(TypedDict):
    provider_id: str
    status: int
    accepted: NotRequired[list[str]]
    duplicates: NotRequired[list[str]]
    rejected: NotRequired[list[str]]
    deferred: NotRequired[list[str]]
    demo: NotRequired[bool]


class DisputeFile(TypedDict):
    provider_id: str
    decision_id: str
    certified_by: str


class DisputeDecide(TypedDict):
    provider_id: str
    decision_id: str
    outcome: str
    days: int


# narratives
class CampaignCreate(TypedDict):
    name: str
    variants: list[str]
    segments: list[str]
    countries: list[str]
    primary_outcome: str
    starts_on: str | None
    ends_on: str | None


class VariantAdd(TypedDict):
    variant: str
    messenger: str
    format: str


class SegmentAdd(TypedDict):
    segment: str
    country: str | None
    language: str | None


class RedirectAdd(TypedDict):
    campaign_id: str
    keywords: list[str]
    variant: str | None


class ExperimentRegister(TypedDict):
    primary_outcome: str
    allocation: str
    min_share: float
    control_share: float | None
    min_impressions: int
    max_impressions: int | None
    success_probability: float
    futility_probability: float


FiguresImport = TypedDict("FiguresImport", {
    "inserted": int, "updated": int, "unchanged": int, "source": str, "from": str | None, "to": str | None,
})


class FigureUpdate(TypedDict):
    date: str
    variant: str
    segment: str
    before: dict[str, Any]
    after: dict[str, Any]


class LessonPublish(TypedDict):
    lesson_id: str
    republished: bool
    named: bool


class NoticesActionDayCreate(TypedDict):
    name: str
    deadline_at: str


class NoticesActionDayImport(TypedDict):
    accepted: int
    refused: int


class BlocklistsListCreate(TypedDict):
    authority_id: str
    overseer_id: str | None
    kind: str
    name: str
    action: str
    review_required: bool


class BlocklistsEntryAdd(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    type: str
    value: str
    subdomains: bool
    state: str
    expires_at: str
    serial: int


class BlocklistsEntryDelist(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    value: str
    reason: str
    serial: int


class BlocklistsEntryExpire(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    value: str
    reason: str
    serial: int


class BlocklistsEntryReview(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    serial: int


class BlocklistsEntryObject(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    serial: int


class BlocklistsEntryAnswer(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    decision: str
    serial: int


class BlocklistsEntryReexamine(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    next_reexamination_at: str


class BlocklistsEntryReexaminationDue(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    due_at: str


class BlocklistsSubscriptionCreate(TypedDict):
    authority_id: str
    operator_id: str
    subscription_id: str


class BlocklistsSubscriptionRotate(TypedDict):
    operator_id: str


class BlocklistsSerialApply(TypedDict):
    authority_id: str
    operator_id: str
    serial: int
    current_serial: int


class BlocklistsAppealFile(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    entry_id: str
    due_at: str


class BlocklistsAppealAnswer(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    outcome: str
    late: bool


class BlocklistsAppealOverdue(TypedDict):
    blocklist_id: str
    authority_id: str
    overseer_id: str | None
    due_at: str


class IdentitySigningKeyRotate(TypedDict):
    org_id: str
    retired_key_id: str | None
    retired_fingerprint: str | None
    fingerprint: str


class RightsPreservationKeyRotate(TypedDict):
    retired_key_id: str | None
    items_under_older_keys: int


class RightsPreservationReencrypt(TypedDict):
    items: int
    remaining: int


class EvidenceOrderFacts(TypedDict):
    """What every event about an evidence order carries (reports are computed from these)."""

    kind: str
    issuer_id: str
    provider_id: str
    enforcing_authority_id: str | None
    issuing_state: str
    enforcing_state: str | None
    data_categories: list[str]
    emergency: bool
    notification_required: bool


class EvidenceKeyRegister(TypedDict):
    fingerprint: Any


class EvidenceOrderIssue(EvidenceOrderFacts):
    issuer_type: Any
    validated_by: Any
    validation_required: Any
    received_at: Any
    deadline_at: Any


class EvidenceOrderNotify(EvidenceOrderFacts):
    answer_due_at: Any


class EvidenceOrderAnswer(EvidenceOrderFacts):
    outcome: Any
    status: Any
    grounds: Any
    seconds_to_answer: Any
    breach: Any
    package_id: Any


class EvidenceOrderEscalate(EvidenceOrderFacts):
    percent: Any
    deadline_at: Any


class EvidenceOrderBreach(EvidenceOrderFacts):
    seconds_late: Any


class EvidenceOrderExpire(EvidenceOrderFacts):
    preserve_until: Any
    extensions: Any


class EvidenceOrderClarify(EvidenceOrderFacts):
    deadline_at: Any


class EvidenceOrderExtend(EvidenceOrderFacts):
    preserve_until: Any


class EvidenceOrderWithdraw(EvidenceOrderFacts):
    reason: Any
    packages_purged: Any


class EvidenceOrderValidate(EvidenceOrderFacts):
    validated_by: Any
    granted: Any


class EvidenceOrderValidationOverdue(EvidenceOrderFacts):
    pass


class EvidenceOrderReview(EvidenceOrderFacts):
    decision: Any


class EvidenceNotificationAnswer(EvidenceOrderFacts):
    answer: Any
    grounds: Any
    packages_purged: Any


class EvidenceNotificationLapse(EvidenceOrderFacts):
    pass


class EvidencePackageStore(TypedDict):
    order_id: Any
    provider_id: Any
    authority_id: Any
    sha256: Any
    size: Any
    key_fingerprint: Any
    purge_at: Any


class EvidencePackageDownload(TypedDict):
    order_id: Any
    provider_id: Any
    authority_id: Any
    sha256: Any


class EvidencePackagePurge(TypedDict):
    order_id: Any
    provider_id: Any
    authority_id: Any
    reason: Any


class EvidenceDisclosureSend(TypedDict):
    provider_id: Any
    authority_id: Any
    notice_id: Any


class TrainingSetCreate(TypedDict):
    name: str
    visibility: str
    shared_with: list[str]


class TrainingCaseAdd(TypedDict):
    set_id: str
    origin: str
    reference_action: str


class TrainingAnswerRecord(TypedDict):
    """A trainee's answer on a golden case: never a decision, a statement of reasons or a strike."""

    golden_case_id: str
    reviewer: str
    action: str
    correct: bool


class TrainingCalibrationPass(TypedDict):
    reviewer: str
    answered: int
    accuracy: float
    kappa: float | None


class TrainingRuleUpdate(TypedDict):
    required: bool
    cases: int
    min_accuracy: float
    min_kappa: float | None
    set_id: str | None
# scans
class ScanStart(TypedDict):
    sources: list[str]
    banks: list[str]
    shadow: bool


class ScanFinish(TypedDict):
    shadow: bool
    items: int
    matched: int
    suppressed: int
    failed: int
    cases: int
    banks: dict[str, int]
    labels: dict[str, int]


PAYLOADS: Final[Mapping[Event, type[Any]]] = {
    Event.IDENTITY_ORGANISATION_CREATE: OrganisationCreate,
    Event.IDENTITY_ORGANISATION_CONTACT_POINT: ContactPoint,
    Event.IDENTITY_ORGANISATION_ANNEX_PROFILE: AnnexProfile,
    Event.IDENTITY_MEMBER_ADD: MemberAdd,
    Event.IDENTITY_API_KEY_CREATE: ApiKeyCreate,
    Event.IDENTITY_API_KEY_REVOKE: ApiKeyRevoke,
    Event.IDENTITY_SIGNING_KEY_CREATE: SigningKeyCreate,
    Event.IDENTITY_SESSION_START: SessionStart,
    Event.IDENTITY_SESSION_END: Empty,
    Event.IDENTITY_LOGIN_LOCKOUT: LoginLockout,
    Event.JOBS_WEBHOOK_CREATE: WebhookCreate,
    Event.JOBS_WEBHOOK_DISABLE: Empty,
    Event.JOBS_WEBHOOK_TEST: WebhookTest,
    Event.CASES_DRILL_DECIDE: DrillDecide,
    Event.READINESS_DRILL_SCHEDULE: DrillSchedule,
    Event.READINESS_DRILL_SEND: DrillSend,
    Event.READINESS_DRILL_CANCEL: DrillFacts,
    Event.READINESS_EXERCISE_START: ExerciseStart,
    Event.JOBS_JOB_DEAD_LETTER: JobDeadLetter,
    Event.JOBS_JOB_RETRY: Empty,
    Event.CASES_CASE_OPEN: CaseIntake,
    Event.CASES_CASE_JOIN: CaseIntake,
    Event.CASES_CASE_CLOSE: CaseClose,
    Event.CASES_CASE_CLAIM: CaseClaim,
    Event.CASES_CASE_RELEASE: CaseRelease,
    Event.CASES_CASE_ESCALATE: CaseEscalate,
    Event.CASES_SETTINGS_UPDATE: SettingsChange,
    Event.CASES_PREFERENCES_UPDATE: SettingsChange,
    Event.CASES_QUEUE_CREATE: QueueCreate,
    Event.CASES_DECISION_CREATE: DecisionCreate,
    Event.CASES_QUALITY_SAMPLE: QualitySample,
    Event.CASES_QUALITY_REVIEW: QualityReview,
    Event.CASES_STRIKE_RECORD: StrikeRecord,
    Event.NOTICES_NOTICE_RECEIVE: NoticeReceive,
    Event.NOTICES_NOTICE_IMPORT: NoticeImport,
    Event.NOTICES_NOTICE_ACKNOWLEDGE: NoticeAcknowledge,
    Event.NOTICES_NOTICE_OUTCOME: NoticeOutcome,
    Event.NOTICES_NOTICE_BREACH: NoticeBreach,
    Event.NOTICES_NOTICE_ESCALATE: NoticeEscalate,
    Event.NOTICES_NOTICE_HOLD: NoticeHold,
    Event.NOTICES_NOTICE_CLARIFY: NoticeClarify,
    Event.NOTICES_NOTICE_RECHECK: NoticeRecheck,
    Event.NOTICES_NOTICE_OFFLINE: NoticeOffline,
    Event.NOTICES_INFORMATION_SEND: InformationSend,
    Event.NOTICES_NONDISCLOSURE_EXTEND: NondisclosureExtend,
    Event.NOTICES_SCRUTINY_REQUEST: ScrutinyRequest,
    Event.NOTICES_SCRUTINY_DECIDE: ScrutinyDecide,
    Event.NOTICES_THREAT_ESCALATE: ThreatEscalate,
    Event.NOTICES_ORDER_FINAL: OrderFinal,
    Event.NOTICES_ORDER_EUROPOL_COPY: EuropolCopy,
    Event.NOTICES_ORDER_ANNUL: OrderAnnul,
    Event.NOTICES_ORDER_LANGUAGE_NOT_ACCEPTED: LanguageNotAccepted,
    Event.NOTICES_FEEDBACK_IMPORT: FeedbackImport,
    Event.MATCHING_MATCH_FOUND: MatchFound,
    Event.BANKS_BANK_CREATE: BankCreate,
    Event.BANKS_ENTRY_ADD: EntryAdd,
    Event.BANKS_ENTRY_DISABLE: EntryTransition,
    Event.BANKS_ENTRY_ENABLE: EntryTransition,
    Event.BANKS_ENTRY_CONFIRM: EntryTransition,
    Event.BANKS_ENTRY_REJECT: EntryTransition,
    Event.BANKS_ENTRY_REMOVE: EntryRemove,
    Event.BANKS_ENTRY_UPDATE: EntryUpdate,
    Event.BANKS_ENTRY_VOTE: EntryVote,
    Event.BANKS_IMPORT_CHUNK: ImportChunk,
    Event.BANKS_ENTRY_FLOOD: EntryFlood,
    Event.EXCHANGE_ENTRY_SEEN: EntrySeen,
    Event.POLICIES_POLICY_CREATE: PolicyCreate,
    Event.POLICIES_VERSION_CREATE: VersionCreate,
    Event.POLICIES_VERSION_PUBLISH: VersionPublish,
    Event.POLICIES_VERSION_ACTIVATE: VersionActivate,
    Event.POLICIES_INCIDENT_DECLARE: IncidentDeclare,
    Event.POLICIES_INCIDENT_ESCALATE: IncidentEscalate,
    Event.POLICIES_INCIDENT_LINK_BANK: IncidentLinkBank,
    Event.POLICIES_INCIDENT_CONCLUDE: IncidentConclude,
    Event.POLICIES_REVIEW_TASK_OPEN: ReviewTaskOpen,
    Event.POLICIES_REVIEW_TASK_DONE: ReviewTaskDone,
    Event.RIGHTS_COMPLAINT_FILE: ComplaintFile,
    Event.RIGHTS_COMPLAINT_DECIDE: ComplaintDecide,
    Event.RIGHTS_CONTENT_REINSTATE: ContentReinstate,
    Event.RIGHTS_USER_NOTICE_HOLD: UserNoticeHold,
    Event.RIGHTS_USER_NOTICE_SEND: UserNoticeSend,
    Event.RIGHTS_NOTIFIER_INFORM: NotifierInform,
    Event.RIGHTS_COMPLAINANT_INFORM: ComplainantInform,
    Event.RIGHTS_PRESERVATION_STORE: Preservation,
    Event.RIGHTS_PRESERVATION_ACCESS: PreservationAccess,
    Event.RIGHTS_PRESERVATION_HOLD: PreservationHold,
    Event.RIGHTS_PRESERVATION_PURGE: Preservation,
    Event.RIGHTS_REVIEW_RECORD: ReviewRecord,
    Event.RIGHTS_REVIEW_DECIDE: ReviewDecide,
    Event.RIGHTS_REINSTATEMENT_INSTRUCT: ReinstatementInstruct,
    Event.RIGHTS_REINSTATEMENT_CONFIRM: ReinstatementConfirm,
    Event.RIGHTS_PROFILE_SET: ProfileSet,
    Event.RIGHTS_FLAGGER_ALERT_SET: FlaggerAlertSet,
    Event.AUTHORITIES_EXPOSURE_DECIDE: ExposureDecide,
    Event.AUTHORITIES_EXPOSURE_REPORT: ExposureReport,
    Event.AUTHORITIES_EXPOSURE_REQUIRE: Exposure,
    Event.AUTHORITIES_EXPOSURE_REVIEW_REQUEST: Exposure,
    Event.AUTHORITIES_EXPOSURE_REVIEW_DECIDE: ExposureReviewDecide,
    Event.AUTHORITIES_PENALTY_IMPOSE: PenaltyImpose,
    Event.TRANSPARENCY_STATEMENTS_SUBMIT: StatementsSubmit,
    Event.TRANSPARENCY_DISPUTE_FILE: DisputeFile,
    Event.TRANSPARENCY_DISPUTE_DECIDE: DisputeDecide,
    Event.NARRATIVES_CAMPAIGN_CREATE: CampaignCreate,
    Event.NARRATIVES_VARIANT_ADD: VariantAdd,
    Event.NARRATIVES_SEGMENT_ADD: SegmentAdd,
    Event.NARRATIVES_REDIRECT_ADD: RedirectAdd,
    Event.NARRATIVES_EXPERIMENT_REGISTER: ExperimentRegister,
    Event.NARRATIVES_FIGURES_IMPORT: FiguresImport,
    Event.NARRATIVES_FIGURE_UPDATE: FigureUpdate,
    Event.NARRATIVES_LESSON_PUBLISH: LessonPublish,
    Event.NOTICES_ACTION_DAY_CREATE: NoticesActionDayCreate,
    Event.NOTICES_ACTION_DAY_IMPORT: NoticesActionDayImport,
    Event.BLOCKLISTS_LIST_CREATE: BlocklistsListCreate,
    Event.BLOCKLISTS_ENTRY_ADD: BlocklistsEntryAdd,
    Event.BLOCKLISTS_ENTRY_DELIST: BlocklistsEntryDelist,
    Event.BLOCKLISTS_ENTRY_EXPIRE: BlocklistsEntryExpire,
    Event.BLOCKLISTS_ENTRY_REVIEW: BlocklistsEntryReview,
    Event.BLOCKLISTS_ENTRY_OBJECT: BlocklistsEntryObject,
    Event.BLOCKLISTS_ENTRY_ANSWER: BlocklistsEntryAnswer,
    Event.BLOCKLISTS_ENTRY_REEXAMINE: BlocklistsEntryReexamine,
    Event.BLOCKLISTS_ENTRY_REEXAMINATION_DUE: BlocklistsEntryReexaminationDue,
    Event.BLOCKLISTS_SUBSCRIPTION_CREATE: BlocklistsSubscriptionCreate,
    Event.BLOCKLISTS_SUBSCRIPTION_ROTATE: BlocklistsSubscriptionRotate,
    Event.BLOCKLISTS_SERIAL_APPLY: BlocklistsSerialApply,
    Event.BLOCKLISTS_APPEAL_FILE: BlocklistsAppealFile,
    Event.BLOCKLISTS_APPEAL_ANSWER: BlocklistsAppealAnswer,
    Event.BLOCKLISTS_APPEAL_OVERDUE: BlocklistsAppealOverdue,
    Event.IDENTITY_SIGNING_KEY_ROTATE: IdentitySigningKeyRotate,
    Event.RIGHTS_PRESERVATION_KEY_ROTATE: RightsPreservationKeyRotate,
    Event.RIGHTS_PRESERVATION_REENCRYPT: RightsPreservationReencrypt,
    Event.EVIDENCE_KEY_REGISTER: EvidenceKeyRegister,
    Event.EVIDENCE_ORDER_ISSUE: EvidenceOrderIssue,
    Event.EVIDENCE_ORDER_NOTIFY: EvidenceOrderNotify,
    Event.EVIDENCE_ORDER_ANSWER: EvidenceOrderAnswer,
    Event.EVIDENCE_ORDER_ESCALATE: EvidenceOrderEscalate,
    Event.EVIDENCE_ORDER_BREACH: EvidenceOrderBreach,
    Event.EVIDENCE_ORDER_EXPIRE: EvidenceOrderExpire,
    Event.EVIDENCE_ORDER_CLARIFY: EvidenceOrderClarify,
    Event.EVIDENCE_ORDER_EXTEND: EvidenceOrderExtend,
    Event.EVIDENCE_ORDER_WITHDRAW: EvidenceOrderWithdraw,
    Event.EVIDENCE_ORDER_VALIDATE: EvidenceOrderValidate,
    Event.EVIDENCE_ORDER_VALIDATION_OVERDUE: EvidenceOrderValidationOverdue,
    Event.EVIDENCE_ORDER_REVIEW: EvidenceOrderReview,
    Event.EVIDENCE_NOTIFICATION_ANSWER: EvidenceNotificationAnswer,
    Event.EVIDENCE_NOTIFICATION_LAPSE: EvidenceNotificationLapse,
    Event.EVIDENCE_PACKAGE_STORE: EvidencePackageStore,
    Event.EVIDENCE_PACKAGE_DOWNLOAD: EvidencePackageDownload,
    Event.EVIDENCE_PACKAGE_PURGE: EvidencePackagePurge,
    Event.EVIDENCE_DISCLOSURE_SEND: EvidenceDisclosureSend,
    Event.TRAINING_SET_CREATE: TrainingSetCreate,
    Event.TRAINING_CASE_ADD: TrainingCaseAdd,
    Event.TRAINING_ANSWER_RECORD: TrainingAnswerRecord,
    Event.TRAINING_CALIBRATION_PASS: TrainingCalibrationPass,
    Event.TRAINING_RULE_UPDATE: TrainingRuleUpdate,
    Event.SCANS_SCAN_START: ScanStart,
    Event.SCANS_SCAN_FINISH: ScanFinish,
}


def required_keys(event: Event) -> frozenset[str]:
    return frozenset(PAYLOADS[event].__required_keys__)


def payload_keys(event: Event) -> list[str]:
    """The event's payload keys in the order its ``TypedDict`` declares them (inherited keys first)."""
    return list(PAYLOADS[event].__annotations__)


def allowed_keys(event: Event) -> frozenset[str]:
    payload = PAYLOADS[event]
    return frozenset(payload.__required_keys__ | payload.__optional_keys__)


# ---- checking at run time ---------------------------------------------------------------------------------

_checking = {"on": False}


def check_payloads(on: bool) -> None:
    """Turn payload checking in ``record()`` on or off (the test suite turns it on; production leaves it off,
    so an untested path never fails a legal duty over a payload key)."""
    _checking["on"] = on


@contextmanager
def unchecked() -> Iterator[None]:
    """Write events without checking their payloads: for tests that replay old or partial payloads on purpose."""
    before = _checking["on"]
    _checking["on"] = False
    try:
        yield
    finally:
        _checking["on"] = before


def as_event(tag: str) -> Event:
    """The catalogued event of ``tag``; ``InvalidInput`` for a tag that is not in the catalogue."""
    try:
        return Event(tag)
    except ValueError:
        raise InvalidInput(f"audit tag {tag!r} is not in the catalogue (accord.audit.catalogue)", field="tag") from None


def check(event: Event, payload: Mapping[str, Any]) -> None:
    """With checking on, refuse a payload missing a required key or carrying a key the catalogue lacks."""
    if not _checking["on"]:
        return
    keys = set(payload)
    missing, unknown = required_keys(event) - keys, keys - allowed_keys(event)
    if missing or unknown:
        raise InvalidInput(f"{event} payload: missing {sorted(missing)}, not in the catalogue {sorted(unknown)}",
                           field="payload")


# ---- what each event means (docs/events.md is written from this) ----------------------------------------

@dataclass(frozen=True)
class Doc:
    """The event's subject (what ``subject`` names) and what it means, in Markdown."""

    subject: str
    meaning: str = ""


AREAS: Final[Mapping[str, str]] = {
    "identity": "Organisations, members, keys and UI sessions",
    "jobs": "Webhooks and the job queue",
    "cases": "Cases, review and decisions",
    "notices": "Notices and removal orders",
    "matching": "Matching",
    "banks": "Hash banks",
    "exchange": "Exchange with other platforms",
    "policies": "Policies and incidents",
    "rights": "Rights of users, notifiers and providers",
    "authorities": "Competent authorities",
    "transparency": "Transparency",
    "narratives": "Counter-narrative campaigns",
    "blocklists": "Administrative blocking lists",
    "evidence": "European Production and Preservation Orders (e-evidence)",
    "training": "Reviewer training and calibration",
    "readiness": "Drills and joint exercises",
    "scans": "Retroactive scans",
}

DOCS: Final[Mapping[Event, Doc]] = {
    Event.IDENTITY_ORGANISATION_CREATE: Doc("org id"),
    Event.IDENTITY_ORGANISATION_CONTACT_POINT: Doc("org id", "TCO Art. 15 contact point: `email`, `languages`"),
    Event.IDENTITY_ORGANISATION_ANNEX_PROFILE: Doc(
        "org id", "`legal_representative`, `authorised_person`: booleans, whether each is set"),
    Event.IDENTITY_MEMBER_ADD: Doc("member id"),
    Event.IDENTITY_API_KEY_CREATE: Doc("key id"),
    Event.IDENTITY_API_KEY_REVOKE: Doc("key id"),
    Event.IDENTITY_SIGNING_KEY_CREATE: Doc("key id", "made on first use by `identity/signing.py`"),
    Event.IDENTITY_SESSION_START: Doc("session id", "a member logged in to the UI (`identity/sessions.py`)"),
    Event.IDENTITY_SESSION_END: Doc("session id", "logout revoked the session on the server"),
    Event.IDENTITY_LOGIN_LOCKOUT: Doc(
        "`account` or `address`",
        "too many failed logins locked an e-mail address or a client address; actor `public:login`; `org_id` the "
        "member's organisation when the e-mail is a member's, else none; `key` (`account`/`address`), "
        "`member_id` or `null`, `lockouts`: how many lockouts in a row, each doubling the last"),
    Event.JOBS_WEBHOOK_CREATE: Doc("endpoint id"),
    Event.JOBS_WEBHOOK_DISABLE: Doc("endpoint id"),
    Event.JOBS_WEBHOOK_TEST: Doc(
        "org id", "a signed `webhook.test` delivery queued to each active endpoint (`endpoints`: how many); the "
        "readiness score counts an endpoint that answered one in the last 30 days"),
    Event.CASES_DRILL_DECIDE: Doc(
        "case id", "a drill's case was decided: its notices answered (Annex II/III feedback) and the case closed, "
        "with no decision, statement of reasons, strike, preservation or user notice (`accord.readiness`)"),
    Event.READINESS_DRILL_SCHEDULE: Doc(
        "drill id", "a practice removal order will be sent at a random moment of [`starts_after`, `ends_before`); "
        "`organiser_id`: an authority, the coordinator, or the provider itself (a self-drill)"),
    Event.READINESS_DRILL_SEND: Doc("drill id", "the worker sent the drill's order (`notice_id`)"),
    Event.READINESS_DRILL_CANCEL: Doc("drill id", "the organiser called the drill off before it was sent"),
    Event.READINESS_EXERCISE_START: Doc(
        "exercise id", "a coordinator's joint exercise: a drill incident declared and one drill per provider"),
    Event.JOBS_JOB_DEAD_LETTER: Doc("job id"),
    Event.JOBS_JOB_RETRY: Doc("job id"),
    Event.CASES_CASE_OPEN: Doc("case id"),
    Event.CASES_CASE_JOIN: Doc("case id", "content already under an open case joined it"),
    Event.CASES_CASE_CLOSE: Doc(
        "case id", "no longer written by direct answers, which are decisions: `cases:decision:create`"),
    Event.CASES_CASE_CLAIM: Doc("case id", "a reviewer claimed the case"),
    Event.CASES_CASE_RELEASE: Doc("case id", "a reviewer released a claim"),
    Event.CASES_CASE_ESCALATE: Doc(
        "case id", "`to`: `senior` (with `queue_id`) or `law_enforcement` (with the threat route: "
        "`member_state`, `identified`, `urls`, `europol`, `contacts`)"),
    Event.CASES_SETTINGS_UPDATE: Doc("provider id", "the provider's review settings changed"),
    Event.CASES_PREFERENCES_UPDATE: Doc("reviewer", "a reviewer's preferences changed"),
    Event.CASES_QUEUE_CREATE: Doc("queue id"),
    Event.CASES_DECISION_CREATE: Doc(
        "decision id",
        "every action on content, whatever the door: console, direct answer on a notice, automatic action; see "
        "`accord.flows.decisions`. `action`: `remove`, `disable`, `restrict`, `no_action`; `ground_kind`: "
        "`legal` or `terms`; `policy_version_id`: the provider's policy version in force when the decision was "
        "taken, manual or automatic; `null` when the provider had activated none. `restriction`, "
        "`restriction_other`, `explanation` are read by the statement export but not yet written"),
    Event.CASES_QUALITY_SAMPLE: Doc("review id", "a decision sampled for re-review or verification"),
    Event.CASES_QUALITY_REVIEW: Doc(
        "review id", "`kind`: `rereview`, `verification`; a `verification` overturned counts as an error of "
        "automated means in the DSA report"),
    Event.CASES_STRIKE_RECORD: Doc(
        "strike id", "`subject_kind`: `uploader`, `notifier`; `consequence`: `none`, `warning`, `suspension`; "
        "`statement_id`: a suspension's own statement of reasons, DSA Art. 23"),
    Event.NOTICES_NOTICE_RECEIVE: Doc("notice id"),
    Event.NOTICES_NOTICE_IMPORT: Doc(
        "notice id", "an Annex I document from another system became an order; `notice_id`: its id in the "
        "source; `fingerprint` of the key that signed it, or `null`"),
    Event.NOTICES_NOTICE_ACKNOWLEDGE: Doc("notice id"),
    Event.NOTICES_NOTICE_OUTCOME: Doc(
        "notice id",
        "`outcome`: `removed`, `disabled`, `no_action`, `cannot_comply` (a removal order only `removed`, "
        "`disabled` in all Member States, or `cannot_comply`); `ground`: Annex III ground when `cannot_comply`; "
        "`breach` (bool)"),
    Event.NOTICES_NOTICE_BREACH: Doc("notice id"),
    Event.NOTICES_NOTICE_ESCALATE: Doc("notice id", "`minutes`: 15, 30, 45"),
    Event.NOTICES_NOTICE_HOLD: Doc("notice id"),
    Event.NOTICES_NOTICE_CLARIFY: Doc("notice id"),
    Event.NOTICES_NOTICE_RECHECK: Doc("notice id", "`online`: per URL, from the latest re-check"),
    Event.NOTICES_NOTICE_OFFLINE: Doc(
        "notice id", "`verification_label` (alerts); `seconds_to_offline`: from receipt to the re-check that "
        "found every URL 404/410; written once per notice, by hand or by the worker's `notices.liveness` duty"),
    Event.NOTICES_INFORMATION_SEND: Doc("information id"),
    Event.NOTICES_NONDISCLOSURE_EXTEND: Doc("notice id"),
    Event.NOTICES_SCRUTINY_REQUEST: Doc("notice id", "`by`: `provider` or `content_provider`"),
    Event.NOTICES_SCRUTINY_DECIDE: Doc("notice id"),
    Event.NOTICES_THREAT_ESCALATE: Doc(
        "notice id", "`identified`: false when the state concerned was unknown"),
    Event.NOTICES_ORDER_FINAL: Doc("notice id", "`basis`: `redress_period_expired`, `confirmed_on_appeal`"),
    Event.NOTICES_ORDER_EUROPOL_COPY: Doc(
        "notice id", "`org_ids`: the Europol organisations, country `EU`, that received the copy at dispatch; "
        "TCO Art. 14(4)"),
    Event.NOTICES_ORDER_ANNUL: Doc("notice id"),
    Event.NOTICES_ORDER_LANGUAGE_NOT_ACCEPTED: Doc(
        "notice id", "a removal order written in a language the provider's contact point does not accept, "
        "TCO Art. 15(2)"),
    Event.NOTICES_FEEDBACK_IMPORT: Doc(
        "notice id", "`annex`: `II` or `III`; `acted_at`: the time of action the document states, from which the "
        "one-hour clock is read; `fingerprint` of the provider's key, or `null`; written with the "
        "`notices:notice:outcome` it records"),
    Event.MATCHING_MATCH_FOUND: Doc(
        "match id", "`incident_tags`: the matched entry's incident tags, which the case's signal carries beside "
        "its labels, so triage raises a case tagged with an active incident"),
    Event.BANKS_BANK_CREATE: Doc("bank id"),
    Event.BANKS_ENTRY_ADD: Doc(
        "bank id", "`incident_tags`: the tags the new entries carry, including that of each incident active on "
        "the bank, added whether or not the caller named it"),
    Event.BANKS_ENTRY_DISABLE: Doc("entry id"),
    Event.BANKS_ENTRY_ENABLE: Doc("entry id"),
    Event.BANKS_ENTRY_CONFIRM: Doc("entry id"),
    Event.BANKS_ENTRY_REJECT: Doc("entry id"),
    Event.BANKS_ENTRY_FLOOD: Doc(
        "entry id", "flood protection quarantined the entry: it was matched `matches_in_hour` times in the past "
        "hour across organisations, past the `limit` (`ACCORD_FLOOD_MATCHES_PER_ENTRY_PER_HOUR`); `rereview`: "
        "how many of its matches were marked for re-review"),
    Event.BANKS_ENTRY_REMOVE: Doc("entry id"),
    Event.BANKS_ENTRY_UPDATE: Doc("entry id"),
    Event.BANKS_ENTRY_VOTE: Doc("entry id"),
    Event.BANKS_IMPORT_CHUNK: Doc(
        "import id", "one chunk of a bulk import (`accord bank import`, `POST /v1/banks/{name}/entries` with a CSV "
        "body), written in the chunk's own transaction: `first_line`..`last_line` of the input, entries `added` "
        "(ids `first_entry_id`..`last_entry_id`, origin `import:<import id>`), `duplicates` already in the bank, "
        "lines `refused`; `digest`: SHA-256 over `<id>\\t<signal_type>\\t<value>\\n` of the added entries in id "
        "order, which `accord bank verify-import` recomputes from the stored rows; a resumed import starts after "
        "the last chunk recorded"),
    Event.EXCHANGE_ENTRY_SEEN: Doc(
        "entry id", "a member reported, through python-threatexchange's `report_seen` or an investigation-seed "
        "opinion, that it met the signal on its service (`accord.exchange.opinions`); `owner_id`: the bank's "
        "owner"),
    Event.POLICIES_POLICY_CREATE: Doc("policy id"),
    Event.POLICIES_VERSION_CREATE: Doc("version id"),
    Event.POLICIES_VERSION_PUBLISH: Doc("version id"),
    Event.POLICIES_VERSION_ACTIVATE: Doc("version id"),
    Event.POLICIES_INCIDENT_DECLARE: Doc("incident id"),
    Event.POLICIES_INCIDENT_ESCALATE: Doc("incident id"),
    Event.POLICIES_INCIDENT_LINK_BANK: Doc("incident id"),
    Event.POLICIES_INCIDENT_CONCLUDE: Doc("incident id"),
    Event.POLICIES_REVIEW_TASK_OPEN: Doc("task id"),
    Event.POLICIES_REVIEW_TASK_DONE: Doc("task id"),
    Event.RIGHTS_COMPLAINT_FILE: Doc("complaint id", "`by`: `uploader` or `notifier`"),
    Event.RIGHTS_COMPLAINT_DECIDE: Doc("complaint id", "`outcome`: `upheld` or `reversed`"),
    Event.RIGHTS_CONTENT_REINSTATE: Doc(
        "decision id", "`reason`: `complaint`, `scrutiny`, `review`; `preserved_item_id` (`scrutiny`: written "
        "with `notices:scrutiny:decide` when the host authority finds an infringement of an executed order)"),
    Event.RIGHTS_USER_NOTICE_HOLD: Doc(
        "user notice id", "a later `hold` moves `release_at` when the order's non-disclosure is extended"),
    Event.RIGHTS_USER_NOTICE_SEND: Doc("user notice id", "`mailed` (bool): e-mailed to the uploader"),
    Event.RIGHTS_NOTIFIER_INFORM: Doc("notice id (a public DSA Art. 16 report)"),
    Event.RIGHTS_COMPLAINANT_INFORM: Doc("complaint id"),
    Event.RIGHTS_PRESERVATION_STORE: Doc("item id"),
    Event.RIGHTS_PRESERVATION_ACCESS: Doc("item id"),
    Event.RIGHTS_PRESERVATION_HOLD: Doc("item id"),
    Event.RIGHTS_PRESERVATION_PURGE: Doc("item id"),
    Event.RIGHTS_REVIEW_RECORD: Doc(
        "review id", "`brought_by`: `provider`, `content_provider`; `outcome`: `pending`"),
    Event.RIGHTS_REVIEW_DECIDE: Doc("review id", "`outcome`: `confirmed`, `annulled`, `amended`"),
    Event.RIGHTS_REINSTATEMENT_INSTRUCT: Doc("instruction id", "`reason`: `scrutiny`, `review`"),
    Event.RIGHTS_REINSTATEMENT_CONFIRM: Doc("instruction id"),
    Event.RIGHTS_PROFILE_SET: Doc("org id", "whether the provider is a micro or small enterprise"),
    Event.RIGHTS_FLAGGER_ALERT_SET: Doc("org id", "the trusted-flagger accuracy alert threshold"),
    Event.AUTHORITIES_EXPOSURE_DECIDE: Doc("exposure decision id"),
    Event.AUTHORITIES_EXPOSURE_REPORT: Doc("exposure decision id"),
    Event.AUTHORITIES_EXPOSURE_REQUIRE: Doc("exposure decision id"),
    Event.AUTHORITIES_EXPOSURE_REVIEW_REQUEST: Doc("exposure decision id"),
    Event.AUTHORITIES_EXPOSURE_REVIEW_DECIDE: Doc(
        "exposure decision id", "`outcome`: `maintained`, `amended`, `revoked`"),
    Event.AUTHORITIES_PENALTY_IMPOSE: Doc("penalty id"),
    Event.TRANSPARENCY_STATEMENTS_SUBMIT: Doc(
        "provider id", "one call to the DSA Transparency Database: `status` (HTTP status, 0 when no answer), "
        "and the statement ids by result: `accepted`, `duplicates` (the Database held their `puid` already), "
        "`rejected` (refused with per-field errors), `deferred` (retried later); `demo` marks the demo's calls"),
    Event.TRANSPARENCY_DISPUTE_FILE: Doc("dispute id", "`certified_by`: the certifying Member State; DSA Art. 21"),
    Event.TRANSPARENCY_DISPUTE_DECIDE: Doc(
        "dispute id", "`outcome`: `upheld`, `reversed`, `settled`, `withdrawn`"),
    Event.NARRATIVES_CAMPAIGN_CREATE: Doc("campaign id"),
    Event.NARRATIVES_VARIANT_ADD: Doc("campaign id"),
    Event.NARRATIVES_SEGMENT_ADD: Doc("campaign id"),
    Event.NARRATIVES_REDIRECT_ADD: Doc("redirect id"),
    Event.NARRATIVES_EXPERIMENT_REGISTER: Doc("campaign id", "the pre-registered design"),
    Event.NARRATIVES_FIGURES_IMPORT: Doc("campaign id"),
    Event.NARRATIVES_FIGURE_UPDATE: Doc("campaign id"),
    Event.NARRATIVES_LESSON_PUBLISH: Doc("campaign id"),
    Event.NOTICES_ACTION_DAY_CREATE: Doc(
        "action day id",
        "a Referral Action Day (EUR-04): many notices to many providers with one shared deadline"),
    Event.NOTICES_ACTION_DAY_IMPORT: Doc(
        "action day id",
        "one committed chunk of the day's notices: how many lines were accepted and linked to the day, how "
        "many refused"),
    Event.BLOCKLISTS_LIST_CREATE: Doc(
        "blocking list id",
        "an authority's blocking list (issue 14): `kind` `dns_block` or `search_delisting`; `action` "
        "`nxdomain` or `stop_page`; `review_required`: entries wait for the overseer's review"),
    Event.BLOCKLISTS_ENTRY_ADD: Doc(
        "entry id",
        "an entry (`type` `domain`, `url` or `ip`) passed the over-blocking guard; `state` `proposed` (waits "
        "for review) or `active`; `serial`: the list's serial after the change"),
    Event.BLOCKLISTS_ENTRY_DELIST: Doc(
        "entry id",
        "the authority delisted an entry (or an appeal or answer did); it leaves the export at once"),
    Event.BLOCKLISTS_ENTRY_EXPIRE: Doc(
        "entry id",
        "the worker's `blocklists.expire` duty expired an entry: nothing is blocked forever"),
    Event.BLOCKLISTS_ENTRY_REVIEW: Doc(
        "entry id",
        "the overseer reviewed a proposed entry, which became active"),
    Event.BLOCKLISTS_ENTRY_OBJECT: Doc(
        "entry id",
        "the overseer objected: the entry is suspended until the authority answers"),
    Event.BLOCKLISTS_ENTRY_ANSWER: Doc(
        "entry id",
        "the authority answered an objection: `decision` `maintain` or `delist`"),
    Event.BLOCKLISTS_ENTRY_REEXAMINE: Doc(
        "entry id",
        "the authority re-examined an entry (France: every three months) and set the next date"),
    Event.BLOCKLISTS_ENTRY_REEXAMINATION_DUE: Doc(
        "entry id",
        "the `blocklists.reexamine` duty reminded the authority that an entry is due for re-examination"),
    Event.BLOCKLISTS_SUBSCRIPTION_CREATE: Doc(
        "blocking list id",
        "a network operator was subscribed to a list (and given its feed's capability URL)"),
    Event.BLOCKLISTS_SUBSCRIPTION_ROTATE: Doc(
        "blocking list id",
        "an operator replaced its feed's capability URL (the old one stops working)"),
    Event.BLOCKLISTS_SERIAL_APPLY: Doc(
        "blocking list id",
        "an operator acknowledged the serial its resolvers enforce; against the list's `current_serial` and "
        "the 24 h (blocking) or 48 h (delisting) clock"),
    Event.BLOCKLISTS_APPEAL_FILE: Doc(
        "appeal id",
        "a site owner contested an entry through the public form; the authority answers with reasons by "
        "`due_at`"),
    Event.BLOCKLISTS_APPEAL_ANSWER: Doc(
        "appeal id",
        "the authority answered an appeal: `outcome` `maintained` or `delisted`; `late`: after its due date"),
    Event.BLOCKLISTS_APPEAL_OVERDUE: Doc(
        "appeal id",
        "the `blocklists.appeals` duty found an appeal unanswered past its due date"),
    Event.IDENTITY_SIGNING_KEY_ROTATE: Doc(
        "the organisation's new signing key",
        "written by `accord keys rotate --kind signing` (actor `cli:operator`); the retired key still "
        "verifies what it signed"),
    Event.RIGHTS_PRESERVATION_KEY_ROTATE: Doc(
        "the new preservation key's id",
        "`retired_key_id` is `null` at the first rotation, when items were under the key derived from "
        "`ACCORD_PRESERVATION_KEY`; written by `accord keys rotate --kind preservation`"),
    Event.RIGHTS_PRESERVATION_REENCRYPT: Doc(
        "the active preservation key's id",
        "`items` moved to the active key in this batch, `remaining` still under older keys; written by the "
        "worker's `rights.reencrypt_preserved` job"),
    Event.EVIDENCE_KEY_REGISTER: Doc(
        "evidence key id",
        "an authority registered the public key produced data is sealed for (the private key never reaches "
        "the instance)"),
    Event.EVIDENCE_ORDER_ISSUE: Doc(
        "evidence order id",
        "a European Production (EPOC) or Preservation (EPOC-PR) Order passed the Art. 4/5 rules and reached "
        "the provider; `deadline_at`: 10 days, 8 hours in an emergency (Art. 10), or the 60 days of "
        "preservation (Art. 11)"),
    Event.EVIDENCE_ORDER_NOTIFY: Doc(
        "evidence order id",
        "the enforcing State was notified (Art. 8: traffic or content data of a non-resident); it may raise "
        "grounds for refusal by `answer_due_at`"),
    Event.EVIDENCE_ORDER_ANSWER: Doc(
        "evidence order id",
        "the provider answered: produced (a sealed package), preserved, or the Annex III impossibility form "
        "with its `grounds`; `breach`: after the deadline"),
    Event.EVIDENCE_ORDER_ESCALATE: Doc(
        "evidence order id",
        "the worker escalated an unanswered order to the provider's on-call webhooks at `percent` of its "
        "window"),
    Event.EVIDENCE_ORDER_BREACH: Doc(
        "evidence order id",
        "an order's deadline passed without an answer"),
    Event.EVIDENCE_ORDER_EXPIRE: Doc(
        "evidence order id",
        "a preservation ended (60 days, plus 30 when extended)"),
    Event.EVIDENCE_ORDER_CLARIFY: Doc(
        "evidence order id",
        "the issuer clarified an order the provider found incomplete; the clock starts again"),
    Event.EVIDENCE_ORDER_EXTEND: Doc(
        "evidence order id",
        "the issuer extended a preservation by 30 days (Art. 11)"),
    Event.EVIDENCE_ORDER_WITHDRAW: Doc(
        "evidence order id",
        "the issuer withdrew an order (or a refused validation or grounds for refusal ended it); its packages"
        " were purged"),
    Event.EVIDENCE_ORDER_VALIDATE: Doc(
        "evidence order id",
        "a judge or prosecutor validated (or refused) an emergency order issued without prior validation "
        "(Art. 4(5))"),
    Event.EVIDENCE_ORDER_VALIDATION_OVERDUE: Doc(
        "evidence order id",
        "an emergency order still lacks its validation after 96 hours"),
    Event.EVIDENCE_ORDER_REVIEW: Doc(
        "evidence order id",
        "the Art. 17 review of a conflict with third-country law was decided"),
    Event.EVIDENCE_NOTIFICATION_ANSWER: Doc(
        "evidence order id",
        "the enforcing authority answered the notification: no grounds, or grounds for refusal (which end the"
        " order and purge its data)"),
    Event.EVIDENCE_NOTIFICATION_LAPSE: Doc(
        "evidence order id",
        "the enforcing State's 10 days (96 hours in an emergency) passed without grounds for refusal"),
    Event.EVIDENCE_PACKAGE_STORE: Doc(
        "evidence package id",
        "produced data stored sealed for the authority's key: only ciphertext, its SHA-256 and size; purged "
        "at `purge_at`"),
    Event.EVIDENCE_PACKAGE_DOWNLOAD: Doc(
        "evidence package id",
        "the issuing authority downloaded a sealed package"),
    Event.EVIDENCE_PACKAGE_PURGE: Doc(
        "evidence package id",
        "a package was purged (its retention ended, or the order was withdrawn or refused)"),
    Event.EVIDENCE_DISCLOSURE_SEND: Doc(
        "evidence package id",
        "a provider disclosed data of its own accord for an imminent threat to life, linked to the notice "
        "whose threat it escalated"),
    Event.TRAINING_SET_CREATE: Doc("golden set id", "a golden set was created, private or shared as banks are"),
    Event.TRAINING_CASE_ADD: Doc(
        "golden case id",
        "a golden case joined a set: `origin` `decision` (anonymised from a past decision) or `written`"),
    Event.TRAINING_ANSWER_RECORD: Doc(
        "training answer id",
        "a trainee decided a golden case; training only: nothing acts on content, no statement of reasons, no "
        "strike, and no report counts it"),
    Event.TRAINING_CALIBRATION_PASS: Doc(
        "reviewer", "a reviewer passed the organisation's calibration and may claim live cases"),
    Event.TRAINING_RULE_UPDATE: Doc("organisation id", "the organisation's calibration rule changed"),
    Event.SCANS_SCAN_START: Doc(
        "scan id",
        "a retroactive scan of the organisation's content against its banks began (`shadow`: only counted, no "
        "case opened); each match it records leaves its own `matching:match:found`"),
    Event.SCANS_SCAN_FINISH: Doc(
        "scan id",
        "a retroactive scan read its last item: items read, matched, suppressed by an allow-list and unreadable, "
        "items sent to review, and items matched per bank and per label"),
}
