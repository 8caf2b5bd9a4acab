"""Public datasets for transfer benchmarks and demos, fetched into the graft cache."""

from graft.datasets.sentiment import SENTIMENT_DOMAINS, load_sentiment

__all__ = ["SENTIMENT_DOMAINS", "load_sentiment"]
