"""Tabular transfer from a source domain: encoding, strategies, inner validation.

One module per strategy (``baseline``, ``pooled``, ``warm_start``, ``stacking``,
``instance``, ``fine_tune``) and per concept (``encoding``, ``boosting``, ``problem``,
``model``, ``candidates``, ``validation``, ``prepare``). The public entry points are
:class:`graft.TransferClassifier` and :class:`graft.TransferRegressor` on a table.
"""
