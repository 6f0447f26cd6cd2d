"""/v1/campaigns: counter-narrative campaigns, their figures, impact, allocation and published lessons."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from accord.identity.service import Principal
from accord.narratives import lessons as lesson_service
from accord.narratives import service
from accord.narratives.models import Campaign
from accord.web.deps import ClockDep, Scoped, SessionDep
from accord.web.schemas.narratives import (
    AllocationOut,
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    ExperimentIn,
    FigureRow,
    FiguresIn,
    ImpactOut,
    ImportOut,
    LessonListOut,
    LessonOut,
    PublishIn,
    RedirectRuleIn,
    RedirectRuleOut,
    SampleSizeOut,
    SegmentIn,
    SegmentOut,
    VariantIn,
    VariantOut,
)

router = APIRouter(prefix="/v1", tags=["campaigns"])
Reader = Annotated[Principal, Depends(Scoped("campaigns:read"))]
Writer = Annotated[Principal, Depends(Scoped("campaigns:write"))]
PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}}, "description": "A PNG chart."}}


def _writer(principal: Principal) -> Principal:
    principal.require_role("admin", "analyst", "submitter", "reviewer")
    return principal


def _detail(session: Session, campaign: Campaign) -> CampaignDetailOut:
    return CampaignDetailOut.model_validate({
        **CampaignOut.model_validate(campaign).model_dump(),
        "variants": [VariantOut.model_validate(v.to_dict()) for v in service.variants_of(session, campaign.id)],
        "segments": [SegmentOut.model_validate(s.to_dict()) for s in service.segments_of(session, campaign.id)],
        "published": lesson_service.lesson_of(session, campaign.id) is not None,
    })


@router.get("/campaigns/sample-size")
def sample_size(
    principal: Reader,
    control_rate: Annotated[float, Query(description="Current rate, e.g. 0.02")],
    variant_rate: Annotated[float, Query(description="Rate to detect, e.g. 0.024")],
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> SampleSizeOut:
    """Impressions per arm to detect a change: 2.0% → 2.4% needs about 21,000 per arm."""
    return SampleSizeOut.model_validate(
        service.sample_size(control_rate, variant_rate, alpha=alpha, power=power, ratio=ratio)
    )


@router.get("/library/lessons")
def library(principal: Reader, session: SessionDep) -> list[LessonListOut]:
    """Every campaign's published lessons on this instance (anonymised)."""
    return [LessonListOut.model_validate(lesson) for lesson in lesson_service.list_lessons(session)]


@router.get("/library/lessons/{ref}")
def lesson(ref: str, principal: Reader, session: SessionDep) -> LessonOut:
    """One published lesson, by campaign id or lesson id; an unpublished campaign is 404."""
    return LessonOut.model_validate(lesson_service.get_lesson(session, ref))


@router.post("/campaigns", status_code=201)
def create_campaign(body: CampaignIn, principal: Writer, session: SessionDep, clock: ClockDep) -> CampaignDetailOut:
    """Create a campaign (civil-society, authority and provider organisations only)."""
    _writer(principal)
    campaign = service.create_campaign(session, clock, principal.actor, org_id=principal.org_id,
                                       data=body.model_dump(exclude_unset=True))
    return _detail(session, campaign)


@router.get("/campaigns")
def list_campaigns(principal: Reader, session: SessionDep) -> list[CampaignOut]:
    """The organisation's campaigns, newest first."""
    return [CampaignOut.model_validate(c) for c in service.list_campaigns(session, principal.org_id)]


@router.get("/campaigns/{campaign_id}")
def get_campaign(campaign_id: str, principal: Reader, session: SessionDep) -> CampaignDetailOut:
    """One of the organisation's campaigns with its variants and segments."""
    return _detail(session, service.get_campaign(session, principal.org_id, campaign_id))


@router.post("/campaigns/{campaign_id}/variants", status_code=201)
def add_variant(campaign_id: str, body: VariantIn, principal: Writer, session: SessionDep,
                clock: ClockDep) -> VariantOut:
    """Add a variant: key, messenger, format, language, message, label, content_url."""
    _writer(principal)
    variant = service.add_variant(session, clock, principal.actor, org_id=principal.org_id,
                                  campaign_id=campaign_id, data=body.model_dump(exclude_unset=True))
    return VariantOut.model_validate(variant.to_dict())


