"""Generated flowers: seeded, numbered, plausible."""

from pathlib import Path

import pandas as pd
import pytest

from iris_model import data, flowers, schema
from iris_model.flowers import ID


def test_the_same_seed_writes_the_same_files(iris: pd.DataFrame, tmp_path: Path):
    first = flowers.write_flowers(iris, tmp_path / "a", 1_000, partitions=2)
    again = flowers.write_flowers(iris, tmp_path / "b", 1_000, partitions=2)
    for one, other in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(other))


def test_ids_count_from_0_across_the_files_in_order(flower_files: list[Path]):
    ids = pd.concat(map(pd.read_parquet, flower_files))[ID]
    assert ids.tolist() == list(range(len(ids)))


def test_generated_flowers_pass_the_measurement_schema(flower_files: list[Path]):
    frame = pd.concat(map(pd.read_parquet, flower_files), ignore_index=True)
    data.check_table(frame, schema.MEASUREMENTS, "generated flowers")


def test_more_partitions_than_rows_is_refused(iris: pd.DataFrame, tmp_path: Path):
    with pytest.raises(ValueError, match="rows >= partitions"):
        flowers.write_flowers(iris, tmp_path, rows=3, partitions=8)


def test_an_empty_folder_says_what_to_do(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="write some flowers first"):
        flowers.flower_files(tmp_path)
