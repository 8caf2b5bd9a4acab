"""The ``graft`` command line: a thin layer over the Python API.

Every user error (a :class:`graft.exceptions.GraftError`) prints one line to stderr and
exits with code 2; nothing is written when a command fails.
"""

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from graft.exceptions import DataError, GraftError, SchemaError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="graft: transfer learning for predictive modeling, always judged against a baseline.",
)

TASKS = ("classification", "regression")
_TEXT_DEFAULT = "feature_extraction,fine_tune,hybrid,auto"
_EVALUATE_DEFAULTS = {
    "tabular": ("warm_start", "pooled", "stacking", "auto"),
    "audio": ("feature_extraction", "auto"),  # the voice encoder is used frozen
}


def _friendly(command):
    """Turn GraftError into a one-line message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            return command(*args, **kwargs)
        except GraftError as exc:
            message = " ".join(str(exc).split())
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def escape(text: str) -> str:
    """``text`` shown as written: file names, reasons and column names may hold brackets
    that Rich would otherwise read as markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _console():
    from rich.console import Console

    console = Console()
    # Piped or captured output has no terminal width; Rich's 80 columns squeeze the tables.
    return console if console.is_terminal else Console(width=130)


def _labelled_frame(
    path: Path,
    label: str,
    text_column: str | None,
    task: str,
    strategy: str | None = None,
    kind: str | None = None,
):
    """(features, labels, text column): the text column for text, None for a table.

    ``kind``: the input kind when already known (a test file read like its training file).
    """
    from graft.data.io import read_table
    from graft.data.validation import check_labels, check_texts, resolve_text_column
    from graft.estimators.modality import TABULAR, detect_modality

    if task not in TASKS:
        raise DataError(f"--task {task!r} is unknown; use classification or regression.")
    frame = read_table(path, text_columns=(text_column,) if text_column else ())
    if label not in frame.columns:
        raise SchemaError(
            f"Label column {label!r} is not in {path} (columns: "
            f"{', '.join(map(str, frame.columns))}); pass the right --label."
        )
    features = frame.drop(columns=[label])
    if features.shape[1] == 0:
        raise SchemaError(f"{path} has no column besides the label {label!r}; add features.")
    if kind is None:
        kind = detect_modality(
            features, text_column=text_column, strategy=strategy, where=str(path)
        )
    # Checked here too, so that a bad label or text names the file and column, not "y" / "X".
    check_labels(frame[label], len(frame), task=task, where=f"label column {label!r} of {path}")
    if kind == TABULAR:
        return features, frame[label], None
    column = resolve_text_column(features, text_column, str(path))
    if text_column is None:  # found by looking: read it again as written ("NA" is a text)
        frame[column] = read_table(path, text_columns=(column,))[column]
    check_texts(frame, text_column=column, where=str(path))
    return frame[[column]], frame[label], column


def _tabular_source(path: Path, label: str):
    from graft.data.io import read_table

    frame = read_table(path)
    if label not in frame.columns:
        raise SchemaError(
            f"Label column {label!r} is not in the source data {path} (columns: "
            f"{', '.join(map(str, frame.columns))}); pass --source-label."
        )
    if frame.shape[1] < 2:
        raise SchemaError(f"Source data {path} has no column besides the label {label!r}.")
    return frame.drop(columns=[label]), frame[label]


def _any_source(
    source_data: Path | None,
    source_model: Path | None,
    *,
    label: str,
    source_label: str | None,
    text_column: str | None,
    source_text_column: str | None,
):
    """The ``source`` argument of fit: rows of a text or table source, or a bundle path."""
    if source_data is not None and source_model is not None:
        raise DataError("Pass either --source-data or --source, not both.")
    if source_model is not None:
        if text_column is not None:
            raise DataError("--source (a saved model) works for tables only; use --source-data.")
        return str(source_model)
    if source_data is None:
        return None
    if text_column is None:
        return _tabular_source(source_data, source_label or label)
    return _source(source_data, source_label or label, text_column, source_text_column)


def _print_matching(model, console) -> None:
    matching = getattr(model, "column_matching_", None)
    if matching is not None:
        console.print(matching.as_table())


def _source(path: Path | None, label: str, text_column: str, source_text_column: str | None):
    if path is None:
        return None
    column = source_text_column or text_column
    try:
        frame, labels, _ = _labelled_frame(path, label, column, "classification")
    except SchemaError as exc:
        # The source file's own options, not the target's.
        if str(exc).startswith(f"Text column {column!r}"):
            raise SchemaError(
                str(exc).replace("--text-column", "--source-text-column", 1)
            ) from None
        if str(exc).startswith(f"Label column {label!r}"):
            raise SchemaError(str(exc).replace("--label", "--source-label", 1)) from None
        raise
    return frame.iloc[:, 0].tolist(), labels


