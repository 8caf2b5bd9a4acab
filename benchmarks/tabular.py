"""Tabular transfer benchmark: heart disease across hospitals, churn across regions and
companies (issue 3).

For every task, label budget N and seed, N target rows are drawn (stratified) as the
labelled training rows and every other target row is the test set; every method sees the
same rows in one run. Methods are graft's strategies through the public estimator plus the
target-only peers (logistic regression and LightGBM on graft's encoding). Results go to
``benchmarks/results/tabular_<task>.json`` (one record per N x seed x method; a rerun
skips records that exist); ``render.py`` turns them into RESULTS.md.

Usage: python benchmarks/tabular.py [--tasks ...] [--n 25 50 100 200] [--seeds 0 1 2 3 4]
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).parent))
from tabular_tasks import TASKS

RESULTS = Path(__file__).parent / "results"
GRAFT_METHODS = (
    "source_only",
    "pooled",
    "warm_start",
    "stacking",
    "fine_tune",
    "instance",
    "baseline",
    "auto",
)
PEERS = ("target_lr", "target_lightgbm")


def _graft(strategy: str, task, rows, seed: int):
    import graft

    # The default backbone (MiniLM) matches column names by meaning when names differ.
    model = graft.TransferClassifier(strategy=strategy, random_state=seed)
    started = time.perf_counter()
    model.fit(task.target.iloc[rows], task.target_y.iloc[rows], source=(task.source, task.source_y))
    fit_s = time.perf_counter() - started
    detail = {"chosen": model.strategy_}
    if strategy == "auto":
        detail["reason"] = model.choice_reason_
        detail["weights"] = model.auto_scores_["ensemble"]["weights"]
    return model.predict_proba, fit_s, detail


def _peer(variant: str, task, rows, seed: int):
    """A target-only model on graft's encoding of the target rows (no source)."""
    from graft.strategies.tabular.candidates import fit_variants
    from graft.strategies.tabular.prepare import build_problem

    started = time.perf_counter()
    X = task.target.iloc[rows].reset_index(drop=True)
    problem = build_problem(
        X, task.target_y.to_numpy()[rows], task="classification", n_outputs=2, seed=seed
    )
    name = {"target_lr": "baseline_linear", "target_lightgbm": "baseline_lightgbm"}[variant]
    member = fit_variants(problem, name, np.arange(len(rows)))[name]
    fit_s = time.perf_counter() - started

    def predict_proba(frame):
        encoded = problem.encoder.encode(frame.reset_index(drop=True))
        return member.outputs(encoded, None, "classification", 2)

    return predict_proba, fit_s, {}


def _save(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=1)
    os.replace(tmp, path)


def run(task_name: str, ns, seeds, methods) -> None:
    task = TASKS[task_name]()
    path = RESULTS / f"tabular_{task_name}.json"
    data = json.loads(path.read_text()) if path.exists() else {"records": []}
    data["meta"] = {
        "task": task_name,
        "source_rows": len(task.source),
        "target_rows": len(task.target),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared, busy)",
        "threads": os.environ.get("GRAFT_NUM_THREADS", "default"),
    }
    done = {(r["n"], r["seed"], r["method"]) for r in data["records"]}
    y = task.target_y.to_numpy()
    for n in ns:
        if n > len(y) - 20:  # e.g. VA (200 rows) at N=200: too few rows left to test on
            print(task_name, n, "skipped: the target has", len(y), "rows", flush=True)
            continue
        for seed in seeds:
            rows, test = train_test_split(
                np.arange(len(y)), train_size=n, stratify=y, random_state=seed
            )
            for method in methods:
                if (n, seed, method) in done:
                    continue
                fit = _peer if method in PEERS else _graft
                predict_proba, fit_s, detail = fit(method, task, rows, seed)
                started = time.perf_counter()
                proba = predict_proba(task.target.iloc[test])[:, 1]
                predict_s = time.perf_counter() - started
                record = {
                    "task": task_name,
                    "n": n,
                    "seed": seed,
                    "method": method,
                    "auc": float(roc_auc_score(y[test], proba)),
                    "n_test": len(test),
                    "test_negatives": int((y[test] == 0).sum()),
                    "fit_s": fit_s,
                    "predict_s": predict_s,
                    **detail,
                }
                data["records"].append(record)
                _save(path, data)
                print(
                    task_name, n, seed, method, f"{record['auc']:.3f}", f"{fit_s:.1f}s", flush=True
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--n", nargs="+", type=int, default=[25, 50, 100, 200])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--methods", nargs="+", default=[*PEERS, *GRAFT_METHODS])
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for task_name in args.tasks:
        run(task_name, args.n, args.seeds, args.methods)


if __name__ == "__main__":
    main()
