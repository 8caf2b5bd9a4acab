"""Saving and loading the tabular part of a bundle (used by :mod:`graft.bundle`).

Layout of a tabular bundle, besides ``manifest.json``::

    encoder.skops              the fitted preprocessing (scikit-learn transformers)
    source_booster.txt         the source LightGBM model, when it was trained on source rows
    member_<i>.txt|.skops|.safetensors
                               each blended member: LightGBM text, a scikit-learn model,
                               or the MLP's weights
    source.graft/              the source model, when it was given as a saved model: a
                               complete bundle of its own, verified when loaded

The manifest keeps the schema, the column matching, each member's kind, inputs and
settings, and the blend weights; nothing is pickled.
"""

from pathlib import Path

from graft.exceptions import BundleError

__all__ = ["load_tabular_model", "save_tabular_model"]

SOURCE_BUNDLE = "source.graft"


def save_tabular_model(model, staging: Path, dump_skops, save_bundle) -> dict:
    """Write ``model``'s files into ``staging``; return its manifest entry."""
    encoder = model.encoder
    dump_skops([encoder.dense, encoder.numeric, encoder.codes], staging / "encoder.skops")
    info = {
        "kind": "TabularModel",
        "task": model.task,
        "n_outputs": model.n_outputs,
        "weights": [float(w) for w in model.weights],
        "schema": encoder.schema.to_dict(),
        "members": [],
        "source": None,
    }
    if model.source_booster is not None:
        (staging / "source_booster.txt").write_text(model.source_booster.model_to_string())
        info["source"] = {"kind": "booster", "file": "source_booster.txt"}
    elif model.source_scorer is not None:
        save_bundle(model.source_scorer.estimator, staging / SOURCE_BUNDLE)
        info["source"] = {
            "kind": "bundle",
            "file": SOURCE_BUNDLE,
            "matching": model.source_scorer.matching.to_dict(),
            "classes": [str(c) for c in model.source_scorer.classes]
            if model.source_scorer.classes is not None
            else None,
        }
    for i, member in enumerate(model.members):
        entry = {
            "name": member.name,
            "kind": member.kind,
            "inputs": member.inputs,
            "rounds": member.rounds,
            "info": {k: v for k, v in member.info.items()},
            "file": None,
        }
        if member.kind == "booster":
            entry["file"] = f"member_{i}.txt"
            (staging / entry["file"]).write_text(member.model.model_to_string())
        elif member.kind == "sklearn":
            entry["file"] = f"member_{i}.skops"
            dump_skops(member.model, staging / entry["file"])
        elif member.kind == "mlp":
            from safetensors.torch import save_file

            entry["file"] = f"member_{i}.safetensors"
            state = {k: v.contiguous() for k, v in member.model.state_dict().items()}
            save_file(state, str(staging / entry["file"]))
            entry["config"] = dict(member.model.config)
        info["members"].append(entry)
    return info


def load_tabular_model(path: Path, info: dict, load_skops, load_bundle, estimator):
    """Rebuild the :class:`TabularModel` described by ``info`` from the bundle at ``path``."""
    from graft.analysis.column_matching import ColumnMatching
    from graft.data.tabular import TabularSchema
    from graft.strategies.tabular.boosting import lightgbm
    from graft.strategies.tabular.encoding import TabularEncoder
    from graft.strategies.tabular.model import INPUTS, Member, TabularModel

    def inside(name) -> Path:
        # Files named by the manifest must sit directly in the bundle, where every file's
        # hash was checked; a path could otherwise reach outside it.
        if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
            raise BundleError(f"{path} names a file outside the bundle ({name!r}); re-save it.")
        return path / name

    lgb = lightgbm()
    dense, numeric, codes = load_skops(path / "encoder.skops")
    encoder = TabularEncoder(TabularSchema.from_dict(info["schema"]), dense, numeric, codes)
    members = []
    for entry in info["members"]:
        kind, file = entry["kind"], entry.get("file")
        if entry["inputs"] not in INPUTS:
            raise BundleError(f"{path} has a member with unknown inputs {entry['inputs']!r}.")
        if kind == "booster":
            model = lgb.Booster(model_str=inside(file).read_text())
        elif kind == "sklearn":
            model = load_skops(inside(file))
        elif kind == "mlp":
            from safetensors.torch import load_file

            from graft.strategies.tabular.fine_tune import TabularMLP

            config = entry["config"]
            model = TabularMLP(
                config["n_numeric"],
                config["cardinalities"],
                config["n_outputs"],
                config["dropout"],
            )
            model.config.update(config)
            model.load_state_dict(load_file(str(inside(file))), strict=True)
            model.eval()
        elif kind == "source":
            model = None
        else:
            raise BundleError(f"{path} has a member of unknown kind {kind!r}; re-save it.")
        members.append(
            Member(entry["name"], kind, model, entry["inputs"], entry["rounds"], entry["info"])
        )
    tabular = TabularModel(encoder, info["task"], info["n_outputs"], members, info["weights"])
    source = info.get("source")
    if source is not None and source["kind"] == "booster":
        tabular.source_booster = lgb.Booster(model_str=inside(source["file"]).read_text())
    elif source is not None and source["kind"] == "bundle":
        from graft.estimators.tabular import ModelSource

        matching = ColumnMatching.from_dict(source["matching"])
        classes = getattr(estimator, "classes_", None)
        tabular.source_scorer = ModelSource(
            load_bundle(inside(source["file"])),
            matching,
            info["task"],
            classes,
        )
    return tabular
