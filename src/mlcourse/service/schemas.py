"""The service's request and response models: the API contract, in pydantic.

A request describes one *ungraded* card listing with the inputs of the shared features
(``mlcourse.features.INPUT_COLUMNS`` minus the grading fields, which the service sets:
the model prices the capstone's population, ungraded marketplace listings). Allowed
values come from the data dictionary (``mlcourse.reference``); every rule gives a
message naming its field, so a caller can fix a request without reading our code.

Numbers and flags are strict: an integer field takes ``95``, not ``"95"`` and not
``95.0``, and a flag takes ``true``, not ``"yes"`` or ``1``. A client that sends a pandas
float column gets a 422 that says how to fix it (the choice, and its reasons, are in
Module 5, section 4).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from mlcourse import reference as ref
from mlcourse.dataset import WINDOW_START

MAX_BATCH = 1_000
"""Most listings one batch request may carry (a bigger batch gets a 422)."""

EARLIEST_LISTING_DATE = WINDOW_START.date()
LATEST_LISTING_DATE = dt.date(2030, 12, 31)
EARLIEST_RELEASE_DATE = dt.date(1999, 1, 1)
STAT_RANGE = (0, 1000)  # the clean-listings contract; Defense 0 means "not recorded"
CARD_NUMBER_RANGE = (1, 500)

Era = Literal[tuple(ref.ERA_ORDER)]
Rarity = Literal[tuple(ref.RARITY_ORDER)]
Finish = Literal[tuple(ref.FINISHES)]
Language = Literal[tuple(ref.LANGUAGES)]
Condition = Literal[tuple(ref.CONDITIONS)]
Supertype = Literal["Pokemon", "Trainer", "Energy"]
PokemonType = Literal[tuple(ref.POKEMON_TYPES)]

POKEMON_ONLY_FIELDS = ("pokemon_type", "hp", "attack", "defense", "speed", "base_stat_total", "generation")


def _iso_date(value: Any) -> Any:
    """Accept a date or a 'YYYY-MM-DD' string; refuse numbers (no silent epoch conversion)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date written YYYY-MM-DD, got {value[:40]!r}") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got a {type(value).__name__}")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Stat = Annotated[int | None, Field(strict=True, ge=STAT_RANGE[0], le=STAT_RANGE[1])]
Flag = Annotated[bool, Field(strict=True)]


# The rules across fields (CardListing._fields_agree), written into the JSON schema so that a
# client generated from GET /openapi.json knows them: JSON Schema can say the last three with
# if/then; the first (one date after another) it cannot, so the description says it.
CROSS_FIELD_RULES = [
    "release_date is on or before listing_date (a card cannot be listed before its set is released).",
    "A Pokemon card (supertype Pokemon) has a pokemon_type.",
    "A Trainer or Energy card has no pokemon_type, hp, attack, defense, speed, base_stat_total or generation "
    "(absent or null).",
    "first_edition is true only for a Wizards-era card (era wotc).",
]
_NULL = {"type": "null"}
CROSS_FIELD_SCHEMA = [
    {"if": {"properties": {"supertype": {"const": "Pokemon"}}, "required": ["supertype"]},
     "then": {"required": ["pokemon_type"], "properties": {"pokemon_type": {"not": _NULL}}},
     "else": {"properties": {name: _NULL for name in POKEMON_ONLY_FIELDS}}},
    {"if": {"properties": {"first_edition": {"const": True}}, "required": ["first_edition"]},
     "then": {"properties": {"era": {"const": "wotc"}}}},
]

LISTING_DESCRIPTION = ("One ungraded card listing to price.\n\nRules across fields (a request that breaks one is "
                       "answered 422 naming the field):\n" + "\n".join(f"- {rule}" for rule in CROSS_FIELD_RULES))


