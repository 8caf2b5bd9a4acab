"""The graft exception hierarchy.

Every error a user can cause is a :class:`GraftError` whose message is one sentence that
says what is wrong, where, and how to fix it. The CLI prints that sentence and exits 2.
"""


class GraftError(Exception):
    """Base class for every error graft raises on purpose."""


class DataError(GraftError, ValueError):
    """Input data is unusable: empty, unreadable, wrong values, a single class."""


class SchemaError(DataError):
    """Columns are missing, unknown, or differ from the schema a model was trained on."""


class BackboneUnavailableError(GraftError):
    """A backbone is unknown, or its weights cannot be found (for instance offline)."""


class BundleError(GraftError):
    """A saved bundle is missing, corrupt, tampered with, or incompatible."""


class DatasetUnavailableError(GraftError):
    """A public dataset cannot be fetched or read from the cache."""
