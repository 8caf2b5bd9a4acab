"""Which inputs are text and which are tables."""

import numpy as np
import pandas as pd
import pytest

from graft.estimators.modality import TABULAR, TEXT, detect_modality

REVIEWS = [
    "the film was good and funny",
    "this phone was awful after a week",
    "our hotel was lovely and quiet",
]


@pytest.mark.parametrize(
    ("X", "kwargs", "expected"),
    [
        (REVIEWS, {}, TEXT),
        (np.array(REVIEWS), {}, TEXT),
        (pd.Series(REVIEWS), {}, TEXT),
        (pd.DataFrame({"review": REVIEWS}), {}, TEXT),
        (pd.DataFrame({"review": REVIEWS, "stars": [5, 1, 4]}), {"text_column": "review"}, TEXT),
        (pd.DataFrame({"review": REVIEWS, "stars": [5, 1, 4]}), {"strategy": "hybrid"}, TEXT),
        (pd.DataFrame({"review": REVIEWS, "stars": [5, 1, 4]}), {"strategy": "pooled"}, TABULAR),
        (pd.DataFrame({"a": ["x", "y", "z"], "b": ["u", "v", "w"]}), {"text_column": "a"}, TEXT),
        (pd.DataFrame({"stars": [1, 2, 3]}), {"strategy": "feature_extraction"}, TEXT),
        (pd.DataFrame({"age": [31, 45, 52], "plan": ["a", "b", "a"]}), {}, TABULAR),
        (pd.DataFrame({"plan": ["basic", "plus", "basic"]}), {}, TABULAR),
        (pd.DataFrame({"code": ["a-1", "b-2", "a-1"], "plan": ["a", "b", "a"]}), {}, TABULAR),
        (pd.DataFrame({"dept": ["R & D dept"] * 3 + ["Sales"], "age": range(4)}), {}, TABULAR),
        (pd.DataFrame({"id": ["c7f1e2a0-5b1d-4c2e-9a7f", "d9e2"], "age": [1, 2]}), {}, TABULAR),
        (pd.DataFrame({"x": ["-0.12345678901234", "n/a?"], "age": [1, 2]}), {}, TABULAR),
        (pd.DataFrame({"review": REVIEWS}), {"strategy": "pooled"}, TABULAR),
        (np.zeros((3, 4)), {}, TABULAR),
        (np.zeros((3, 1)), {}, TABULAR),
        ([[1.0, 2.0], [3.0, 4.0]], {}, TABULAR),
    ],
)
def test_detect_modality(X, kwargs, expected):
    assert detect_modality(X, **kwargs) == expected


@pytest.mark.parametrize(
    "X",
    [
        pd.DataFrame({"review": REVIEWS, "stars": [5, 1, 4]}),
        pd.DataFrame({"id": [1, 2, 3], "plan": ["a", "b", "a"], "review": REVIEWS}),
    ],
)
def test_free_text_beside_other_columns_asks_which_is_meant(X):
    # Text would silently drop the other columns; a table would reduce the text to codes.
    from graft import TransferClassifier
    from graft.exceptions import DataError

    message = r"Column 'review' of X holds free text beside \d other.*text_column='review'"
    with pytest.raises(DataError, match=message):
        detect_modality(X)
    with pytest.raises(DataError, match=message):
        TransferClassifier(strategy="baseline").fit(X, [1, 0, 1])


def test_names_and_addresses_beside_other_columns_stay_table_columns():
    X = pd.DataFrame(
        {
            "name": ["Braund, Mr. Owen Harris", "Heikkinen, Miss. Laina", "Allen, Mr. William"],
            "address": ["12 Oak Street", "3 Mill Lane", "40 High Road"],
            "age": [22, 26, 35],
        }
    )
    assert detect_modality(X) == TABULAR


def test_tabular_strategy_on_text_is_a_clear_error():
    from graft import TransferClassifier
    from graft.exceptions import DataError

    with pytest.raises(DataError, match="tables only"):
        TransferClassifier(strategy="stacking", text_column="review").fit(
            pd.DataFrame({"review": REVIEWS}), [1, 0, 1]
        )