class CardListing(BaseModel):
    """One ungraded card listing to price."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"description": LISTING_DESCRIPTION, "allOf": CROSS_FIELD_SCHEMA, "examples": [{
            "listing_date": "2024-06-01", "release_date": "2021-08-27", "era": "swsh",
            "rarity": "Secret Rare", "finish": "holofoil", "language": "English", "condition": "NM",
            "supertype": "Pokemon", "pokemon_type": "Dark", "hp": 95, "attack": 65, "defense": 110,
            "speed": 65, "base_stat_total": 525, "generation": 2, "card_number": 215,
            "is_legendary": False, "is_mythical": False, "is_alt_art": True, "first_edition": False,
        }]},
    )

    listing_date: IsoDate = Field(description="Day the listing goes live, YYYY-MM-DD "
                                              f"({EARLIEST_LISTING_DATE} to {LATEST_LISTING_DATE}); the model "
                                              "prices only dates inside its pricing window (GET /model).")
    release_date: IsoDate = Field(description="Release date of the card's set, YYYY-MM-DD, "
                                              "on or before listing_date.")
    era: Era
    rarity: Rarity
    finish: Finish
    language: Language
    condition: Condition = Field(description="Condition of the ungraded card: NM, LP, MP, HP or DMG.")
    supertype: Supertype
    pokemon_type: PokemonType | None = Field(default=None, description="Required for a Pokemon card; absent "
                                                                       "otherwise.")
    hp: Stat = None
    attack: Stat = None
    defense: Stat = Field(default=None, description="0 means 'not recorded' at the source (allowed).")
    speed: Stat = None
    base_stat_total: Annotated[int | None, Field(strict=True, ge=100, le=800)] = None
    generation: Annotated[int | None, Field(strict=True, ge=1, le=9)] = None
    card_number: Annotated[int, Field(strict=True, ge=CARD_NUMBER_RANGE[0], le=CARD_NUMBER_RANGE[1])]
    is_legendary: Flag = False
    is_mythical: Flag = False
    is_alt_art: Flag = False
    first_edition: Flag = Field(default=False,
                                description="1st Edition stamp; only Wizards-era (wotc) sets printed one.")

    @field_validator("listing_date")
    @classmethod
    def _listing_date_in_range(cls, value: dt.date) -> dt.date:
        if not EARLIEST_LISTING_DATE <= value <= LATEST_LISTING_DATE:
            raise ValueError(f"must be between {EARLIEST_LISTING_DATE} and {LATEST_LISTING_DATE}, got {value}")
        return value

    @field_validator("release_date")
    @classmethod
    def _released_after_the_first_set(cls, value: dt.date) -> dt.date:
        if value < EARLIEST_RELEASE_DATE:
            raise ValueError(f"must be on or after {EARLIEST_RELEASE_DATE} (the first set), got {value}")
        return value

    @model_validator(mode="after")
    def _fields_agree(self) -> CardListing:
        """The rules across fields, checked once each field is valid on its own; each error names its field.

        One check per listing rather than one validator per field: a batch of 1,000 listings
        then makes a few thousand fewer Python calls.
        """
        problems: list[tuple[str, str, Any]] = []
        if self.release_date > self.listing_date:
            problems.append(("release_date", f"{self.release_date} is after listing_date {self.listing_date}: a "
                             "card cannot be listed before its set is released", self.release_date.isoformat()))
        if self.supertype == "Pokemon":
            if self.pokemon_type is None:
                problems.append(("pokemon_type", "is required for a Pokemon card", None))
        else:
            for name in POKEMON_ONLY_FIELDS:
                value = getattr(self, name)
                if value is not None:
                    problems.append((name, f"must be absent (null) for a {self.supertype} card, got {value!r}", value))
        if self.first_edition and self.era != "wotc":
            problems.append(("first_edition", "only Wizards-era (wotc) sets printed a 1st Edition; era is "
                             f"{self.era!r}", True))
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, [
                InitErrorDetails(type=PydanticCustomError("value_error", "{message}", {"message": message}),
                                 loc=(name,), input=value)
                for name, message, value in problems])
        return self


class BatchRequest(BaseModel):
    """Up to MAX_BATCH listings priced in one call."""

    model_config = ConfigDict(extra="forbid")
    listings: list[CardListing] = Field(min_length=1, max_length=MAX_BATCH,
                                        description=f"1 to {MAX_BATCH:,} listings.")


class PricePrediction(BaseModel):
    """The price of one listing, with a prediction interval and the model that made it."""

    price_usd: float = Field(description="Predicted price (the median: half of such listings sell for more).")
    lower_usd: float = Field(description="Lower end of the prediction interval.")
    upper_usd: float = Field(description="Upper end of the prediction interval.")
    interval_level: float = Field(description="Share of listings whose price falls in such an interval, "
                                              "measured on held-out listings at training time.")
    model_version: str


class PricedListing(BaseModel):
    price_usd: float
    lower_usd: float
    upper_usd: float


class BatchPrediction(BaseModel):
    """Prices of a batch, in the order of the request."""

    predictions: list[PricedListing]
    interval_level: float
    model_version: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class LogStatus(BaseModel):
    """The request log since the service started: what was logged, and what did not reach its file or stdout."""

    records: int = Field(description="Requests logged (each one also kept in memory, the latest first to go).")
    dropped: int = Field(description="Lines dropped because a destination was not keeping up (a stdout nobody reads).")
    lost: int = Field(description="Lines a write failed for (a full disk, an I/O error).")


class Readiness(BaseModel):
    ready: bool
    model_version: str
    detail: str


class FieldError(BaseModel):
    """One problem with a request, named by its field."""

    field: str = Field(description="Dotted path of the field, e.g. 'rarity' or 'listings[3].hp'.")
    msg: str
    type: str
    loc: list[str | int]
    input: str | int | float | bool | None = None


class ErrorResponse(BaseModel):
    """Every error the service answers (404, 405, 413, 422, 500): a summary, and one entry per bad field."""

    message: str
    detail: list[FieldError] = Field(description="One entry per problem; empty when no field is to blame.")


class ModelInfo(BaseModel):
    """What the service's model is, what it was trained on, and how good it was."""

    model_version: str
    model_type: str
    n_trees: int
    trained_rows: int
    training_data_hash: str
    training_window: dict[str, str]
    features: list[str]
    known_categories: dict[str, list[str]]
    metrics: dict[str, float]
    interval_level: float
    pricing_window: dict[str, str | int] = Field(description="First and last listing date the model prices.")
    max_batch: int = MAX_BATCH
