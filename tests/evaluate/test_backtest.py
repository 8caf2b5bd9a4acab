import numpy as np
import pytest

from graft import TransferForecaster
from graft.evaluate.backtest import backtest
from graft.exceptions import DataError


def test_backtest_report_and_no_look_ahead(hourly_panel):
    data = hourly_panel(days=12)
    kwargs = dict(horizon=24, n_origins=3, baselines=["seasonal_naive", "mstl"])
    tuned = {"fine_tune": TransferForecaster(strategy="fine_tune", epochs=1, horizon=24)}
    report = backtest(tuned, data, **kwargs)
    names = [c.name for c in report.candidates]
    assert names == ["seasonal_naive", "mstl", "fine_tune"] and report.n_origins == 3
    assert {"smape", "wql", "coverage80"} <= set(report.metrics["mstl"])
    assert len(report.origins) == 9 and report.candidates[1].verdict is not None
    assert "MASE" in str(report)
    # The scored windows hold garbage now; forecasts must not move.
    dirty = data.copy()
    dirty.loc[dirty.index[-24:], "value"] = 1e6
    again = backtest(tuned, dirty, **kwargs)
    for a, b in zip(report.origins, again.origins):
        np.testing.assert_allclose(a["forecast"], b["forecast"])
    assert report.origins[-1]["actual"] != again.origins[-1]["actual"]


def test_backtest_cuts_source_at_each_origin(hourly_panel):
    data = hourly_panel(days=12)
    source = hourly_panel(ids=("s",), days=12, seed=7)  # same dates: must be cut
    report = backtest(
        ["warm_start"], data, source=source, horizon=24, n_origins=2, baselines=["seasonal_naive"]
    )
    assert [c.name for c in report.candidates] == ["seasonal_naive", "warm_start"]
    dirty = source.copy()
    dirty.loc[dirty.index[-24:], "value"] = 1e6  # the source's values in the last window
    again = backtest(
        ["warm_start"], data, source=dirty, horizon=24, n_origins=2, baselines=["seasonal_naive"]
    )
    for a, b in zip(report.origins, again.origins):
        np.testing.assert_allclose(a["forecast"], b["forecast"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_origins": 0}, "n_origins=0 must be an integer >= 1"),
        ({"horizon": 0}, "horizon=0"),
        ({"step": 0}, "step=0"),
        ({"window": -5}, "window=-5"),
    ],
)
def test_backtest_design_is_checked(kwargs, message, hourly_panel):
    with pytest.raises(DataError, match=message):
        backtest([], hourly_panel(days=3), **{"horizon": 6, **kwargs})
