"""Reading and splitting tables."""

from pathlib import Path

import pandas as pd
import pytest

from iris_model import data, schema


def test_split_is_stratified_and_reproducible(iris: pd.DataFrame):
    train, test = data.split(iris, test_size=0.3, seed=42)
    again, _ = data.split(iris, test_size=0.3, seed=42)
    assert len(test) == 45
    assert test[data.TARGET].value_counts().to_dict() == {name: 15 for name in data.CLASSES}
    pd.testing.assert_frame_equal(train, again)


def test_features_are_float64_in_feature_order(iris: pd.DataFrame):
    shuffled_columns = iris[list(reversed(iris.columns))]
    rows = data.features(shuffled_columns)
    assert rows.dtype == "float64"
    assert rows[0].tolist() == iris.loc[0, list(data.FEATURES)].tolist()


def test_reading_a_missing_file_says_so(tmp_path: Path):
    with pytest.raises(data.DataError, match="not found"):
        data.read_table(tmp_path / "absent.csv", schema.MEASUREMENTS)


def test_reading_an_empty_file_says_so(tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(data.DataError, match="empty"):
        data.read_table(empty, schema.MEASUREMENTS)


def test_a_header_without_rows_is_refused(tmp_path: Path):
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(data.FEATURES) + "\n")
    with pytest.raises(data.DataError, match="no rows"):
        data.read_table(header_only, schema.MEASUREMENTS)


def test_a_file_in_another_encoding_is_refused_naming_it(tmp_path: Path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((",".join(data.FEATURES) + ",espèce\n").encode("latin-1"))
    with pytest.raises(data.DataError, match=r"latin1\.csv is not UTF-8 text"):
        data.read_table(latin1, schema.MEASUREMENTS)


def test_a_binary_file_is_refused_naming_it(tmp_path: Path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128)) * 4)
    with pytest.raises(data.DataError, match=r"binary\.csv is not a CSV table"):
        data.read_table(binary, schema.MEASUREMENTS)


def test_written_tables_read_back_unchanged(iris: pd.DataFrame, tmp_path: Path):
    path = tmp_path / "out" / "iris.csv"
    data.write_table(iris, path)
    pd.testing.assert_frame_equal(data.read_table(path, schema.LABELLED), iris)
