"""Audience segments and message variants of a counter-narrative campaign.

A campaign may address people only through *context*: a country, a language, a region (down to a postcode,
as Canada Redirect did) and the keywords they search for. Two kinds of request are refused with an
``InvalidInput`` naming the offending field:

* targeting of **individuals** (user ids, e-mail addresses, handles, phone numbers, device or cookie ids,
  custom or look-alike audiences) — counter-narrative work must never identify or track people;
* targeting by **special categories** of personal data (religion, ethnicity, political views, health,
  sexual orientation, ...) — DSA Art. 26(3) forbids such profiling for adverts, even with consent.

Any other field outside the allow-list is refused too, so that a new kind of targeting cannot slip in
unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TypeVar

from accord.errors import InvalidInput


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 3166-1 alpha-2, officially assigned codes, plus XK (Kosovo), a user-assigned code that the European
# Commission and most ad platforms use.
COUNTRY_CODES: frozenset[str] = _words(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
    YT ZA ZM ZW XK
    """
)

# ISO 639-1 two-letter language codes.
LANGUAGE_CODES: frozenset[str] = _words(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
    io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
    mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu
    """
)

# Common near-misses, so the error can say what was meant.
_COUNTRY_HINTS: dict[str, str] = {"UK": "GB", "EL": "GR"}

SEGMENT_FIELDS: frozenset[str] = frozenset({"key", "label", "country", "language", "region", "keywords"})
VARIANT_FIELDS: frozenset[str] = frozenset(
    {"key", "label", "control", "messenger", "format", "language", "message", "content_url"}
)

# Words that, inside a field name, mean the request aims at particular people.
_INDIVIDUAL_TOKENS: frozenset[str] = _words(
    """
    user users userid userids uid username usernames email emails handle handles phone phones msisdn profile
    profiles account accounts ip device devices idfa gaid cookie cookies person persons people individual
    individuals follower followers customer customers lookalike
    """
)

# Special categories of personal data (GDPR Art. 9) that DSA Art. 26(3) bars from ad targeting.
_SPECIAL_TOKENS: frozenset[str] = _words(
    """
    religion religions religious faith belief beliefs denomination sect caste ethnicity ethnic race racial
    origin political politics party ideology opinion opinions views health medical disability diagnosis
    sexual sexuality orientation lgbt lgbtq trade union biometric genetic
    """
)

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HANDLE_RE = re.compile(r"(^|\s)@\w{2,}")
_PHONE_RE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_URL_RE = re.compile(r"(https?://|www\.)", re.IGNORECASE)

_E = TypeVar("_E", bound=StrEnum)

MAX_KEYWORDS = 1000
PHONE_MIN_DIGITS = 9  # dates such as 13.11.2015 are legitimate keywords; phone numbers are longer
MAX_TEXT = 200


class MessengerType(StrEnum):
    """Who speaks in a variant: credibility *to the audience* is what GAMMMA+ asks about."""

    FORMER_EXTREMIST = "former_extremist"
    RELIGIOUS_FIGURE = "religious_figure"
    PEER = "peer"
    SURVIVOR = "survivor"
    OFFICIAL = "official"
    COMMUNITY_LEADER = "community_leader"
    EXPERT = "expert"
    OTHER = "other"


class MessageFormat(StrEnum):
    """The medium of a variant."""

    PHOTO = "photo"
    TEXT = "text"
    STORY = "story"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class Segment:
    """A group of people described only by place, language and search context."""

    key: str
    country: str | None = None
    language: str | None = None
    region: str | None = None
    keywords: tuple[str, ...] = ()
    label: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        return data


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of the message; exactly one variant of a campaign is the control."""

    key: str
    messenger: MessengerType
    format: MessageFormat
    control: bool = False
    language: str | None = None
    message: str | None = None
    label: str | None = None
    content_url: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        data = asdict(self)
        data["messenger"] = self.messenger.value
        data["format"] = self.format.value
        return data


def validate_segment(data: Mapping[str, object], *, field: str = "segment") -> Segment:
    """Validate one audience segment; ``field`` prefixes the field names in errors (``segments[2]``)."""
    _refuse_unknown_fields(data, SEGMENT_FIELDS, field)
    keywords = _keywords(data.get("keywords"), f"{field}.keywords")
    segment = Segment(
        key=_key(data.get("key"), f"{field}.key"),
        country=_country(data.get("country"), f"{field}.country"),
        language=_language(data.get("language"), f"{field}.language"),
        region=_free_text(data.get("region"), f"{field}.region"),
        keywords=keywords,
        label=_free_text(data.get("label"), f"{field}.label"),
    )
    if not (segment.country or segment.language or segment.region or segment.keywords):
        raise InvalidInput("a segment needs at least one of country, language, region or keywords", field=field)
    return segment


def validate_segments(items: Sequence[Mapping[str, object]]) -> list[Segment]:
    """Validate the segments of a campaign: at least one, keys unique."""
    if not items:
        raise InvalidInput("a campaign needs at least one segment", field="segments")
    segments = [validate_segment(item, field=f"segments[{i}]") for i, item in enumerate(items)]
    _refuse_duplicate_keys([s.key for s in segments], "segments")
    return segments


def validate_variant(data: Mapping[str, object], *, field: str = "variant") -> Variant:
    """Validate one message variant (messenger type, format, language)."""
    _refuse_unknown_fields(data, VARIANT_FIELDS, field)
    control = data.get("control", False)
    if not isinstance(control, bool):
        raise InvalidInput("control must be true or false", field=f"{field}.control")
    return Variant(
        key=_key(data.get("key"), f"{field}.key"),
        messenger=_choice(MessengerType, data.get("messenger"), f"{field}.messenger"),
        format=_choice(MessageFormat, data.get("format"), f"{field}.format"),
        control=control,
        language=_language(data.get("language"), f"{field}.language"),
        message=_optional_str(data.get("message"), f"{field}.message", limit=10_000),
        label=_free_text(data.get("label"), f"{field}.label"),
        content_url=_optional_str(data.get("content_url"), f"{field}.content_url", limit=2_000),
    )


def validate_variants(items: Sequence[Mapping[str, object]]) -> list[Variant]:
    """Validate the variants of a campaign: at least two, keys unique, exactly one control."""
    if len(items) < 2:
        raise InvalidInput("a campaign needs a control and at least one other variant", field="variants")
    variants = [validate_variant(item, field=f"variants[{i}]") for i, item in enumerate(items)]
    _refuse_duplicate_keys([v.key for v in variants], "variants")
    controls = [v.key for v in variants if v.control]
    if len(controls) != 1:
        raise InvalidInput(
            f"exactly one variant must be the control; found {len(controls)}",
            field="variants",
            controls=controls,
        )
    return variants


def control_of(variants: Sequence[Variant]) -> Variant:
    """The control variant of an already validated list."""
    return next(v for v in variants if v.control)


def check_fields(data: Mapping[str, object], allowed: frozenset[str], field: str = "") -> None:
    """Refuse any field outside ``allowed``; targeting of individuals or special categories says so."""
    _refuse_unknown_fields(data, allowed, field)


def check_keywords(value: object, field: str) -> tuple[str, ...]:
    """Context keywords: a list of non-empty strings that name no person, account, address or number."""
    return _keywords(value, field)


def check_language(value: object, field: str) -> str | None:
    """An optional ISO 639-1 code, lower-cased."""
    return _language(value, field)


def personal_identifier(text: str) -> str | None:
    """What kind of personal identifier ``text`` contains (e-mail, handle, phone number), if any."""
    return _identifier_kind(text, links=False)


def _refuse_unknown_fields(data: Mapping[str, object], allowed: frozenset[str], field: str) -> None:
    for name in data:
        if name in allowed:
            continue
        path = f"{field}.{name}" if field else str(name)
        tokens = set(re.split(r"[^a-z0-9]+", str(name).lower()))
        if tokens & _INDIVIDUAL_TOKENS:
            raise InvalidInput(
                f"'{name}' targets individuals; campaigns may address only language, country, region and "
                "context keywords, never particular people",
                field=path,
            )
        if tokens & _SPECIAL_TOKENS:
            raise InvalidInput(
                f"'{name}' is a special category of personal data; DSA Art. 26(3) forbids targeting by "
                "religion, ethnicity, political views, health or sexual orientation",
                field=path,
            )
        raise InvalidInput(f"unknown field '{name}'; allowed: {', '.join(sorted(allowed))}", field=path)


def _refuse_duplicate_keys(keys: list[str], field: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InvalidInput(f"duplicate key '{key}'", field=field)
        seen.add(key)


def _key(value: object, field: str) -> str:
    if not isinstance(value, str) or not _KEY_RE.match(value):
        raise InvalidInput("a key is 1-64 characters of lower-case letters, digits, '-' and '_'", field=field)
    return value


def _country(value: object, field: str) -> str | None:
    if value is None:
        return None
    code = value.upper() if isinstance(value, str) else ""
    if code in COUNTRY_CODES:
        return code
    hint = f" (did you mean {_COUNTRY_HINTS[code]}?)" if code in _COUNTRY_HINTS else ""
    raise InvalidInput(f"country must be an ISO 3166-1 alpha-2 code{hint}", field=field)


def _language(value: object, field: str) -> str | None:
    if value is None:
        return None
    code = value.lower() if isinstance(value, str) else ""
    if code not in LANGUAGE_CODES:
        raise InvalidInput("language must be an ISO 639-1 two-letter code", field=field)
    return code


def _choice(enum: type[_E], value: object, field: str) -> _E:
    values = {member.value: member for member in enum}
    if isinstance(value, str) and value in values:
        return values[value]
    raise InvalidInput(f"must be one of: {', '.join(values)}", field=field)


def _optional_str(value: object, field: str, *, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"must be a string of at most {limit} characters", field=field)
    return value


def _free_text(value: object, field: str) -> str | None:
    """Short descriptive text that must not smuggle in a way to reach a particular person."""
    text = _optional_str(value, field, limit=MAX_TEXT)
    if text is not None:
        _refuse_identifier(text, field)
    return text


def _keywords(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > MAX_KEYWORDS:
        raise InvalidInput(f"keywords must be a list of at most {MAX_KEYWORDS} strings", field=field)
    keywords: list[str] = []
    for i, item in enumerate(value):
        text = _optional_str(item, f"{field}[{i}]", limit=MAX_TEXT)
        if not text or not text.strip():
            raise InvalidInput("a keyword must be a non-empty string", field=f"{field}[{i}]")
        _refuse_identifier(text, f"{field}[{i}]")
        keywords.append(text.strip())
    return tuple(keywords)


def _refuse_identifier(text: str, field: str) -> None:
    """Context keywords describe what people search for, never who they are."""
    what = _identifier_kind(text)
    if what:
        raise InvalidInput(f"looks like {what}; campaigns must not target or track individuals", field=field)


def _identifier_kind(text: str, *, links: bool = True) -> str | None:
    if _EMAIL_RE.search(text):
        return "an e-mail address"
    if _HANDLE_RE.search(text):
        return "an account handle"
    if links and _URL_RE.search(text):
        return "a link (possibly to a profile)"
    for match in _PHONE_RE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= PHONE_MIN_DIGITS:
            return "a phone number"
    return None
