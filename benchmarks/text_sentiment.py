"""Text transfer benchmark: movie-review snippets -> Amazon, tweets, NYT (VADER data).

For every target domain, a fixed held-out set of 1,000 target snippets is the test set;
for each label budget k and seed, k labelled examples per class are drawn from the rest.
Every method sees the same training rows, the same movie source rows and the same test
rows in one run on one machine. Results go to ``benchmarks/results/text_<target>.json``
(one record per target x k x seed x method); ``render.py`` turns them into RESULTS.md.

Usage: python benchmarks/text_sentiment.py [--targets amazon tweets nyt] [--k 8 16 64]
       [--seeds 0 1 2 3 4] [--methods ...]
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from graft.data.io import write_json

RESULTS = Path(__file__).parent / "results"
TEST_SIZE = 1000
TEST_SEED = 12345
SETFIT_MAX_K = 16  # SetFit's pair sampling grows quadratically; k=64 takes >10 min a fit


def _split(labels: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    test = np.random.RandomState(TEST_SEED).choice(len(labels), TEST_SIZE, replace=False)
    pool = np.setdiff1d(np.arange(len(labels)), test)
    rng = np.random.RandomState(seed)
    train = np.concatenate(
        [rng.choice(pool[labels[pool] == c], k, replace=False) for c in np.unique(labels)]
    )
    return rng.permutation(train), np.sort(test)


def _graft(strategy: str, with_source: bool):
    def run(train_texts, train_y, source, seed):
        import graft

        model = graft.TransferClassifier(strategy=strategy, random_state=seed)
        model.fit(train_texts, train_y, source=source if with_source else None)
        detail = {"chosen": model.strategy_, "reason": model.choice_reason_}
        ratio = getattr(model.model_, "source_ratio", None)
        if ratio is not None:
            detail["source_ratio"] = ratio
        return model.predict, detail

    return run


def _tfidf_source_only(train_texts, train_y, source, seed):
    from graft.strategies.heads import make_text_baseline

    model = make_text_baseline("classification").fit(source[0], source[1])
    return model.predict, {}


def _setfit(train_texts, train_y, source, seed):
    from setfit import SetFitModel, Trainer, TrainingArguments

    from datasets import Dataset
    from graft.backbones.text import minilm_folder

    model = SetFitModel.from_pretrained(str(minilm_folder()))
    data = Dataset.from_dict({"text": list(train_texts), "label": [int(v) for v in train_y]})
    with tempfile.TemporaryDirectory() as checkpoints:  # SetFit writes checkpoints to ./
        args = TrainingArguments(seed=seed, output_dir=checkpoints)
        Trainer(model=model, args=args, train_dataset=data).train()
    return (lambda texts: np.asarray(model.predict(list(texts)))), {}


METHODS = {
    "tfidf_lr_target": _graft("baseline", with_source=False),
    "tfidf_lr_source_only": _tfidf_source_only,
    "minilm_lr_target": _graft("feature_extraction", with_source=False),
    "setfit": _setfit,
    "graft_feature_extraction": _graft("feature_extraction", with_source=True),
    "graft_fine_tune": _graft("fine_tune", with_source=True),
    "graft_hybrid": _graft("hybrid", with_source=True),
    "graft_auto": _graft("auto", with_source=True),
}


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text())["records"] if path.is_file() else []


def _save(path: Path, records: list[dict]) -> None:
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "torch_threads": os.environ.get("GRAFT_NUM_THREADS", "1"),
    }
    write_json({"meta": meta, "records": records}, path)  # atomic


def warm_cache(targets) -> dict[str, float]:
    """Embed the source and every target text once, so method timings exclude it.

    Embeddings are deterministic and cached on disk by graft; this records what the
    one-time cost was (seconds per domain, 0 when already cached).
    """
    from graft.datasets import load_sentiment
    from graft.strategies.runner import FeatureModel

    seconds = {}
    for domain in ["movie", *targets]:
        started = time.perf_counter()
        FeatureModel("minilm-l6", None, "classification", 2, 0.0).features(
            load_sentiment(domain)["text"].tolist()
        )
        seconds[domain] = time.perf_counter() - started
    return seconds


def run(targets, ks, seeds, methods) -> None:
    import torch

    from graft.config import apply_num_threads
    from graft.datasets import load_sentiment

    apply_num_threads()
    torch.manual_seed(0)
    movie = load_sentiment("movie")
    source = (movie["text"].tolist(), movie["label"].to_numpy())
    RESULTS.mkdir(exist_ok=True)
    for target in targets:
        frame = load_sentiment(target)
        texts, labels = frame["text"].tolist(), frame["label"].to_numpy()
        path = RESULTS / f"text_{target}.json"
        records = _load(path)
        done = {(r["k"], r["seed"], r["method"]) for r in records}
        for k in ks:
            for seed in seeds:
                train, test = _split(labels, k, seed)
                train_texts = [texts[i] for i in train]
                test_texts = [texts[i] for i in test]
                for method in methods:
                    if (k, seed, method) in done or (method == "setfit" and k > SETFIT_MAX_K):
                        continue
                    started = time.perf_counter()
                    predict, detail = METHODS[method](train_texts, labels[train], source, seed)
                    fit_s = time.perf_counter() - started
                    started = time.perf_counter()
                    predicted = np.asarray(predict(test_texts)).astype(labels.dtype)
                    predict_s = time.perf_counter() - started
                    record = {
                        "task": f"movie->{target}",
                        "target": target,
                        "k": k,
                        "seed": seed,
                        "method": method,
                        "accuracy": float(accuracy_score(labels[test], predicted)),
                        "macro_f1": float(f1_score(labels[test], predicted, average="macro")),
                        "fit_s": fit_s,
                        "predict_s": predict_s,
                        **detail,
                    }
                    print(
                        json.dumps({k_: v for k_, v in record.items() if k_ != "reason"}),
                        flush=True,
                    )
                    records.append(record)
                    _save(path, records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["amazon", "tweets", "nyt"])
    parser.add_argument("--k", nargs="+", type=int, default=[8, 16, 64])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--warm-only", action="store_true", help="only fill the cache")
    args = parser.parse_args()
    if args.warm_only:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "embedding_warmup.json").write_text(json.dumps(warm_cache(args.targets)))
        return
    run(args.targets, args.k, args.seeds, args.methods)


if __name__ == "__main__":
    main()