def _estimator(task: str, **params):
    from graft.estimators import TransferClassifier, TransferRegressor

    cls = TransferClassifier if task == "classification" else TransferRegressor
    return cls(**params)


def _blend_option(value: str | None):
    """``--baseline-blend``: None, "auto" or a number (the estimator checks the range)."""
    if value is None or value == "auto":
        return value
    try:
        return float(value)
    except ValueError:
        raise DataError(
            f"--baseline-blend {value!r} is not a number; give a weight in [0, 1] or auto."
        ) from None


def _check_out(out: Path, *, bundle: bool = False, table: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written: a missing or read-only
    folder, a folder where a file goes, (``table``) an extension graft cannot write, or
    (``bundle``) something that is not a bundle."""
    from graft.bundle import check_bundle_path
    from graft.data.io import check_output_file, check_output_folder, check_output_table

    if not bundle:
        (check_output_table if table else check_output_file)(out)
        return
    check_output_folder(out.parent)
    check_bundle_path(out)


def _media_input(path: Path, label: str | None, column: str | None, kind: str, task: str):
    """(X, y) for image or audio input: a class-folder tree, or a table of file paths.

    Relative paths in the table are taken relative to the table's own folder, so a CSV
    next to its images works from any working directory.
    """
    from graft.data.io import read_table

    if task not in TASKS:
        raise DataError(f"--task {task!r} is unknown; use classification or regression.")
    if path.is_dir():
        if kind != "image":
            raise DataError(
                f"{path} is a folder; audio input is a table with --audio-column naming the "
                "file-path column."
            )
        if label is not None:
            raise DataError(
                f"{path} is a class-folder tree, whose subfolder names are the labels; "
                "drop --label (or pass a CSV of paths and labels)."
            )
        return str(path), None
    if column is None:
        raise DataError(f"{path} is a table; name its file-path column with --{kind}-column.")
    frame = read_table(path)
    if label is not None and label not in frame.columns:
        raise SchemaError(
            f"Label column {label!r} is not in {path} (columns: "
            f"{', '.join(map(str, frame.columns))}); pass the right --label."
        )
    if column not in frame.columns:
        raise SchemaError(
            f"{kind.capitalize()} column {column!r} is not in {path} (columns: "
            f"{', '.join(map(str, frame.columns))}); pass the right --{kind}-column."
        )
    frame = frame.copy()
    base = path.resolve().parent
    frame[column] = [
        str(base / v) if isinstance(v, str) and v.strip() and not Path(v).is_absolute() else v
        for v in frame[column]
    ]
    return frame, (frame[label] if label is not None else None)


def _is_media(data: Path, image_column: str | None, audio_column: str | None) -> bool:
    return image_column is not None or audio_column is not None or data.is_dir()


def _training_data(data, label, task, strategy, *, columns, sources, column_mapping=None):
    """(X, y, text column or None, source) for ``fit`` and ``evaluate``, from any DATA."""
    text_column, image_column, audio_column = columns
    source_data, source, source_label, source_text_column = sources
    source_options = {
        "--source": source,
        "--source-label": source_label,
        "--source-text-column": source_text_column,
        "--column-mapping": column_mapping,
    }
    given = [name for name, value in source_options.items() if value is not None]
    if _is_media(data, image_column, audio_column):
        kind = "audio" if audio_column is not None else "image"
        if given:
            raise DataError(
                f"{', '.join(given)} apply to text and tables, not {kind} input; give the "
                f"{kind} source as --source-data (same columns as {data})."
            )
        frame, labels = _media_input(data, label, image_column or audio_column, kind, task)
        if labels is None and not data.is_dir():
            raise DataError(f"{data} needs --label naming its label column.")
        source_arg = None
        if source_data is not None:
            source_arg = _media_input(source_data, label, image_column or audio_column, kind, task)
        return frame, labels, None, source_arg
    if label is None:
        raise DataError(f"{data} needs --label naming its label column.")
    frame, labels, column = _labelled_frame(data, label, text_column, task, strategy)
    if source_data is None and source is None and given:
        raise DataError(
            f"{', '.join(given)} describe a source; pass --source-data (or --source for a "
            "table) or leave them out."
        )
    source_arg = _any_source(
        source_data,
        source,
        label=label,
        source_label=source_label,
        text_column=column,
        source_text_column=source_text_column,
    )
    return frame, labels, column, source_arg


# Options that ``fit`` and ``evaluate`` share.
LabelledData = Annotated[
    Path,
    typer.Argument(help="Labelled data: CSV, Parquet or JSONL, or a folder of class folders."),
]
LabelColumn = Annotated[
    str | None, typer.Option("--label", help="Column holding the label (not for an image folder).")
]
TextColumn = Annotated[str | None, typer.Option(help="Column holding the text.")]
ImageColumn = Annotated[str | None, typer.Option(help="Column holding image file paths.")]
AudioColumn = Annotated[
    str | None, typer.Option(help="Column holding audio (WAV/FLAC) file paths.")
]
Task = Annotated[str, typer.Option(help="classification or regression.")]
SourceBundle = Annotated[
    Path | None, typer.Option(help="A tabular bundle trained on the source (model.graft).")
]
SourceLabel = Annotated[
    str | None, typer.Option(help="Label column of the source data if named differently.")
]
SourceTextColumn = Annotated[
    str | None, typer.Option(help="Text column of the source data if named differently.")
]


@app.command()
@_friendly
def fit(
    data: LabelledData,
    out: Annotated[Path, typer.Option(help="Bundle directory to write (e.g. model.graft).")],
    label: LabelColumn = None,
    text_column: TextColumn = None,
    image_column: ImageColumn = None,
    audio_column: AudioColumn = None,
    backbone: Annotated[
        str | None,
        typer.Option(
            help="Backbone name, folder or hub id (default: one for the input kind; tables: "
            "minilm-l6 matches source columns by meaning, none matches by name only)."
        ),
    ] = None,
    strategy: Annotated[
        str,
        typer.Option(
            help="Text: auto, feature_extraction, fine_tune, hybrid, baseline. Tables: auto, "
            "baseline, source_only, pooled, warm_start, stacking, fine_tune, instance. "
            "Images: also baseline_cnn."
        ),
    ] = "auto",
    task: Task = "classification",
    source_data: Annotated[
        Path | None, typer.Option(help="Labelled source-domain data (texts or a table).")
    ] = None,
    source: SourceBundle = None,
    source_label: SourceLabel = None,
    source_text_column: SourceTextColumn = None,
    column_mapping: Annotated[
        Path | None,
        typer.Option(help="Tables: JSON or CSV file pairing target columns with source ones."),
    ] = None,
    tta: Annotated[
        str | None,
        typer.Option(
            help="Images, feature_extraction: test-time augmentation, none, flip or flip_shift "
            "(default: flip)."
        ),
    ] = None,
    baseline_blend: Annotated[
        str | None,
        typer.Option(
            help="feature_extraction: weight in [0, 1] of the from-scratch baseline blended "
            "with the head, or auto (default: 0.3 for image classification, 0 otherwise)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Fit a transfer model on DATA (texts, a table, images or audio) and save it as a bundle."""
    frame, labels, column, source_arg = _training_data(
        data,
        label,
        task,
        strategy,
        columns=(text_column, image_column, audio_column),
        sources=(source_data, source, source_label, source_text_column),
        column_mapping=column_mapping,
    )
    _check_out(out, bundle=True)
    model = _estimator(
        task,
        # No --backbone: the estimator's own default, as in Python.
        **({} if backbone is None else {"backbone": backbone}),
        strategy=strategy,
        text_column=column,
        column_mapping=None if column_mapping is None else str(column_mapping),
        image_column=image_column,
        audio_column=audio_column,
        tta=tta,
        baseline_blend=_blend_option(baseline_blend),
        random_state=seed,
        progress=progress,
    )
    model.fit(frame, labels, source=source_arg)
    model.save(out)
    console = _console()
    _print_matching(model, console)
    console.print(f"[bold]strategy:[/] {escape(model.strategy_)} — {escape(model.choice_reason_)}")
    console.print(f"saved bundle to {escape(str(out))} (fit {model.fit_seconds_:.1f}s)")


@app.command()
@_friendly
def predict(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory written by graft fit.")],
    data: Annotated[
        Path,
        typer.Argument(help="Rows to predict: CSV, Parquet or JSONL, or a folder of images."),
    ],
    out: Annotated[Path, typer.Option(help="Output file (.csv, .parquet or .jsonl).")],
    image_column: Annotated[
        str | None,
        typer.Option(help="Image path column of DATA (default: the one the model was fit on)."),
    ] = None,
    audio_column: Annotated[
        str | None,
        typer.Option(help="Audio path column of DATA (default: the one the model was fit on)."),
    ] = None,
    text_column: Annotated[
        str | None,
        typer.Option(help="Text column of DATA (default: the one the model was fit on)."),
    ] = None,
) -> None:
    """Predict DATA with a saved bundle; writes a prediction column (and proba_<class>)."""
    import pandas as pd

    import graft
    from graft.data.io import read_table, write_table
    from graft.data.tabular import check_frame
    from graft.data.validation import check_texts

    model = graft.load(bundle)
    if model._task == "forecasting":
        raise DataError(
            f"{bundle} is a forecasting bundle; predict with `graft forecast predict {bundle} "
            "--out FILE`."
        )
    _check_out(out, table=True)  # before any embedding work
    modality = getattr(model, "modality_", "text")
    if modality in ("image", "audio"):
        column = (image_column if modality == "image" else audio_column) or getattr(
            model, f"{modality}_column_", None
        )
        X, _ = _media_input(data, None, column, modality, model._task)
        # Decoded here, so the column name need not match the one the model was fit on.
        from graft.data.audio import read_audio_files
        from graft.data.images import IMAGE_EXTENSIONS, read_images, resolve_paths

        read = read_images if modality == "image" else read_audio_files
        if isinstance(X, str):
            files = sorted(
                p
                for p in Path(X).rglob("*")
                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
            )
            frame = pd.DataFrame({"path": [str(p) for p in files]})
        else:
            frame = X
        paths = resolve_paths(
            frame.iloc[:, 0] if isinstance(X, str) else frame[column], None, str(data)
        )
        X = read(paths)
    else:
        if text_column is not None and modality != "text":
            raise DataError(f"--text-column is for text models; {bundle} holds a {modality} model.")
        column = text_column or model.text_column_
        frame = read_table(data, text_columns=(column,) if column else ())
        X = frame
        if column is not None and column not in frame.columns:
            raise SchemaError(
                f"{data} lacks the text column {column!r} (columns: "
                f"{', '.join(map(str, frame.columns))}); name it with --text-column."
            )
        if column is not None:  # a bad text names the file, not "X"
            check_texts(frame, text_column=column, where=str(data))
        elif hasattr(model, "model_") and hasattr(model.model_, "encoder"):  # a table
            check_frame(frame, model.model_.encoder.schema, where=str(data))
        if text_column is not None:
            X = frame[text_column].tolist()  # whatever the column was called at fit
    result = frame.copy()
    if model._task == "classification":
        proba = model.predict_proba(X)
        result["prediction"] = model.classes_[proba.argmax(axis=1)]
        for index, name in enumerate(model.classes_):
            result[f"proba_{name}"] = proba[:, index]
    else:
        result["prediction"] = model.predict(X)
    write_table(result, out)
    _console().print(f"wrote {len(result)} predictions to {escape(str(out))}")


@app.command()
@_friendly
def evaluate(
    data: LabelledData,
    label: LabelColumn = None,
    text_column: TextColumn = None,
    image_column: ImageColumn = None,
    audio_column: AudioColumn = None,
    backbone: Annotated[str, typer.Option(help="Backbone name, folder or hub id.")] = "minilm-l6",
    strategies: Annotated[
        str,
        typer.Option(
            help="Comma-separated strategies to compare (tables default to "
            "warm_start,pooled,stacking,auto; audio to feature_extraction,auto)."
        ),
    ] = _TEXT_DEFAULT,
    task: Task = "classification",
    source_data: Annotated[Path | None, typer.Option(help="Labelled source-domain data.")] = None,
    source: SourceBundle = None,
    source_label: SourceLabel = None,
    source_text_column: SourceTextColumn = None,
    column_mapping: Annotated[
        Path | None,
        typer.Option(help="Tables: JSON or CSV file pairing target columns with source ones."),
    ] = None,
    test_data: Annotated[Path | None, typer.Option(help="Fixed held-out labelled data.")] = None,
    splits: Annotated[int, typer.Option(help="Number of splits (or seeds with --test-data).")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    metric: Annotated[
        str | None,
        typer.Option(
            help="scikit-learn scorer: accuracy, balanced_accuracy, f1_macro, roc_auc, "
            "neg_log_loss; r2, neg_mean_absolute_error, neg_root_mean_squared_error "
            "(default: roc_auc for two-class tables, accuracy otherwise, r2 for regression)."
        ),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON.")] = (
        None
    ),
) -> None:
    """Compare transfer strategies with the from-scratch baseline on DATA."""
    import graft
    from graft.estimators.auto import strategies_for
    from graft.estimators.modality import kind_strategy

    names = [s.strip() for s in strategies.split(",") if s.strip()]
    media = _is_media(data, image_column, audio_column)
    frame, labels, column, source_arg = _training_data(
        data,
        label,
        task,
        # No --strategies: no strategy to tell the input kind by (the text defaults would
        # force tables into the text path); the defaults for the kind found are set below.
        None if strategies == _TEXT_DEFAULT else kind_strategy(names),
        columns=(text_column, image_column, audio_column),
        sources=(source_data, source, source_label, source_text_column),
        column_mapping=column_mapping,
    )
    modality = (
        ("audio" if audio_column is not None else "image")
        if media
        else ("text" if column is not None else "tabular")
    )
    known = strategies_for(modality)
    if strategies == _TEXT_DEFAULT and modality in _EVALUATE_DEFAULTS:
        names = list(_EVALUATE_DEFAULTS[modality])
        if modality == "tabular" and source_arg is None:
            names = ["auto"]  # every other table strategy transfers from a source
        elif modality == "tabular" and isinstance(source_arg, str):
            names.remove("pooled")  # a source bundle has no rows to pool
    unknown = [s for s in names if s not in known]
    if unknown or not names:
        raise DataError(
            f"--strategies has unknown names {unknown or names}; use {', '.join(known)}."
        )
    test = None
    if test_data is not None and media:
        kind = "audio" if audio_column is not None else "image"
        test = _media_input(test_data, label, image_column or audio_column, kind, task)
    elif test_data is not None:
        test_frame, test_labels, _ = _labelled_frame(
            test_data, label, column, task, kind="tabular" if column is None else "text"
        )
        if column is None:
            # As predict would: a missing column is an error, not a column of NaN.
            absent = [c for c in frame.columns if c not in test_frame.columns]
            if absent:
                raise SchemaError(
                    f"{test_data} lacks {len(absent)} column(s) of {data} that the models "
                    f"are trained on ({', '.join(map(repr, absent[:10]))}"
                    f"{', ...' if len(absent) > 10 else ''}); add them, with NaN where a "
                    "value is unknown."
                )
            test_frame = test_frame[frame.columns]
        test = (test_frame, test_labels)
    if json_out is not None:
        _check_out(json_out)
    report = graft.compare(
        names,
        frame,
        labels,
        source=source_arg,
        test=test,
        task=task,
        n_splits=splits,
        random_state=seed,
        backbone=backbone,
        text_column=column,
        image_column=image_column,
        audio_column=audio_column,
        column_mapping=None if column_mapping is None else str(column_mapping),
        metric=metric,
    )
    console = _console()
    if report.matching_table() is not None:
        console.print(report.matching_table())
    console.print(report.table())
    if json_out is not None:
        report.save_json(json_out)
        _console().print(f"report saved to {escape(str(json_out))}")


@app.command()
@_friendly
def backbones() -> None:
    """List the registered backbones."""
    from rich.table import Table

    import graft

    table = Table(title="graft backbones")
    for column in ("name", "modality", "dim", "licence", "weights from"):
        table.add_column(column)
    for spec in graft.list_backbones():
        table.add_row(
            spec.name, spec.modality, str(spec.output_dim), spec.licence, spec.weights_from
        )
    _console().print(table)


@app.command()
@_friendly
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's bundle and files.")] = Path(
        "demo_out"
    ),
    k: Annotated[int, typer.Option(help="Labelled Amazon reviews per class.")] = 16,
    repeats: Annotated[int, typer.Option(help="Seeds in the comparison.")] = 3,
    backbone: Annotated[str, typer.Option(help="Backbone to transfer.")] = "minilm-l6",
) -> None:
    """Movie reviews + MiniLM -> Amazon product reviews with K labels per class."""
    from graft.cli.demo import run_demo

    run_demo(out=out, k=k, repeats=repeats, backbone=backbone, console=_console())


# At the end: the sub-app module imports the helpers defined above.
from graft.cli.forecast import forecast_app  # noqa: E402

app.add_typer(forecast_app, name="forecast")


def main() -> None:
    """Entry point of the ``graft`` script."""
    app(prog_name="graft")


if __name__ == "__main__":
    sys.exit(main())
