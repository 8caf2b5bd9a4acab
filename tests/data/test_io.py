"""Writing tables and JSON: atomic, with the permissions of a new file, and every failure
a DataError that leaves nothing behind."""

import json
import os
import stat
import warnings
from pathlib import Path

import pandas as pd
import pytest

from graft.data import io
from graft.exceptions import DataError

FRAME = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
UNWRITABLE = Path("/proc")  # writing fails there even for root, unlike a chmod-ed folder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write(kind: str, path: Path) -> None:
    if kind == "json":
        io.write_json({"a": 1}, path)
    else:
        io.write_table(FRAME, path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl", ".json"])
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, suffix, mask, expected):
    umask(mask)
    path = tmp_path / f"out{suffix}"

    _write("json" if suffix == ".json" else "table", path)

    assert _mode(path) == expected
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_default_mode_leaves_the_umask_unchanged(umask):
    umask(0o027)

    assert io.default_mode() == 0o640
    assert io.default_mode(directory=True) == 0o750
    assert os.umask(0o027) == 0o027


@pytest.mark.parametrize("kind", ["table", "json"])
def test_a_folder_as_the_output_is_refused(tmp_path, kind):
    folder = tmp_path / "out.csv"
    folder.mkdir()

    with pytest.raises(DataError, match="is a folder"):
        _write(kind, folder)

    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not UNWRITABLE.is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("kind", ["table", "json"])
def test_an_unwritable_folder_is_refused(kind):
    with pytest.raises(DataError, match="Output folder /proc is not writable"):
        _write(kind, UNWRITABLE / "out.csv")


def test_check_output_file_names_a_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        io.check_output_file(tmp_path / "no" / "out.csv")


def test_parquet_refuses_a_column_mixing_types_and_leaves_nothing(tmp_path):
    frame = FRAME.assign(note=pd.Series([1, "x"], dtype=object))

    with pytest.raises(DataError, match="'note' mix value types") as info:
        io.write_table(frame, tmp_path / "out.parquet")

    assert "out.csv" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    io.write_table(frame, tmp_path / "out.csv")  # CSV holds them as text
    assert pd.read_csv(tmp_path / "out.csv")["note"].tolist() == ["1", "x"]


def test_a_failing_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_text('{"old": true}')

    def broken_dump(obj, handle, **kwargs):
        handle.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(io.json, "dump", broken_dump)

    with pytest.raises(DataError, match="disk full"):
        io.write_json({"new": True}, path)

    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_text_columns_keep_leading_zeros(tmp_path):
    csv, jsonl = tmp_path / "d.csv", tmp_path / "d.jsonl"
    csv.write_text("store,value\n001,1\n01,2\n")
    jsonl.write_text('{"store": "001", "value": 1}\n{"store": "1", "value": 2}\n')
    assert io.read_table(csv, text_columns=("store",))["store"].tolist() == ["001", "01"]
    assert io.read_table(jsonl, text_columns=("store",))["store"].tolist() == ["001", "1"]
    assert io.read_table(csv)["store"].tolist() == [1, 1]  # without it, pandas' numbers


def test_jsonl_numbers_in_date_named_columns_stay_numbers(tmp_path):
    # pandas' read_json turned numbers in columns named like dates into datetimes, so the
    # same rows predicted differently from CSV and fit refused them as dates.
    frame = pd.DataFrame(
        {name: [1_650_000_000, 1_660_000_000] for name in ("signup_at", "end_time", "date")}
        | {"timestamp": [1, 2], "modified": [1.5, 2.5]}
    )
    frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
    frame.to_csv(tmp_path / "d.csv", index=False)
    jsonl, csv = io.read_table(tmp_path / "d.jsonl"), io.read_table(tmp_path / "d.csv")
    pd.testing.assert_frame_equal(jsonl, csv)
    assert jsonl.dtypes.map(pd.api.types.is_numeric_dtype).all()


def test_jsonl_timestamps_stay_text_that_forecasting_still_parses(tmp_path):
    from graft.data.timeseries import parse_times

    path = tmp_path / "s.jsonl"
    path.write_text('{"timestamp": "2024-01-01", "v": 1}\n{"timestamp": "2024-01-02", "v": 2}\n')
    column = io.read_table(path)["timestamp"]
    assert column.tolist() == ["2024-01-01", "2024-01-02"]
    assert parse_times(column, "timestamp", "s").tolist() == list(
        pd.to_datetime(["2024-01-01", "2024-01-02"])
    )


def test_jsonl_strings_stay_strings_and_numbers_numbers(tmp_path):
    # Outside text_columns pandas inferred types, so codes "001" / "010" became 1 / 10.
    path = tmp_path / "codes.jsonl"
    lines = [
        '{"dept": "001", "n": 1, "x": 1.5, "ok": true, "price": "2.50", "gap": 3}',
        '{"dept": "010", "n": 2, "x": null, "ok": false, "price": "3.00", "gap": null}',
    ]
    path.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor a pandas deprecation warning on every read
        frame = io.read_table(path)
    assert frame["dept"].tolist() == ["001", "010"]
    assert frame["price"].tolist() == ["2.50", "3.00"]
    assert frame["n"].dtype == "int64" and frame["x"].dtype == "float64"
    assert frame["ok"].dtype == bool and frame["gap"].tolist()[0] == 3


def test_csv_rows_with_a_trailing_delimiter_keep_their_columns(tmp_path, recwarn):
    # pandas took the first field of each row as the index and shifted every column one
    # place: "plan" held the churn answers.
    path = tmp_path / "tr.csv"
    path.write_text("age,income,plan,churn\n21,7,p1,no,\n22,14,p2,yes,\n")
    frame = io.read_table(path, text_columns=("plan",))
    assert frame.to_dict("list") == {
        "age": [21, 22],
        "income": [7, 14],
        "plan": ["p1", "p2"],
        "churn": ["no", "yes"],
    }
    assert not [w for w in recwarn if issubclass(w.category, pd.errors.ParserWarning)]


