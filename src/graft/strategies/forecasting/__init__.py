"""Forecasting strategies: Fracast zero-shot and fine-tuned, global LightGBM source models,
statsforecast baselines, and combinations of them chosen by backtest."""
