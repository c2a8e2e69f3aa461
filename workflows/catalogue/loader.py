"""Load the bundled catalogue (and an optional price override file) once, checked with pydantic."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workflows.catalogue.errors import CatalogueInvalid
from workflows.catalogue.overrides import apply_price_overrides, read_price_overrides
from workflows.catalogue.schema import Catalogue

#: The bundled data file, shipped as package data beside this module.
CATALOGUE_FILE = "catalogue.yml"


@lru_cache(maxsize=8)
def load_catalogue(price_overrides: Path | None = None) -> Catalogue:
    """The catalogue, with prices replaced from ``price_overrides`` when given; read once per path."""
    catalogue = bundled_catalogue()
    if price_overrides is None:
        return catalogue
    return apply_price_overrides(catalogue, read_price_overrides(price_overrides, catalogue))


@lru_cache(maxsize=1)
def bundled_catalogue() -> Catalogue:
    """The catalogue shipped with the package, without overrides."""
    text = resources.files("workflows.catalogue").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return parse_catalogue(text)


def parse_catalogue(text: str) -> Catalogue:
    """Validate catalogue YAML; ``hyperparameter_sets`` are expanded into each model first."""
    try:
        raw = yaml.safe_load(text)
        return Catalogue.model_validate(_expand_sets(raw))
    except (yaml.YAMLError, ValidationError, ValueError) as exc:
        raise CatalogueInvalid(f"the bundled model catalogue is invalid: {exc}") from exc


def _expand_sets(raw: Any) -> Any:
    """Replace each model's ``hyperparameters: <set>`` (or ``{set, certainty, note}``) by the set's list."""
    if not isinstance(raw, dict) or "hyperparameter_sets" not in raw:
        return raw
    raw = dict(raw)
    sets = raw.pop("hyperparameter_sets")
    raw["models"] = [_with_set(model, sets) for model in raw.get("models", [])]
    return raw


def _with_set(model: Any, sets: dict[str, list[dict[str, Any]]]) -> Any:
    chosen = model.get("hyperparameters") if isinstance(model, dict) else None
    if isinstance(chosen, str):
        chosen = {"set": chosen}
    if not isinstance(chosen, dict):
        return model
    name = chosen["set"]
    if name not in sets:
        raise ValueError(f"model {model.get('id')}: unknown hyperparameter set {name!r}")
    marks = {key: chosen[key] for key in ("certainty", "note") if key in chosen}
    return {**model, "hyperparameters": [{**spec, **marks} for spec in sets[name]]}
