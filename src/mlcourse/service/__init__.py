"""The card price service: a real FastAPI inference service around the course's pricing model.

    uv run python -m mlcourse.service train     # train and save the model (a few seconds)
    uv run python -m mlcourse.service serve     # serve it on http://127.0.0.1:8000 (docs at /docs)

Modules: ``schemas`` (the API contract), ``model`` (training, safe saving, checked
loading), ``app`` (the FastAPI app factory), ``requestlog`` (one JSON line per request),
``latency`` (percentiles and a per-step breakdown), ``rollout`` (canary routing and A/B
arithmetic), ``runner`` (start and stop a real server, for tests, benchmarks and notebooks).
"""

from mlcourse.service.app import create_app
from mlcourse.service.model import ModelLoadError, PricingModel, TrainingConfig, load_model, load_or_train, train_model

__all__ = ["ModelLoadError", "PricingModel", "TrainingConfig", "create_app", "load_model", "load_or_train",
           "train_model"]
