"""The learned decisions: which candidate attributions the rules proposed are attributions, and
which boundary of a kept one's content (boundaries.py) is right.

Two logistic regressions over the features of features.py, trained on PolNeAR train
by `make train` (bench/train_cue_model.py) and shipped as plain JSON weights
(cue_model.json, its data card cue_model.md beside it). Applying it is a sum and a
sigmoid: no scikit-learn, no pickle at run time.
"""
from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

MODEL_PATH = Path(__file__).with_name("cue_model.json")
FORMAT = "kg-cue-model/2"
REBUILD = "rebuild it with `make train`"


class CueModelError(KgError, RuntimeError):
    """The attribution model file is missing or unreadable."""


@dataclass(frozen=True)
class CueModel:
    weights: dict[str, float]  # is the cue an attribution (the features of its rules' own variant)
    threshold: float
    boundary: dict[str, float]  # how right a variant's content is, against the cue's other variants

    def probability(self, features: dict[str, float]) -> float:
        z = _dot(self.weights, features)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def keeps(self, features: dict[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def boundary_score(self, features: dict[str, float]) -> float:
        return _dot(self.boundary, features)


def _dot(weights: dict[str, float], features: dict[str, float]) -> float:
    return sum(weights.get(name, 0.0) * value for name, value in features.items())


def from_dict(data: dict, where: str = "model") -> CueModel:
    """A model from its JSON object; CueModelError when a part is missing or mistyped."""
    try:
        if data["format"] != FORMAT:
            raise ValueError(f"format {data['format']!r}, expected {FORMAT!r}")
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        boundary = {str(k): float(v) for k, v in data["boundary"].items()}
        threshold = float(data["threshold"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CueModelError(f"{where}: not a valid attribution model ({exc}); {REBUILD}") from None
    return CueModel(weights, threshold, boundary)


@functools.lru_cache(maxsize=None)
def load(path: str | None = None) -> CueModel:
    """The shipped model, or the file KG_CUE_MODEL names (read once per process)."""
    path = Path(path or os.environ.get("KG_CUE_MODEL") or MODEL_PATH)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CueModelError(f"{path}: attribution model missing; {REBUILD}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CueModelError(f"{path}: attribution model unreadable ({type(exc).__name__}); {REBUILD}") from None
    return from_dict(data, str(path))
