"""The main job (``graft demo``): movie reviews + MiniLM -> Amazon product reviews.

A user has ``k`` labelled Amazon review snippets per class, a pretrained sentence encoder,
and 10,605 labelled movie-review snippets from a related domain. The demo compares
training from scratch with every transfer strategy on 500 held-out Amazon snippets, saves
the model ``auto`` picks as a bundle, and predicts new rows with it as ``graft predict``
would.
"""

from pathlib import Path

import numpy as np
from rich.table import Table

TEST_SIZE = 500


def run_demo(*, out: Path, k: int, repeats: int, backbone: str, console) -> None:
    import graft
    from graft.cli.main import escape, predict
    from graft.data.io import read_table, write_table
    from graft.datasets import load_sentiment
    from graft.exceptions import DataError

    if k < 2:
        raise DataError(f"--k {k} is too small; auto needs at least 2 labelled rows per class.")
    if repeats < 2:
        raise DataError(f"--repeats {repeats} must be at least 2 to give an interval.")
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {out} is a file, not a folder; choose another path.")
    console.rule("graft demo: movie reviews + MiniLM -> Amazon product reviews")
    movie, amazon = load_sentiment("movie"), load_sentiment("amazon")
    rng = np.random.RandomState(0)
    test = rng.choice(len(amazon), TEST_SIZE, replace=False)
    pool = np.setdiff1d(np.arange(len(amazon)), test)
    labels = amazon["label"].to_numpy()
    smallest = min(int((labels[pool] == c).sum()) for c in (0, 1))
    if k > smallest:
        raise DataError(
            f"--k {k} is too large; the Amazon rows outside the test set hold only "
            f"{smallest} of the smaller class."
        )
    out.mkdir(parents=True, exist_ok=True)
    train = np.concatenate([rng.choice(pool[labels[pool] == c], k, replace=False) for c in (0, 1)])
    target = amazon.iloc[train][["text", "label"]].reset_index(drop=True)
    held_out = amazon.iloc[test][["text", "label"]].reset_index(drop=True)
    source = (movie["text"].tolist(), movie["label"].to_numpy())
    console.print(
        f"target: {len(target)} labelled Amazon snippets ({k} per class); source: "
        f"{len(movie)} labelled movie snippets; test: {TEST_SIZE} held-out Amazon snippets; "
        f"backbone: {escape(backbone)}. The first run embeds the movie snippets once (about "
        "a minute on 2 cores); later runs read them from the cache."
    )
    report = graft.compare(
        ["feature_extraction", "fine_tune", "hybrid", "auto"],
        target["text"].tolist(),
        target["label"].to_numpy(),
        source=source,
        test=(held_out["text"].tolist(), held_out["label"].to_numpy()),
        n_splits=repeats,
        backbone=backbone,
    )
    console.print(report.table())
    report.save_json(out / "report.json")

    model = graft.TransferClassifier(
        backbone=backbone, strategy="auto", text_column="text", random_state=0
    )
    model.fit(target[["text"]], target["label"], source=source)
    bundle = out / "amazon_reviews.graft"
    model.save(bundle)
    console.print(f"[bold]auto chose {model.strategy_}[/]: {escape(model.choice_reason_)}")
    console.print(f"saved bundle {escape(str(bundle))}")

    new_rows = out / "new_reviews.csv"
    write_table(held_out[["text"]].head(8), new_rows)
    predictions = out / "predictions.csv"
    console.print(escape(f"$ graft predict {bundle} {new_rows} --out {predictions}"))
    predict(bundle, new_rows, predictions)
    shown = read_table(predictions)
    title = f"{predictions} (truth = the held-out label, not seen by the model)"
    table = Table(title=escape(title))
    for column in ("text", "prediction", "proba_1", "truth"):
        table.add_column(column, overflow="ellipsis", no_wrap=column == "text", max_width=70)
    for (_, row), truth in zip(shown.iterrows(), held_out["label"].head(8)):
        table.add_row(row["text"], str(row["prediction"]), f"{row['proba_1']:.2f}", str(truth))
    console.print(table)
