"""Taking rows of model inputs, whatever their modality."""


def take_rows(inputs, rows):
    """The inputs at ``rows``: from a list (texts, clips) or anything with ``subset`` (ImageSet)."""
    if hasattr(inputs, "subset"):
        return inputs.subset(list(rows))
    return [inputs[i] for i in rows]
