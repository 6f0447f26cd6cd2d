"""A provider's public contact point for removal orders (TCO Art. 15) on the wire."""

from __future__ import annotations

from pydantic import Field

from accord.web.schemas.common import Out


class ContactPointOut(Out):
    provider_id: str
    name: str
    country: str | None = Field(description="Member State of main establishment (ISO 3166-1 alpha-2)")
    email: str | None
    phone: str | None
    languages: list[str] = Field(description="Union languages (ISO 639-1) orders may be written in")
    establishment_languages: list[str] = Field(description="Official Union languages of the establishment state")
    includes_establishment_language: bool | None = Field(
        description="TCO Art. 15(2): one accepted language is the establishment state's; null outside the Union")