@router.post("/campaigns/{campaign_id}/segments", status_code=201)
def add_segment(campaign_id: str, body: SegmentIn, principal: Writer, session: SessionDep,
                clock: ClockDep) -> SegmentOut:
    """Add an audience segment: key, country, language, region, keywords, label."""
    _writer(principal)
    segment = service.add_segment(session, clock, principal.actor, org_id=principal.org_id,
                                  campaign_id=campaign_id, data=body.model_dump(exclude_unset=True))
    return SegmentOut.model_validate(segment.to_dict())


@router.get("/campaigns/{campaign_id}/redirects")
def redirect_rules(campaign_id: str, principal: Reader, session: SessionDep) -> list[RedirectRuleOut]:
    """The campaign's redirect rules."""
    rules = service.list_redirect_rules(session, principal.org_id, campaign_id)
    return [RedirectRuleOut.model_validate(rule) for rule in rules]


@router.post("/campaigns/{campaign_id}/redirects", status_code=201)
def add_redirect_rule(campaign_id: str, body: RedirectRuleIn, principal: Writer, session: SessionDep,
                      clock: ClockDep) -> RedirectRuleOut:
    """Map risk keywords to counter-content: keywords, language, variant and/or url."""
    _writer(principal)
    rule = service.add_redirect_rule(session, clock, principal.actor, org_id=principal.org_id,
                                     campaign_id=campaign_id, data=body.model_dump(exclude_unset=True))
    return RedirectRuleOut.model_validate(rule)


@router.get("/campaigns/{campaign_id}/redirects/match")
def match_redirect(campaign_id: str, principal: Reader, session: SessionDep,
                   q: Annotated[str, Query(max_length=500)], language: str | None = None) -> RedirectRuleOut | None:
    """The rule a search query triggers, or null."""
    rule = service.match_redirect(session, principal.org_id, campaign_id, q, language)
    return None if rule is None else RedirectRuleOut.model_validate(rule)


@router.put("/campaigns/{campaign_id}/experiment")
def register_experiment(campaign_id: str, body: ExperimentIn, principal: Writer, session: SessionDep,
                        clock: ClockDep) -> CampaignOut:
    """Pre-register the experiment design; refused (409) once figures have come in."""
    _writer(principal)
    campaign = service.register_experiment(session, clock, principal.actor, org_id=principal.org_id,
                                           campaign_id=campaign_id, data=body.model_dump(exclude_unset=True))
    return CampaignOut.model_validate(campaign)


@router.post("/campaigns/{campaign_id}/figures")
def import_figures(
    campaign_id: str,
    body: Annotated[list[FigureRow] | FiguresIn, Body()],
    principal: Writer,
    session: SessionDep,
    clock: ClockDep,
) -> ImportOut:
    """Upsert daily figures by (date, variant, segment); every problem comes back at once under ``problems``."""
    _writer(principal)
    items: list[Any] = list(body.rows if isinstance(body, FiguresIn) else body)
    result = service.import_figures_json(session, clock, principal.actor, org_id=principal.org_id,
                                         campaign_id=campaign_id, items=items)
    return ImportOut.model_validate(result.to_dict())


@router.get("/campaigns/{campaign_id}/impact")
def impact(campaign_id: str, principal: Reader, session: SessionDep) -> ImpactOut:
    """Per variant and segment: impressions, clicks, rate, Wilson 95% interval, P(beats control), and more."""
    return ImpactOut.model_validate(service.impact(session, principal.org_id, campaign_id))


@router.get("/campaigns/{campaign_id}/allocation")
def allocation(campaign_id: str, principal: Reader, session: SessionDep) -> AllocationOut:
    """Traffic shares for the next period (fixed control share, minimum share per active arm)."""
    return AllocationOut.model_validate(service.allocation(session, principal.org_id, campaign_id))


@router.get("/campaigns/{campaign_id}/charts/{name}.png", responses=PNG, response_class=Response)
def chart(campaign_id: str, name: str, principal: Reader, session: SessionDep) -> Response:
    """A chart of the impact: ``rates``, ``messengers`` or ``formats``."""
    png = service.chart(session, principal.org_id, campaign_id, name)
    return Response(png, media_type="image/png")


@router.post("/campaigns/{campaign_id}/publish", status_code=201)
def publish(campaign_id: str, body: PublishIn, principal: Writer, session: SessionDep,
            clock: ClockDep) -> LessonOut:
    """Publish anonymised results and lessons to every organisation on this instance."""
    _writer(principal)
    lesson_row = lesson_service.publish(session, clock, principal.actor, org_id=principal.org_id,
                                 campaign_id=campaign_id, title=body.title, lessons=body.lessons,
                                 name_organisation=body.name_organisation)
    return LessonOut.model_validate(lesson_row)