def test_text_strategy_on_a_table_is_a_clear_error():
    from graft import TransferClassifier
    from graft.exceptions import DataError

    X = pd.DataFrame({"age": [31, 45, 52, 60], "plan": ["a", "b", "a", "b"]})
    from graft.estimators.tabular import fit_tabular

    with pytest.raises(DataError, match="text only"):
        fit_tabular(TransferClassifier(strategy="hybrid"), X, [1, 0, 1, 0], None)


def test_the_strategy_that_tells_the_input_kind_decides_whatever_the_order():
    from graft.estimators.modality import kind_strategy

    assert kind_strategy(["baseline", "warm_start"]) == "warm_start"
    assert kind_strategy(["auto", "feature_extraction"]) == "feature_extraction"
    assert kind_strategy(["baseline", "auto"]) == "baseline"
    X = pd.DataFrame({"review": REVIEWS, "stars": [5, 1, 4]})
    assert detect_modality(X, strategy=kind_strategy(["baseline", "pooled"])) == TABULAR


SHORT = ["love it", "great", "awesome!", "so good", "nice one", "hate it", "awful", "so bad"]
SHORT = SHORT + [t.upper() for t in SHORT] + [t.title() + "!" for t in SHORT]  # 24 distinct


def test_a_lone_column_of_short_distinct_strings_is_text():
    # As a table's only column these would be category codes seen once each, and the
    # model would predict a constant.
    assert detect_modality(pd.DataFrame({"text": SHORT})) == TEXT
    assert detect_modality(pd.DataFrame({"plan": ["basic", "plus", "basic"] * 3})) == TABULAR
    # Beside another column the stricter prose rule still keeps them a table column.
    assert detect_modality(pd.DataFrame({"text": SHORT, "stars": range(24)})) == TABULAR
    # Too few values to tell, or mostly missing: a table's codes, as before.
    assert detect_modality(pd.DataFrame({"code": SHORT[:8]})) == TABULAR
    assert detect_modality(pd.DataFrame({"code": SHORT + [None] * 40})) == TABULAR


def test_a_lone_short_text_column_fits_a_text_model():
    from graft import TransferClassifier

    X = pd.DataFrame({"text": SHORT + [f"{text} now" for text in SHORT]})
    y = (["pos"] * 5 + ["neg"] * 3) * 6
    model = TransferClassifier(strategy="baseline", random_state=0).fit(X, y)
    assert model.modality_ == TEXT
    assert set(model.predict(pd.DataFrame({"text": SHORT}))) == {"pos", "neg"}


ZH_POS = ["这个产品非常好，我很喜欢", "非常满意，推荐购买给朋友", "物超所值，质量很棒"]
ZH_NEG = ["质量太差了，完全不能用", "糟糕透了，我要退货", "用了两天就坏了"]


def test_text_in_scripts_without_spaces_is_text_like_english():
    from graft.exceptions import DataError

    # Split on whitespace, a Chinese sentence was one word, so short reviews were read
    # as a table of category codes (and beside other columns never asked about).
    assert detect_modality(pd.DataFrame({"review": ZH_POS + ZH_NEG})) == TEXT
    assert (
        detect_modality(pd.DataFrame({"review": ["とても良い商品でした", "最悪です"] * 2})) == TEXT
    )
    assert detect_modality(pd.DataFrame({"review": ["정말 좋아요 추천합니다", "별로예요"]})) == TEXT
    long = pd.DataFrame(
        {"order_id": range(6), "review": [t + "，包装精美。" for t in ZH_POS + ZH_NEG]}
    )
    with pytest.raises(DataError, match=r"Column 'review' of X holds free text beside 1 other"):
        detect_modality(long)
    # Short category names stay categories, as in English.
    assert detect_modality(pd.DataFrame({"city": ["北京", "上海", "北京"] * 3})) == TABULAR
    plans = pd.DataFrame({"plan": ["高级会员", "普通会员"] * 3, "age": range(6)})
    assert detect_modality(plans) == TABULAR
