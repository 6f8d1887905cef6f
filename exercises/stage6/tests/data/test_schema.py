"""The data's expectations: the shipped data meets them, and bad rows are named."""

import pandas as pd
import pytest

from iris_model import schema
from iris_model.data import CLASSES, FEATURES, DataError, check_table


def test_the_shipped_data_meets_the_schema(iris: pd.DataFrame):
    assert len(iris) == 150
    assert iris[list(FEATURES)].dtypes.eq("float64").all()


def test_the_shipped_data_has_fifty_flowers_of_each_species(iris: pd.DataFrame):
    assert iris["species"].value_counts().to_dict() == {name: 50 for name in CLASSES}


def test_whole_numbers_are_accepted_as_centimetres():
    frame = pd.DataFrame([[5, 3, 1, 1]], columns=list(FEATURES))
    assert check_table(frame, schema.MEASUREMENTS, "whole.csv").dtypes.eq("float64").all()


def test_extra_columns_are_kept_when_predicting(iris: pd.DataFrame):
    checked = check_table(iris.assign(flower_id=range(150)), schema.MEASUREMENTS, "ids.csv")
    assert "flower_id" in checked.columns


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("petal_length", -1.4, "value -1.4 fails greater_than(0)"),
        ("sepal_width", 0.0, "value 0.0 fails greater_than(0)"),
        ("sepal_length", 510.0, "value 510.0 fails less_than(100.0)"),
        ("petal_width", None, "value is missing"),
        ("sepal_width", "wide", "value 'wide' fails coerce_dtype('float64')"),
        ("species", "rose", "value 'rose' fails isin"),
        ("species", None, "value is missing"),
    ],
)
def test_a_bad_value_is_named_by_column_and_row(iris, column: str, value, problem: str):
    bad = iris.astype({column: object})
    bad.loc[6, column] = value
    with pytest.raises(DataError) as error:
        check_table(bad, schema.LABELLED, "flowers.csv")
    assert f"flowers.csv: column '{column}', row 7: {problem}" in str(error.value)


def test_a_missing_column_is_named(iris: pd.DataFrame):
    with pytest.raises(DataError, match="column 'petal_width' is missing"):
        check_table(iris.drop(columns="petal_width"), schema.LABELLED, "flowers.csv")


def test_labels_are_not_needed_to_predict(iris: pd.DataFrame):
    measurements = iris.drop(columns="species")
    assert len(check_table(measurements, schema.MEASUREMENTS, "new.csv")) == 150
