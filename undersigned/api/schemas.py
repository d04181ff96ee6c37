"""What the API answers, as pydantic models: the OpenAPI document is generated from these,
and the schema fuzz test checks every answer against it."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

Slug = Field(max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")
State = Literal["open", "closed", "delivered"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Organiser(Schema):
    slug: str
    name: str
    names: dict[str, str] = Field(description="The name in other languages, by code.")
    website: str


class TargetOut(Schema):
    slug: str
    name: str
    names: dict[str, str]
    kind: str


class DeliveryTextOut(Schema):
    language: str
    recipients: str
    note: str = Field(description="Markdown.")


class DeliveryOut(Schema):
    delivered_on: date
    method: str
    texts: list[DeliveryTextOut]


class PetitionTextOut(Schema):
    language: str
    title: str
    summary: str
    body: str = Field(description="Markdown.")
    pledge_heading: str
    pledge: str


class PetitionOut(Schema):
    slug: str
    url: str
    state: State
    original_language: str
    texts: list[PetitionTextOut]
    targets: list[TargetOut]
    organiser: Organiser
    count: int = Field(ge=0)
    goal: int = Field(ge=0)
    opens_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    delivery: DeliveryOut | None


class LetterTextOut(Schema):
    language: str
    slug: str
    url: str
    title: str
    summary: str
    body: str = Field(description="Markdown.")


class LetterOut(Schema):
    slug: str
    url: str
    state: State
    language: str
    texts: list[LetterTextOut]
    targets: list[TargetOut]
    organiser: Organiser
    count: int = Field(ge=0, description="Approved signatory organisations.")
    place: str
    dated: date | None
    created_at: datetime
    closed_at: datetime | None
    delivery: DeliveryOut | None


class SignatoryOut(Schema):
    number: int = Field(ge=1)
    name: str
    country: str
    website: str
    networks: list[str] = Field(description="Footnote markers, e.g. *.")


class NetworkOut(Schema):
    marker: str
    name: str
    names: dict[str, str]


class CountOut(Schema):
    slug: str
    count: int = Field(ge=0)


class PetitionPage(Schema):
    items: list[PetitionOut]
    next_cursor: str | None


class LetterPage(Schema):
    items: list[LetterOut]
    next_cursor: str | None


class SignatoryPage(Schema):
    items: list[SignatoryOut]
    networks: list[NetworkOut]
    next_cursor: str | None