def test_csv_row_names_without_a_header_name_are_row_names(tmp_path):
    # pandas' to_csv(index_label=False) and R's write.table: one field more per row than
    # the header, the first holding row names.
    path = tmp_path / "named.csv"
    path.write_text("area,rooms,price\nh0,106.4,4,1000.5\nh1,80.0,3,900.0\n")
    frame = io.read_table(path)
    assert frame.to_dict("list") == {
        "area": [106.4, 80.0],
        "rooms": [4, 3],
        "price": [1000.5, 900.0],
    }
    r_layout = tmp_path / "r.csv"
    r_layout.write_text("a,b,c\n1,2,3,\n2,5,6,9\n")  # numbered rows, c empty in one
    r_frame = io.read_table(r_layout)
    assert r_frame[["a", "b"]].to_dict("list") == {"a": [2, 5], "b": [3, 6]}
    assert r_frame["c"].isna().tolist() == [True, False] and r_frame["c"].iloc[1] == 9


@pytest.mark.parametrize(
    "text",
    [
        "a,b,c\n1,2,3, \n4,5,6, \n",  # a delimiter and a space
        "a,b,c\n\n1,2,3,\n4,5,6,\n",  # a blank line after the header
        "a,b,c\nx,2,3,\ny,5,6\n",  # only some rows end with a delimiter
        "a,b,c\n2024-01-01,2,3,\n,5,6,\n",  # dates, and a missing first value
    ],
)
def test_empty_fields_beyond_the_header_are_dropped(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text)
    frame = io.read_table(path)
    assert list(frame.columns) == ["a", "b", "c"] and frame["c"].tolist() == [3, 6]


def test_row_names_with_a_last_column_of_na_text_are_row_names(tmp_path):
    path = tmp_path / "r.csv"  # R's write.table of a frame whose label is all NA
    path.write_text('"x","label"\n"1",0.5,NA\n"2",0.7,NA\n')
    frame = io.read_table(path)
    assert frame["x"].tolist() == [0.5, 0.7] and frame["label"].isna().all()


def test_row_names_keep_the_text_columns_read_as_written(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('review,label\n1,"great film",1\n2,"NA",0\n')
    frame = io.read_table(path, text_columns=("review",))
    assert frame["review"].tolist() == ["great film", "NA"]


def test_row_names_with_a_whitespace_line_and_a_very_long_field_read(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('"a","b"\n"x",1,"' + "long " * 40_000 + '"\n"y",3,"short"\n \n')
    frame = io.read_table(path)
    assert frame["a"].tolist() == [1, 3] and len(frame["b"].iloc[0]) == 200_000


def test_a_value_beyond_the_header_on_some_rows_is_a_one_line_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3,9\n4,5,6\n7,8,9\n")
    with pytest.raises(
        DataError, match=r"x.csv line 2 has 4 fields but the header names 3 .*not every row"
    ):
        io.read_table(path)


def test_a_jsonl_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"review": "great", "label": "pos"}\n{"review": "bad", "label": "neg"}\n'
    )
    assert io.read_table(path).to_dict("list") == {
        "review": ["great", "bad"],
        "label": ["pos", "neg"],
    }


CAFE = "review,label\ncaf\u00e9 tr\u00e8s bon,pos\n".encode("cp1252")
ARRAY = b'[{"review": "great", "label": "pos"},\n {"review": "bad"}]\n'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # One column named "review;sentiment" made --label sentiment "not in" the file.
        ("semi.csv", b"review;sentiment\ngreat, really;pos\nbad;neg\n", "seems to use semicolons"),
        ("tabs.csv", b"review\tsentiment\ngreat\tpos\nbad\tneg\n", "seems to use tabs"),
        ("arr.jsonl", ARRAY, "holds a JSON array"),  # was one row of columns 0, 1, 2, ...
        ("cp.csv", CAFE, r"is not UTF-8 text \(byte 0xe9"),
        ("cp.jsonl", '{"review": "caf\u00e9"}\n'.encode("cp1252"), "is not UTF-8 text"),
    ],
)  # fmt: skip
def test_other_dialects_get_a_one_line_error_naming_the_fix(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        io.read_table(path)
    assert "\n" not in str(info.value)
    assert "save it" in str(info.value) or "write one record per line" in str(info.value)


def test_json_reports_hold_no_nan(tmp_path):
    path = io.write_json({"r2": float("nan"), "scores": [1.0, float("inf")]}, tmp_path / "r.json")
    assert json.loads(path.read_text()) == {"r2": None, "scores": [1.0, None]}


def test_jsonl_writes_timestamps_as_iso_text_keeping_their_zone(tmp_path):
    # pandas writes epoch milliseconds by default: the zone is lost and the file does not
    # read back as dates.
    frame = pd.DataFrame(
        {
            "hour": pd.date_range("2024-03-01", periods=2, freq="h"),
            "local": pd.date_range("2024-03-01", periods=2, freq="h", tz="Europe/Paris"),
            "day": pd.to_datetime(["2024-03-01", None]),
            "value": [1.5, 2.0],
        }
    )
    path = io.write_table(frame, tmp_path / "p.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows[0] == {
        "hour": "2024-03-01T00:00:00",
        "local": "2024-03-01T00:00:00+01:00",
        "day": "2024-03-01",
        "value": 1.5,
    }
    assert rows[1]["day"] is None
    back = io.read_table(path)
    assert (pd.to_datetime(back["local"]) == frame["local"]).all()
    assert (pd.to_datetime(back["hour"]) == frame["hour"]).all()
