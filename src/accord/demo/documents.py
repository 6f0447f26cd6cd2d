"""Demo data for documents: a publication banked as a PDF, and a forum post quoting a passage of it.

The publication is generated (sentences drawn from a fixed, harmless vocabulary by a seeded generator), so the
demo holds no real extremist text. The hub banks it as a PDF in "Publications (demo)"; ForumNest's user posts
a text that quotes about 300 of its words among their own; the post matches by ``text_containment`` and opens
a case whose review page shows the quoted passage beside the banked one, highlighted, with the share of the
publication found.
"""

from __future__ import annotations

import random

from fpdf import FPDF
from sqlalchemy.orm import Session

from accord.banks import service
from accord.banks.files import limits_for, signals_for_bank
from accord.banks.models import Visibility
from accord.banks.service import EntryDetails
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.matching import lookup
from accord.matching.service import Matcher
from accord.settings import Settings

_SUBJECTS = ("the movement", "our brothers", "the council", "every member", "the cell", "the reader", "the front")
_VERBS = ("must prepare", "will gather", "shall remember", "has to train", "should study", "can organise",
          "will travel", "must record")
_OBJECTS = ("the northern district", "the old market", "the river crossing", "the printed manual",
            "the secret meeting", "the next season", "the winter camp", "the signal fires", "the long march")
_TAILS = ("before the dawn", "without delay", "in silence", "as the elders said", "with great care",
          "for the cause", "when the time comes", "under the new moon")


def publication(seed: int = 2026, sentences: int = 260) -> str:
    """A fictional pamphlet of about 6,600 words, in paragraphs."""
    rng = random.Random(seed)  # noqa: S311  # demo text, reproducible on purpose
    lines = [f"Chapter {n // 20 + 1}, part {n % 20 + 1}: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
             f"{rng.choice(_OBJECTS)} {rng.choice(_TAILS)}, and {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
             f"{rng.choice(_OBJECTS)} {rng.choice(_TAILS)}." for n in range(sentences)]
    return "\n\n".join(" ".join(lines[i:i + 5]) for i in range(0, len(lines), 5))


def as_pdf(text: str, title: str) -> bytes:
    """The text laid out as a PDF with a text layer (fpdf2's core font: ASCII text only)."""
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, f"{title}\n\n{text}")
    return bytes(pdf.output())


def forum_post(text: str) -> str:
    """A user's post quoting about 300 words of the publication between words of their own."""
    words = text.split()
    quote = " ".join(words[800:1100])
    return (f"Has anyone else read this? Found it on a channel last night, here is the part everyone shares:\n\n"
            f"> {quote}\n\nI don't know what to make of it, posting it here so people can discuss it. Reply below.")


def _principal(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed",
                     scopes=frozenset({"banks:read", "banks:write", "match"}))


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """The hub's publication bank with one PDF, and ForumNest's post quoting it (a text match and its case)."""
    hub, forum = (_principal(world.orgs[slug]) for slug in ("hub", "forumnest"))
    limits = limits_for(settings)
    bank = service.create_bank(session, clock, hub, name="Publications (demo)", visibility=Visibility.ALL,
                               description="Branded publications and manifestos, as text signals (md5, TLSH, "
                                           "containment).")
    text = publication()
    details = EntryDetails(labels=["radicalisation_recruitment_instruction"], entity="Example Front (demo)",
                           list_source="eu", note="issue 1 of the front's magazine (fictional)")
    service.add_entries(session, clock, hub, bank, signals_for_bank(as_pdf(text, "Example Front, issue 1"), limits),
                        details)
    upload = lookup.signals_of_upload(forum_post(text).encode(), limits)
    lookup.match_content(session, clock, Matcher(), forum, upload, decide=world.decide)
