"""Small synthetic seasonal series shared by the forecasting tests."""

import numpy as np
import pandas as pd


def hourly_panel(ids=("a",), days=14, seed=0, covariate=False, start="2024-01-01"):
    """Hourly series with a daily cycle, a weekday effect and noise; long format."""
    rng = np.random.default_rng(seed)
    t = pd.date_range(start, periods=24 * days, freq="h")
    frames = []
    for k, sid in enumerate(ids):
        phase = np.arange(len(t)) * 2 * np.pi / 24
        temp = 15 + 5 * np.sin(phase + 1.0)
        y = 20 + 5 * k + 4 * np.sin(phase) + (t.dayofweek >= 5) * 2.0 + rng.normal(0, 0.3, len(t))
        if covariate:
            y = y + 0.5 * temp
        frame = pd.DataFrame({"id": sid, "timestamp": t, "value": y})
        if covariate:
            frame["temp"] = temp
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
