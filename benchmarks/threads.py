"""Measure what the defaults rest on: torch threads for embedding, and the embedding cache.

Writes ``benchmarks/results/threads.json``:
- MiniLM sentences/s with 1 and 2 torch threads (cache off), 512 movie snippets;
- fit seconds of ``feature_extraction`` on 1,000 Amazon snippets in a fresh cache,
  first fit (embeds) vs second fit on the same texts (reads the cache).
"""

import json
import os
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    import torch

    from graft.datasets import load_sentiment
    from graft.strategies.runner import pretrained_backbone

    movie = load_sentiment("movie")["text"].tolist()[:512]
    amazon = load_sentiment("amazon")
    backbone = pretrained_backbone("minilm-l6")
    backbone.encode(movie[:64])  # warm up kernels and the tokenizer
    speed = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        started = time.perf_counter()
        backbone.encode(movie)
        speed[threads] = len(movie) / (time.perf_counter() - started)
    torch.set_num_threads(int(os.environ.get("GRAFT_NUM_THREADS", "1")))

    import graft

    texts, labels = amazon["text"].tolist()[:1000], amazon["label"].to_numpy()[:1000]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["GRAFT_CACHE_DIR"] = cache
        fits = []
        for _ in range(2):
            started = time.perf_counter()
            graft.TransferClassifier(strategy="feature_extraction", random_state=0).fit(
                texts, labels
            )
            fits.append(time.perf_counter() - started)
    result = {
        "sentences_per_s": {str(k): v for k, v in speed.items()},
        "n_sentences": len(movie),
        "first_fit_s": fits[0],
        "second_fit_s": fits[1],
        "cache_speedup": fits[0] / fits[1],
        "n_fit_texts": len(texts),
        "cpu_count": os.cpu_count(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "threads.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
