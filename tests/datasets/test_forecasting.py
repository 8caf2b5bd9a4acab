import pandas as pd

from graft.datasets import VISNIGHTS_REGIONS, load_elecdemand, load_taylor, load_visnights


def test_taylor():
    t = load_taylor()
    assert t.shape == (4032, 3) and t["timestamp"].iloc[0] == pd.Timestamp("2000-06-05")
    assert t["timestamp"].iloc[-1] == pd.Timestamp("2000-08-27 23:30")


def test_elecdemand():
    e = load_elecdemand()
    assert e.shape == (17520, 5) and {"temperature", "workday"} <= set(e.columns)
    assert e["timestamp"].iloc[-1] == pd.Timestamp("2014-12-31 23:30")


def test_visnights():
    v = load_visnights()
    assert v.shape == (1520, 3) and tuple(v["id"].unique()) == VISNIGHTS_REGIONS
    assert v["timestamp"].max() == pd.Timestamp("2016-10-01")
