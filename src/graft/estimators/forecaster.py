"""TransferForecaster: forecast a target series (or panel) by reusing a pretrained
forecaster or a panel of related source series, judged against local baselines."""

import time
from math import inf

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from graft.data.timeseries import check_same_zone
from graft.estimators.base import _is_int
from graft.exceptions import DataError
from graft.strategies.forecasting.baselines import StatsForecastMethod

FORECAST_STRATEGIES = ("auto", "zero_shot", "fine_tune", "warm_start", "baseline")
BASELINES = StatsForecastMethod.KINDS
SELECTIONS = ("pooled", "target")
# Parameters that change how auto chooses from a backtest, not the backtest itself.
_CHOICE_ONLY = ("strategy", "baseline", "target_weight")
QUANTILE_COLUMNS = tuple(f"q{q:g}" for q in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))


def _fewest_observations(season: int) -> int:
    """Fewest observations any fit accepts: two seasons and one, or 9 for long seasons
    (methods that need more say so themselves)."""
    return min(2 * season + 1, 9)


class TransferForecaster(BaseEstimator):
    """Probabilistic forecaster that transfers a pretrained model or source series.

    Parameters
    ----------
    strategy : {"auto", "zero_shot", "fine_tune", "warm_start", "baseline"}
        ``zero_shot``: the pretrained Fracast-0 forecaster as is. ``fine_tune``: Fracast-0
        with its forecast head trained on windows of the target history (encoder frozen,
        early stopping on the last window). ``warm_start``: a global LightGBM model trained
        on the ``source`` series (lags, calendar, covariates, per-series scaling) and
        continued on the target; without a source it is trained on the target panel.
        ``baseline``: the statsforecast model named by ``baseline``. ``auto``: every
        candidate is backtested on the last ``n_origins`` origins of the target history
        (and of the source series, see ``selection``). On the target alone the single
        method with the lowest mean MASE wins; pooled with source series, combinations are
        weighed too and the mean of the methods that beat seasonal naive is preferred.
        Never a method or combination that lost to seasonal naive on the target's own
        backtest (``choice_reason_`` says what was chosen, on what evidence).
    horizon : int
        Steps to forecast; ``predict`` may ask for fewer.
    baseline : str, default "mstl"
        The statsforecast model of ``strategy="baseline"``: one of ``BASELINES``.
    id_column, time_column, value_column : str
        Column names of long-format input (a frame without ``id_column`` is one series).
    covariates : None, "auto" or list of str
        Exogenous columns (e.g. temperature), features of the ``warm_start`` model; a
        source must carry the same columns, and their future values must be passed to
        ``predict(future=...)`` when the fitted method uses them (``covariates_used_``:
        empty unless ``warm_start`` is, or is part of, the chosen method).
    freq : str, optional
        pandas frequency; inferred from the timestamps when None.
    season_length : int or list of int, optional
        Seasonal periods, shortest first; from the frequency when None (half-hourly: 48, 336).
    fill_missing : {"interpolate", "raise"}, max_gap : int, optional
        What to do with missing values and timestamps (see ``graft.data.timeseries``).
    n_origins, origin_step : int
        The inner backtest of ``auto``: number of origins and steps between them
        (default: ``horizon``).
    candidates : list of str or a comma-separated str, optional
        Methods ``auto`` may choose from (default: all that apply): ``BASELINES`` plus
        ``zero_shot``, ``fine_tune``, ``warm_start``.
    selection : {"pooled", "target"}, default "pooled"
        What ``auto``'s backtest scores. ``pooled``: the target series and every source
        series, each cut at the target's last timestamp (no source value the target could
        not have known), so a choice rests on many series instead of a handful of target
        origins; without a source, or when no source value lies within the target's time,
        it is the target alone. ``target``: the target's own history only.
    target_weight : float, default 1.0
        How many times a target origin counts against a source origin in the pooled
        backtest (the seasonal-naive guard always reads the target alone).
    epochs, learning_rate, head_learning_rate, l2sp, patience : fine-tuning settings.
    continue_rounds : int
        LightGBM rounds added on the target by ``warm_start``.
    random_state : int or numpy.random.RandomState, optional
        Seed (a RandomState draws one per fit).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from graft import TransferForecaster
    >>> t = pd.date_range("2024-01-01", periods=24 * 28, freq="h")
    >>> y = pd.Series(10 + np.sin(np.arange(len(t)) * 2 * np.pi / 24), index=t)
    >>> f = TransferForecaster(strategy="baseline", horizon=24).fit(y)
    >>> f.predict().shape
    (24, 12)
    """

    _task = "forecasting"

    def __init__(
        self,
        *,
        strategy="auto",
        horizon=24,
        baseline="mstl",
        id_column="id",
        time_column="timestamp",
        value_column="value",
        covariates=None,
        freq=None,
        season_length=None,
        fill_missing="interpolate",
        max_gap=None,
        n_origins=5,
        origin_step=None,
        candidates=None,
        selection="pooled",
        target_weight=1.0,
        epochs=6,
        learning_rate=3e-4,
        head_learning_rate=1e-3,
        l2sp=0.0,
        patience=3,
        continue_rounds=60,
        random_state=None,
    ):
        self.strategy = strategy
        self.horizon = horizon
        self.baseline = baseline
        self.id_column = id_column
        self.time_column = time_column
        self.value_column = value_column
        self.covariates = covariates
        self.freq = freq
        self.season_length = season_length
        self.fill_missing = fill_missing
        self.max_gap = max_gap
        self.n_origins = n_origins
        self.origin_step = origin_step
        self.candidates = candidates
        self.selection = selection
        self.target_weight = target_weight
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.l2sp = l2sp
        self.patience = patience
        self.continue_rounds = continue_rounds
        self.random_state = random_state

    # ----------------------------------------------------------------- checks
    def _check_params(self) -> None:
        if self.strategy not in FORECAST_STRATEGIES:
            raise DataError(
                f"strategy={self.strategy!r} is unknown; use one of "
                f"{', '.join(FORECAST_STRATEGIES)}."
            )
        if self.baseline not in BASELINES:
            raise DataError(f"baseline={self.baseline!r} is unknown; use one of {BASELINES}.")
        for name in ("id_column", "time_column", "value_column"):
            if not (isinstance(getattr(self, name), str) and getattr(self, name)):
                raise DataError(
                    f"{name}={getattr(self, name)!r} must be a column name (a frame without "
                    "the id column holds one series)."
                )
        for name in ("horizon", "n_origins", "epochs", "patience"):
            value = getattr(self, name)
            if not _is_int(value, 1):
                raise DataError(f"{name}={value!r} must be an integer >= 1.")
        if self.origin_step is not None and not _is_int(self.origin_step, 1):
            raise DataError(f"origin_step={self.origin_step!r} must be an integer >= 1.")
        if self.selection not in SELECTIONS:
            raise DataError(
                f"selection={self.selection!r} is unknown; use 'pooled' (target and source "
                "series backtested together) or 'target' (the target's history alone)."
            )
        weight = self.target_weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight < inf:
            raise DataError(
                f"target_weight={weight!r} must be a number > 0 (how many times a target "
                "origin counts against a source one in the pooled backtest)."
            )
        if not _is_int(self.continue_rounds, 0):
            raise DataError(f"continue_rounds={self.continue_rounds!r} must be an integer >= 0.")
        self._candidate_names()
        if not (self.random_state is None or _is_int(self.random_state, 0)) and not isinstance(
            self.random_state, np.random.RandomState
        ):
            raise DataError(
                f"random_state={self.random_state!r} must be None, an integer >= 0 or a "
                "numpy.random.RandomState."
            )

    def _candidate_names(self) -> list[str] | None:
        """``candidates`` as a list of names; a string is a comma-separated list."""
        if self.candidates is None:
            return None
        known = (*BASELINES, "zero_shot", "fine_tune", "warm_start")
        if isinstance(self.candidates, str):
            names = [c.strip() for c in self.candidates.split(",") if c.strip()]
        elif isinstance(self.candidates, list | tuple | np.ndarray | pd.Index):
            names = list(self.candidates)
        else:
            raise DataError(
                f"candidates={self.candidates!r} must be a list of method names (or a "
                f"comma-separated string) from {', '.join(known)}."
            )
        unknown = [c for c in names if c not in known]
        if unknown or not names:
            raise DataError(
                f"candidates has unknown names {unknown or '(none given)'}; use some of "
                f"{', '.join(known)}."
            )
        return names

    def _seed_from_param(self) -> int:
        """The seed of ``random_state``: None gives 0; a RandomState draws one (as the
        classifiers do)."""
        state = self.random_state
        if isinstance(state, np.random.RandomState):
            return int(state.randint(2**31 - 1))
        return 0 if state is None else int(state)

    def _seasons(self, freq: str) -> list[int]:
        from graft.data.timeseries import season_lengths

        if self.season_length is None:
            return season_lengths(freq)
        given = self.season_length
        seasons = list(given) if isinstance(given, list | tuple | np.ndarray) else [given]
        if not seasons or not all(_is_int(s, 1) for s in seasons):
            raise DataError(
                f"season_length={self.season_length!r} must be an integer >= 1 or a list of them."
            )
        return sorted(seasons)

    def _has_id(self, frame) -> bool:
        return isinstance(frame, pd.DataFrame) and self.id_column in frame.columns

    def _panel(self, data, where: str, covariates=None, *, id_required=None):
        from graft.data.timeseries import check_panel

        return check_panel(
            data,
            id_column=self.id_column,
            # A source file may be one series (a national total) without the id column;
            # so may data where the source (or the fit) names series by it: see _prepare.
            id_required=where != "source" if id_required is None else id_required,
            time_column=self.time_column,
            value_column=self.value_column,
            covariates=self.covariates if covariates is None else covariates,
            freq=self.freq,
            fill_missing=self.fill_missing,
            max_gap=self.max_gap,
            min_length=3,
            where=where,
        )

    def _history_needs(self, freq: str) -> tuple[int, int | None]:
        """What ``fit`` needs of ``freq`` data: the fewest observations in each target
        series, and (``warm_start`` only, else None) the fewest a source series needs for
        the global model to train on; without such a source series ``warm_start`` trains
        on the target alone, which then needs that many itself. A backtest reads these to
        place its first origin."""
        from sklearn.base import clone

        probe = clone(self)  # _method reads fitted facts; self must stay unfitted
        probe.seasons_, probe.covariates_used_ = self._seasons(freq), []
        if self.strategy == "auto":
            name = "seasonal_naive"  # what auto falls back to when nothing else can run
        elif self.strategy == "baseline":
            name = self.baseline
        else:
            name = self.strategy
        method = probe._method(name, None)
        need = max(_fewest_observations(probe.seasons_[0]), method.min_length())
        return need, method.min_train_length() if name == "warm_start" else None

    def _seed(self) -> int:
        # Drawn once per fit (a RandomState would give another seed at every call); a
        # loaded bundle trains nothing, so its default is never used to train.
        return getattr(self, "seed_", 0)

    # ---------------------------------------------------------------- methods
    def _method(self, name: str, source_panel):
        from graft.strategies.forecasting.baselines import StatsForecastMethod
        from graft.strategies.forecasting.fracast import FracastFineTuned, FracastZeroShot
        from graft.strategies.forecasting.global_lightgbm import GlobalLightGBM

        seasons, horizon = self.seasons_, self.horizon
        if name in BASELINES:
            return StatsForecastMethod(name, seasons, horizon)
        if name == "zero_shot":
            return FracastZeroShot(seasons, horizon)
        if name == "fine_tune":
            return FracastFineTuned(
                seasons,
                horizon,
                epochs=self.epochs,
                learning_rate=self.learning_rate,
                head_learning_rate=self.head_learning_rate,
                l2sp=self.l2sp,
                patience=self.patience,
                seed=self._seed(),
            )
        return GlobalLightGBM(
            seasons,
            horizon,
            source=None if source_panel is None else source_panel.series,
            covariates=self.covariates_used_,
            continue_rounds=self.continue_rounds,
            seed=self._seed(),
        )

    def _default_candidates(self, source_panel) -> list[str]:
        names = ["seasonal_naive"]
        if len(self.seasons_) > 1:
            names.append("seasonal_naive_long")
        names += ["auto_ets", "auto_theta", "dynamic_theta", "mstl"]
        if max(self.seasons_) <= 12:  # AutoARIMA with long seasons is too slow to backtest
            names.append("auto_arima")
        names += ["zero_shot", "fine_tune"]
        if source_panel is not None or len(self.panel_) > 1:
            names.append("warm_start")
        return names

    def _selection_backtest(self, names, panel, source_panel):
        """The inner backtest of ``auto`` and the positions of the target series in it.

        With ``selection="pooled"`` and a source, the source series are backtested too, cut
        at the target's last timestamp so that no value after what the target knows is
        used. There ``warm_start`` is scored as a global model trained on every pooled
        series before its first inner origin: the source model proper has seen the source
        series' later values, so its scores on them would flatter it. Otherwise its source
        model is trained on the source cut before the target's first inner origin (see
        ``_source_before_origins``).
        """
        from graft.strategies.forecasting.selection import cached_backtest, cut_at

        pooled = []
        if source_panel is not None and self.selection == "pooled":
            end = max(s.index[-1] for s in panel.series)
            # Only source series that reach the target's end, and hold at least one inner
            # origin: their origins then fall on the target's dates, so a global method
            # fitted before the first origin has seen nothing later than what it forecasts.
            pooled = [
                c
                for c in (cut_at(s, end) for s in source_panel.series)
                if c is not None
                and c.index[-1] == end
                and len(c.values) - self.horizon >= self.min_length_
            ]
        # One canonical order (by id, targets first on ties), so that the same series give
        # the same backtest whichever of them is the target (a leave-one-out study).
        tagged = sorted(
            [(s.id, 0, k, s) for k, s in enumerate(panel.series)]
            + [(s.id, 1, k, s) for k, s in enumerate(pooled)],
            key=lambda t: (str(t[0]), t[1], t[2]),
        )
        series = [t[3] for t in tagged]
        target = {j for j, t in enumerate(tagged) if t[1] == 0}
        warm_source = None if pooled else self._source_before_origins(panel, source_panel)
        settings = {k: v for k, v in self.get_params().items() if k not in _CHOICE_ONLY}
        settings["random_state"] = self.seed_  # a RandomState's repr names no seed
        backtest = cached_backtest(
            {n: self._method(n, warm_source) for n in names},
            series,
            panel.freq,
            horizon=self.horizon,
            n_origins=self.n_origins,
            step=self.origin_step or self.horizon,
            min_train=self.min_length_,
            settings=(sorted(settings.items(), key=str), self.seasons_, bool(pooled)),
            source=None if warm_source is None else warm_source.series,
        )
        if pooled:
            used = {i for i, _ in backtest.origins} - target
            self.lineage_["selection"] = {
                "pooled_source_series": len(used),
                "cut_at": str(end),
            }
        return backtest, target

    def _source_before_origins(self, panel, source_panel):
        """The source for ``warm_start`` in a target-only inner backtest (``selection=
        "target"``, or no source series that can be pooled).

        The backtest fits each method once, before the first inner origin, and scores it
        at every origin; a source model trained on source values dated at or after that
        origin would have seen the scored windows' time (the demand of the same days in
        another region), which flatters ``warm_start``. So every source series that
        overlaps the target in time is cut just before the earliest first inner origin of
        the target series (as ``graft forecast backtest`` cuts it at each origin); a
        series left empty is dropped. A series wholly before the target's first origin is
        unchanged by the cut, and one that starts after the target's last timestamp (e.g.
        Victoria 2014 as the source of England 2000, as in the taylor benchmark) holds
        nothing of the target's time, so it is used as is.
        """
        from graft.data.timeseries import Panel
        from graft.strategies.forecasting.selection import rolling_origins

        if source_panel is None:
            return None
        step = self.origin_step or self.horizon
        firsts = []
        for s in panel.series:
            origins = rolling_origins(
                len(s.values), self.horizon, self.n_origins, step, self.min_length_
            )
            if origins:
                firsts.append(s.index[origins[0]])
        if not firsts:  # no inner origin on the target: the backtest scores nothing
            return source_panel
        cutoff, end = min(firsts), max(s.index[-1] for s in panel.series)
        kept = []
        for s in source_panel.series:
            if s.index[0] > end:
                kept.append(s)
                continue
            n = int(s.index.searchsorted(cutoff, side="left"))  # strictly before the origin
            cut = s if n == len(s.values) else s.head_known(n)
            if len(cut.values):
                kept.append(cut)
        if not kept:
            return None
        return Panel(kept, source_panel.freq, source_panel.covariates)

    # -------------------------------------------------------------------- fit
    def _prepare(self, data, source):
        """Check the parameters and inputs; set the fitted facts of the data."""
        self._check_params()
        self.seed_ = self._seed_from_param()
        # A target without the id column beside a source split by it is one series (one new
        # store among the others); missing from both, the name is a typo that would glue
        # every series into one, so it stays an error.
        panel = self._panel(data, "data", id_required=not self._has_id(source))
        source_panel = None
        used = list(panel.covariates)
        if source is not None:
            source_panel = self._panel(source, "source", covariates=used or None)
            check_same_zone(panel, source_panel, "source")
            if source_panel.freq != panel.freq:
                raise DataError(
                    f"source has frequency {source_panel.freq!r} but data has {panel.freq!r}; "
                    "resample one of them."
                )
        self.panel_, self.freq_ = panel, panel.freq
        self.id_numbers_ = self._integer_ids(data)
        self.year_numbers_ = self._integer_years(data)
        self.no_id_column_ = not self._has_id(data)  # new data and futures may lack it too
        self.seasons_ = self._seasons(panel.freq)
        self.covariates_used_ = used
        self.covariate_columns_ = list(panel.covariates)
        self.n_series_ = len(panel)
        self.lineage_ = {}
        if source_panel is not None:
            self.lineage_["source"] = {
                "n_series": len(source_panel),
                "n_values": int(sum(len(s.values) for s in source_panel.series)),
                "freq": source_panel.freq,
            }
        self.min_length_ = 2 * self.seasons_[0] + 1
        fewest = _fewest_observations(self.seasons_[0])
        if panel.min_length < fewest:
            raise DataError(
                f"The shortest series in data has {panel.min_length} observations; at least "
                f"{fewest} are needed for season {self.seasons_[0]}."
            )
        return panel, source_panel

    def fit(self, data, *, source=None):
        """Fit on the target history ``data`` (and optionally ``source`` series).

        Parameters
        ----------
        data : long-format DataFrame (id, timestamp, value, covariates) or a Series with a
            DatetimeIndex
        source : same format, optional
            Related series (other regions, stores, meters) for ``warm_start``.

        Returns
        -------
        self
        """
        from graft.strategies.forecasting.selection import NAIVE, Combination, choose

        started = time.perf_counter()
        panel, source_panel = self._prepare(data, source)
        strategy = {"zero_shot": "zero_shot", "fine_tune": "fine_tune"}.get(self.strategy)
        self.auto_scores_, self.weights_ = {}, {}
        if self.strategy == "auto":
            names = self._candidate_names() or self._default_candidates(source_panel)
            # Only methods that can forecast every series of the panel, its shortest too;
            # seasonal naive, the guard's reference, is scored whatever the candidates.
            needs = {n: self._method(n, None).min_length() for n in {*names, "seasonal_naive"}}
            runnable = [n for n in names if needs[n] <= panel.min_length]
            if not any(n in NAIVE for n in runnable):
                runnable = ["seasonal_naive", *runnable]
            if runnable == ["seasonal_naive"] and "seasonal_naive" not in names:
                raise DataError(
                    f"No candidate of auto can forecast the shortest series in data "
                    f"({panel.min_length} observations): "
                    + ", ".join(f"{n} needs {needs[n]}" for n in names)
                    + "; give a longer history, other candidates or a shorter season_length= / "
                    "--season-length."
                )
            names = runnable
            backtest, target = self._selection_backtest(names, panel, source_panel)
            if not any(i in target for i, _ in backtest.origins):
                self.weights_ = {"seasonal_naive": 1.0}
                self.choice_reason_ = (
                    f"the history is too short to backtest (needs {self.min_length_} "
                    f"observations before a {self.horizon}-step window), so seasonal_naive "
                    "was used"
                )
            elif not backtest.forecasts:
                raise DataError(
                    "No forecasting method could run on data: "
                    + "; ".join(f"{k}: {v}" for k, v in backtest.errors.items())
                )
            else:
                # Rules from the development study in benchmarks/RESULTS.md: with source
                # series pooled in, the mean of the methods that beat seasonal naive; on
                # the target's few origins alone, the best single method (choosing among
                # many close combinations there mostly picked noise).
                pooled = bool({i for i, _ in backtest.origins} - target)
                self.weights_, self.auto_scores_, self.choice_reason_ = choose(
                    backtest,
                    self.seasons_[0],
                    target=target,
                    target_weight=self.target_weight,
                    combinations=pooled,
                    mean_of_good=pooled,
                    prefer_mean=pooled,
                )
            self.backtest_errors_ = dict(backtest.errors)
        else:
            name = strategy or (self.strategy if self.strategy == "warm_start" else self.baseline)
            self.weights_ = {name: 1.0}
            self.choice_reason_ = f"strategy={self.strategy!r} was requested"
            self.backtest_errors_ = {}
        if "warm_start" not in self.weights_:
            # Only warm_start reads covariates: a chosen method that ignores them must not
            # make predict() demand their future values.
            self.covariates_used_ = []
        members = {n: self._method(n, source_panel) for n in self.weights_}
        self.model_ = (
            next(iter(members.values()))
            if len(members) == 1
            else Combination(members, self.weights_)
        )
        if panel.min_length < self.model_.min_length():
            seasons = (
                f"the seasons {self.seasons_} inferred for {panel.freq!r} data"
                if self.season_length is None
                else f"season_length={self.season_length!r}"
            )
            raise DataError(
                f"The shortest series in data has {panel.min_length} observations; "
                f"{' + '.join(self.weights_)} needs at least {self.model_.min_length()} with "
                f"{seasons}; give a longer history, another strategy or a shorter "
                "season_length= / --season-length (in steps, e.g. 60 for an hourly cycle in "
                "minute data)."
            )
        self.model_.fit(panel.series, panel.freq)
        self.strategy_ = " + ".join(self.weights_)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    # ---------------------------------------------------------------- predict
    def predict(self, horizon=None, *, data=None, future=None) -> pd.DataFrame:
        """Forecast ``horizon`` steps after the end of each series.

        Parameters
        ----------
        horizon : int, optional
            Steps ahead (default and maximum: the ``horizon`` given at fit).
        data : optional, same format as in ``fit``
            Newer history to forecast from (e.g. the latest observations); default: the
            fitted history.
        future : DataFrame, optional
            Future covariate values (id, timestamp, covariates) when covariates are used.

        Returns
        -------
        DataFrame with the id and time columns, ``mean`` and quantile columns ``q0.1`` ..
        ``q0.9``, ``horizon`` rows per series; integer ids and years (a time column of
        numbers) come back as integers.
        """
        from sklearn.utils.validation import check_is_fitted

        from graft.strategies.forecasting.base import Context, future_index

        check_is_fitted(self, "model_")
        horizon = self.horizon if horizon is None else horizon
        if not _is_int(horizon, 1) or horizon > self.horizon:
            raise DataError(
                f"horizon={horizon!r} must be an integer from 1 to the fitted horizon "
                f"{self.horizon}; refit with a longer horizon."
            )
        panel = (
            self.panel_
            if data is None
            else self._panel(data, "data", self._fit_covariates(), id_required=self._id_needed())
        )
        check_same_zone(self.panel_, panel, "the new data", ours="the fitted data")
        if data is not None and panel.freq != self.freq_:
            raise DataError(
                f"data has frequency {panel.freq!r} but the model was fitted on {self.freq_!r}."
            )
        future_cov = self._future_covariates(panel, future, horizon)
        integer_ids = (
            getattr(self, "id_numbers_", False) if data is None else self._integer_ids(data)
        )
        integer_years = (
            getattr(self, "year_numbers_", False) if data is None else self._integer_years(data)
        )
        frames = []
        for s in panel.series:
            index = future_index(s.index, self.freq_, horizon)
            context = Context(s, self.freq_, index, future_cov.get(s.id))
            if len(s.values) < self.model_.min_length():
                raise DataError(
                    f"Series {s.id!r} has {len(s.values)} observations; {self.strategy_} "
                    f"needs at least {self.model_.min_length()} to forecast."
                )
            forecast = self.model_.forecast(context)
            sid = int(s.id) if integer_ids else s.id
            times = index
            if integer_years and (index.dayofyear == 1).all():
                times = np.asarray(index.year, dtype=np.int64)
            part = pd.DataFrame({self.id_column: sid, self.time_column: times})
            part["mean"] = forecast.mean
            for j, column in enumerate(QUANTILE_COLUMNS):
                part[column] = forecast.quantiles[:, j]
            frames.append(part)
        return pd.concat(frames, ignore_index=True)

    def _integer_ids(self, data) -> bool:
        """Whether ``data`` names its series by integers (given back as integers, so that
        forecasts merge with the user's own tables on the id)."""
        if not (isinstance(data, pd.DataFrame) and self.id_column in data.columns):
            return False
        ids = data[self.id_column]
        if pd.api.types.is_integer_dtype(ids):
            return True
        # JSON Lines read as written: integers in an object column.
        return ids.dtype == object and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in ids
        )

    def _integer_years(self, data) -> bool:
        """Whether ``data``'s time column holds years as numbers (check_panel reads no
        other numbers): forecasts give years back as numbers, to merge on that column."""
        if not (isinstance(data, pd.DataFrame) and self.time_column in data.columns):
            return False
        times = data[self.time_column]
        return pd.api.types.is_numeric_dtype(times) and not pd.api.types.is_bool_dtype(times)

    def _id_needed(self) -> bool:
        """Whether new data and futures must hold a custom id column: not when the model
        was fitted on one series without it."""
        return not getattr(self, "no_id_column_", False)

    def _fit_covariates(self) -> list[str]:
        # Newer history needs only the covariates the fitted method reads ([] = none).
        return list(self.covariates_used_)

    def _future_covariates(self, panel, future, horizon) -> dict:
        if not self.covariates_used_:
            return {}
        if future is None:
            raise DataError(
                f"The model uses the covariates {self.covariates_used_}; pass their values "
                f"for the next {horizon} steps as future= / --future (id, timestamp and those "
                "columns)."
            )
        from graft.data.timeseries import check_panel
        from graft.strategies.forecasting.base import future_index

        frame = future.copy()
        if (
            not self._id_needed()
            and len(panel.series) == 1
            and isinstance(frame, pd.DataFrame)
            and (
                self.id_column not in frame.columns
                or frame[self.id_column].astype(str).nunique() == 1
            )
        ):
            # Fitted on one series without the id column: a future naming one series (or
            # none) describes that one, whether the history given has the column or not.
            frame[self.id_column] = panel.series[0].id
        if isinstance(frame, pd.DataFrame):
            frame = self._horizon_rows(frame, panel, horizon)
        if isinstance(frame, pd.DataFrame) and len(frame) == 0:
            s = panel.series[0]
            wanted = future_index(s.index, self.freq_, horizon)
            raise DataError(
                f"future lacks covariate values of series {s.id!r} for "
                f"{wanted[0]} .. {wanted[-1]}; give one row per future step."
            )
        frame[self.value_column] = 0.0  # future rows carry covariates only; values are unknown
        fut = check_panel(
            frame,
            id_column=self.id_column,
            time_column=self.time_column,
            value_column=self.value_column,
            covariates=self.covariates_used_,
            freq=self.freq_,
            fill_missing="raise",
            min_length=1,
            where="future",
            id_required=self._id_needed(),
        )
        check_same_zone(panel, fut, "future")
        out = {}
        by_id = {s.id: s for s in fut.series}
        for s in panel.series:
            wanted = future_index(s.index, self.freq_, horizon)
            got = by_id.get(s.id)
            if got is None or not wanted.isin(got.index).all():
                raise DataError(
                    f"future lacks covariate values of series {s.id!r} for "
                    f"{wanted[0]} .. {wanted[-1]}; give one row per future step."
                )
            out[s.id] = got.covariates[got.index.get_indexer(wanted)]
        return out

    def _horizon_rows(self, frame: pd.DataFrame, panel, horizon: int) -> pd.DataFrame:
        """The rows of a future frame at the steps to forecast. A future file may hold the
        whole record (past weather too); only the horizon's steps are read, so a gap in its
        past rows must not refuse it. Unchanged when it cannot be matched yet (no time
        column, timestamps with and without a zone): the checks after say why."""
        from graft.data.timeseries import parse_times
        from graft.strategies.forecasting.base import future_index

        if self.time_column not in frame.columns or len(frame) == 0:
            return frame
        if self.id_column not in frame.columns and self.id_column != "id" and self._id_needed():
            return frame  # a misnamed id column: check_panel names it
        times = parse_times(frame[self.time_column], self.time_column, "future")
        if (times.dt.tz is None) != (panel.series[0].index.tz is None):
            return frame
        if self.id_column in frame.columns:
            ids = frame[self.id_column].astype(str)
        else:
            ids = pd.Series("series", index=frame.index)  # one series, as check_panel reads it
        keep = np.zeros(len(frame), dtype=bool)
        for s in panel.series:
            steps = future_index(s.index, self.freq_, horizon)
            keep |= ((ids == s.id) & times.isin(steps)).to_numpy()
        frame[self.time_column] = times  # parsed once, on the whole column
        return frame[keep]

    def save(self, path):
        """Save as a bundle directory (see :func:`graft.save`)."""
        from graft.bundle import save

        return save(self, path)
