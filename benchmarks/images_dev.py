"""Development study for image feature extraction: choices made WITHOUT the test images.

The Fashion-MNIST test split is what benchmarks/images.py reports; choosing options on it
would overstate them. This script holds out 2,000 images of the Fashion-MNIST *training*
split (drawn once with seed 999) and, for each label budget k and seed (100+), draws k
labelled images per class from the rest of the training split. Every variant of
``feature_extraction`` sees the same images; the variants are graft's own options, run
through ``TransferClassifier`` as a user would.

Results go to ``benchmarks/results/images_dev.json`` (one record per k x seed x variant,
resumable); ``render.py`` puts them in RESULTS.md. Embeddings are cached by graft.

Usage: python benchmarks/images_dev.py [--k 10 50] [--seeds 100 101 102 103 104]
       [--variants ...]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from graft.data.io import write_json

RESULTS = Path(__file__).parent / "results"
DEV_SIZE = 2000
DEV_SEED = 999

_PREVIOUS = {"head": "logistic", "baseline_blend": 0.0, "tta": "none"}
"""feature_extraction as graft shipped it before this study."""
_EFF, _MOB = "efficientnet-lite0", "mobilenet-v2"
VARIANTS = {
    "previous": (_EFF, _PREVIOUS),
    "normalized_head": (_EFF, {**_PREVIOUS, "head": "normalized_logistic"}),
    "normalized_head_tta_flip": (_EFF, {**_PREVIOUS, "head": "normalized_logistic", "tta": "flip"}),
    "normalized_head_blend_auto": (_EFF, {"tta": "none", "baseline_blend": "auto"}),
    "normalized_head_blend_auto_tta_flip": (_EFF, {"tta": "flip", "baseline_blend": "auto"}),
    "normalized_head_blend_auto_tta_flip_shift": (
        _EFF,
        {"tta": "flip_shift", "baseline_blend": "auto"},
    ),
    "raw_head_blend_auto": (_EFF, {**_PREVIOUS, "baseline_blend": "auto"}),
    "normalized_head_blend0.3": (_EFF, {"tta": "none", "baseline_blend": 0.3}),
    "normalized_head_blend0.3_tta_flip": (_EFF, {"tta": "flip", "baseline_blend": 0.3}),
    "normalized_head_blend0.3_tta_flip_shift": (_EFF, {"tta": "flip_shift", "baseline_blend": 0.3}),
    "raw_head_blend0.3": (_EFF, {**_PREVIOUS, "baseline_blend": 0.3}),
    "mobilenet_previous": (_MOB, _PREVIOUS),
    "mobilenet_normalized_head_blend_auto_tta_flip": (
        _MOB,
        {"tta": "flip", "baseline_blend": "auto"},
    ),
    "mobilenet_normalized_head_blend0.3_tta_flip": (_MOB, {"tta": "flip", "baseline_blend": 0.3}),
}
"""Variants of feature_extraction: the new image defaults are ``normalized_head_blend0.3_tta_flip``
(head None = normalized_logistic, baseline_blend 0.3, tta "flip")."""


def dev_split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(held-out dev rows, pool rows) of the Fashion-MNIST training split."""
    rng = np.random.RandomState(DEV_SEED)
    dev = np.sort(rng.choice(len(labels), DEV_SIZE, replace=False))
    return dev, np.setdiff1d(np.arange(len(labels)), dev)


def _train_rows(labels: np.ndarray, pool: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return np.concatenate(
        [rng.choice(pool[labels[pool] == c], k, replace=False) for c in np.unique(labels)]
    )


def _save(path: Path, records: list[dict]) -> None:
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "torch_threads": os.environ.get("GRAFT_NUM_THREADS", "all cores"),
        "dev_size": DEV_SIZE,
        "dev_seed": DEV_SEED,
        "split": "Fashion-MNIST training split only (the test split is never read)",
    }
    write_json({"meta": meta, "records": records}, path)  # atomic


def run(ks, seeds, variants) -> None:
    import graft
    from graft.config import apply_num_threads
    from graft.datasets import load_fashion_mnist

    apply_num_threads()
    RESULTS.mkdir(exist_ok=True)
    X, y = load_fashion_mnist("train")
    dev, pool = dev_split(y)
    path = RESULTS / "images_dev.json"
    records = json.loads(path.read_text())["records"] if path.is_file() else []
    done = {(r["k"], r["seed"], r["variant"]) for r in records}
    for k in ks:
        for seed in seeds:
            train = _train_rows(y, pool, k, seed)
            for name in variants:
                if (k, seed, name) in done:
                    continue
                backbone, params = VARIANTS[name]
                started = time.perf_counter()
                model = graft.TransferClassifier(
                    backbone=backbone,
                    strategy="feature_extraction",
                    random_state=seed,
                    **params,
                ).fit(X[train], y[train])
                fit_s = time.perf_counter() - started
                started = time.perf_counter()
                accuracy = float(model.score(X[dev], y[dev]))
                record = {
                    "k": k,
                    "seed": seed,
                    "variant": name,
                    "backbone": backbone,
                    "params": params,
                    "accuracy": accuracy,
                    "baseline_weight": model.model_.baseline_weight,
                    "fit_s": fit_s,
                    "predict_s": time.perf_counter() - started,
                }
                print(json.dumps(record), flush=True)
                records.append(record)
                _save(path, records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", nargs="+", type=int, default=[10, 50])
    parser.add_argument("--seeds", nargs="+", type=int, default=[100, 101, 102, 103, 104])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    run(args.k, args.seeds, args.variants)


if __name__ == "__main__":
    main()
