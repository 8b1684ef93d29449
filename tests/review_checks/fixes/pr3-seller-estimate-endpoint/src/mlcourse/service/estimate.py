"""``POST /estimate``: a price estimate for the seller's listing form (fixed version).

Numbers typed as digits are read as integers; everything else goes through the service's
contract (``CardListing``), so a bad or missing field gets the same 422 as on ``/predict``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from mlcourse.service.model import listings_columns
from mlcourse.service.schemas import CardListing

NUMBER_FIELDS = ("hp", "attack", "defense", "speed", "base_stat_total", "generation", "card_number")


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    return {name: int(value) if name in NUMBER_FIELDS and isinstance(value, str) and value.strip().isdigit()
            else value for name, value in form.items()}


def add_estimate_endpoint(app: FastAPI, service: Any) -> None:
    """Register ``POST /estimate`` on the service's app."""

    @app.post("/estimate")
    def estimate(form: dict[str, Any]) -> dict[str, Any]:
        """Estimate the price of a listing from the seller's form."""
        try:
            listing = CardListing.model_validate(_typed(form))
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
        prices = service.model.predict_prices(listings_columns([listing]))
        return {"price_usd": round(float(prices["price_usd"][0]), 2), "model_version": service.model.version}
