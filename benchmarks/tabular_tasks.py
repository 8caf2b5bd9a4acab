"""The source -> target tasks of the tabular benchmark (shared by the runner and tests).

Each task gives a labelled source table, a labelled target table (features and a 0/1
label), the columns to drop from both (identifiers, the label, the domain split itself).
"""

from dataclasses import dataclass

import pandas as pd

from graft.datasets import load_churn, load_heart_disease


@dataclass(frozen=True)
class Task:
    name: str
    source: pd.DataFrame
    source_y: pd.Series
    target: pd.DataFrame
    target_y: pd.Series
    different_columns: bool = False


HEART_DROP = ["id", "dataset", "num", "target"]
MLC_DROP = ["id", "state", "region", "churn", "target"]
WA_DROP = ["id", "churn", "target"]


def _split(frame: pd.DataFrame, drop: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    return frame.drop(columns=drop).reset_index(drop=True), frame["target"].reset_index(drop=True)


def heart(site: str) -> Task:
    data = load_heart_disease()
    source = data[data["dataset"] == "Cleveland"]
    target = data[data["dataset"] == site]
    short = {"Hungary": "hungary", "VA Long Beach": "va", "Switzerland": "switzerland"}[site]
    return Task(
        f"heart_cleveland_to_{short}", *_split(source, HEART_DROP), *_split(target, HEART_DROP)
    )


def churn_west() -> Task:
    data = load_churn("mlc_churn")
    west = data["region"] == "west"
    return Task(
        "churn_nonwest_to_west", *_split(data[~west], MLC_DROP), *_split(data[west], MLC_DROP)
    )


def wa_to_mlc() -> Task:
    return Task(
        "churn_wa_to_mlc",
        *_split(load_churn("wa_churn"), WA_DROP),
        *_split(load_churn("mlc_churn"), MLC_DROP),
        different_columns=True,
    )


TASKS = {
    "heart_cleveland_to_hungary": lambda: heart("Hungary"),
    "heart_cleveland_to_va": lambda: heart("VA Long Beach"),
    "churn_nonwest_to_west": churn_west,
    "heart_cleveland_to_switzerland": lambda: heart("Switzerland"),
    "churn_wa_to_mlc": wa_to_mlc,
}
QUALITY_CELLS = ("heart_cleveland_to_hungary", "heart_cleveland_to_va", "churn_nonwest_to_west")
