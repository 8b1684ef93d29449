"""``POST /estimate``: a price estimate for the seller's listing form.

The listing form on the marketplace sends what the seller typed: numbers often arrive as
text ("95"), and sellers skip the fields they do not know. ``/predict`` answers such a
request with a 422, and the form then shows no estimate at all. This endpoint is lenient
instead: it converts what it can and fills the fields a seller skipped with their most
common value, so the seller always sees a price.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI

from mlcourse.service.model import listings_columns

FORM_DEFAULTS: dict[str, Any] = {
    "condition": "NM",
    "language": "English",
    "finish": "normal",
    "is_legendary": False,
    "is_mythical": False,
    "is_alt_art": False,
    "first_edition": False,
}
NUMBER_FIELDS = ("hp", "attack", "defense", "speed", "base_stat_total", "generation", "card_number")
DATE_FIELDS = ("listing_date", "release_date")


def add_estimate_endpoint(app: FastAPI, service: Any) -> None:
    """Register ``POST /estimate`` on the service's app."""

    @app.post("/estimate")
    def estimate(form: dict[str, Any]) -> dict[str, Any]:
        """Estimate the price of a listing from the seller's form."""
        listing = {**FORM_DEFAULTS, **form}
        listing.setdefault("listing_date", dt.date.today().isoformat())
        for name in NUMBER_FIELDS:
            if listing.get(name) is not None:
                listing[name] = int(listing[name])  # the form sends numbers as text
        for name in DATE_FIELDS:
            listing[name] = dt.date.fromisoformat(str(listing[name]))
        prices = service.model.predict_prices(listings_columns([listing]))
        return {"price_usd": round(float(prices["price_usd"][0]), 2),
                "model_version": service.model.version}
