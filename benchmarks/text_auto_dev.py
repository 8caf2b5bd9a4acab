"""Development study for text ``auto``'s negative-transfer guard, WITHOUT the test snippets.

The guard keeps the from-scratch baseline (TF-IDF + logistic regression) whenever feature
extraction (+ movie source) did not beat it in ``auto``'s own inner validation. With 8 or
16 labelled snippets per class each inner fold scores on 5-11 snippets, so the guard can
fire on noise. This study measures how often that happens and whether another guard
statistic would fire less often on noise, on data the benchmark's test sets never touch:
for each target, 1,000 snippets of the non-test pool are a development holdout (seed 999)
and k labelled snippets per class are drawn from the rest (seeds 100+).

For each draw it records the fold scores (accuracy and log loss) of the two cheap
candidates as ``auto`` computes them, on 6 repetitions of the stratified 3-fold split
(``auto`` ships with 3; the first 3 repetitions are the same splits), and the holdout
accuracy of both fitted on all the draw's rows. ``render.py`` replays guard rules on the
stored scores. Results: ``benchmarks/results/text_auto_dev.json`` (resumable).

Usage: python benchmarks/text_auto_dev.py [--targets amazon tweets nyt] [--k 8 16]
       [--seeds 100 ... 109]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from text_sentiment import TEST_SEED, TEST_SIZE

RESULTS = Path(__file__).parent / "results"
PATH = RESULTS / "text_auto_dev.json"
DEV_SIZE = 1000
DEV_SEED = 999
REPEATS = 6


def _splits(labels: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    test = np.random.RandomState(TEST_SEED).choice(len(labels), TEST_SIZE, replace=False)
    pool = np.setdiff1d(np.arange(len(labels)), test)
    dev = np.sort(np.random.RandomState(DEV_SEED).choice(pool, DEV_SIZE, replace=False))
    pool = np.setdiff1d(pool, dev)
    rng = np.random.RandomState(seed)
    train = np.concatenate(
        [rng.choice(pool[labels[pool] == c], k, replace=False) for c in np.unique(labels)]
    )
    return rng.permutation(train), dev


def run(targets, ks, seeds) -> None:
    import graft
    import graft.estimators.auto as auto
    from graft.config import apply_num_threads
    from graft.data.io import write_json
    from graft.datasets import load_sentiment

    auto.REPEATS = REPEATS  # score the guard's candidates on more splits than auto ships
    apply_num_threads()
    movie = load_sentiment("movie")
    source = (movie["text"].tolist(), movie["label"].to_numpy())
    data = json.loads(PATH.read_text()) if PATH.is_file() else {"records": []}
    data["meta"] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared, busy), "
        f"{platform.python_version()}",
        "dev_size": DEV_SIZE,
        "dev_seed": DEV_SEED,
        "repeats": REPEATS,
    }
    done = {(r["target"], r["k"], r["seed"]) for r in data["records"]}
    for target in targets:
        frame = load_sentiment(target)
        texts, labels = frame["text"].tolist(), frame["label"].to_numpy()
        for k in ks:
            for seed in seeds:
                if (target, k, seed) in done:
                    continue
                train, dev = _splits(labels, k, seed)
                X, y = [texts[i] for i in train], labels[train]
                started = time.perf_counter()
                # A time budget this small skips the costly candidates (hybrid, fine-tune).
                model = graft.TransferClassifier(
                    strategy="auto", random_state=seed, time_budget=1e-6, progress=False
                )
                model.fit(X, y, source=source)
                record = {
                    "target": target,
                    "k": k,
                    "seed": seed,
                    "scores": {
                        n: model.auto_scores_[n] for n in ("baseline", "feature_extraction")
                    },
                    "scoring_s": time.perf_counter() - started,
                }
                for name in ("baseline", "feature_extraction"):
                    fitted = graft.TransferClassifier(
                        strategy=name, random_state=seed, progress=False
                    ).fit(X, y, source=None if name == "baseline" else source)
                    predicted = fitted.predict([texts[i] for i in dev])
                    record[f"dev_{name}"] = float(np.mean(predicted == labels[dev]))
                data["records"].append(record)
                write_json(data, PATH)  # atomic
                print(
                    f"{target} k={k} seed={seed}: dev baseline {record['dev_baseline']:.3f}, "
                    f"feature_extraction {record['dev_feature_extraction']:.3f}",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["amazon", "tweets", "nyt"])
    parser.add_argument("--k", nargs="+", type=int, default=[8, 16])
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(100, 110)))
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    run(args.targets, args.k, args.seeds)


if __name__ == "__main__":
    main()
