"""Mistakes planted in a copy of the stage 2 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``; ``also`` names the exercises allowed
to fail with it (exercise 6: the package's own test suite catches it too).
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "src/iris_model/schema.py",
        "find": "[pa.Check.gt(0), pa.Check.lt(MAX_CM)]",
        "replace": "[pa.Check.gt(0)]",
        "breaks": "accepts a length of 250 cm",
        "also": (6,),
    },
    {
        "exercise": 2,
        "file": "src/iris_model/data.py",
        "find": "int(first['index']) + 1",
        "replace": "int(first['index'])",
        "breaks": "counts rows from 0 in its error messages",
        "also": (6,),
    },
    {
        "exercise": 3,
        "file": "src/iris_model/artifact.py",
        "find": '        "data_sha256": sha256_of(data_path),\n',
        "replace": "",
        "breaks": "leaves the training data's SHA-256 out of the metadata",
        "also": (6,),
    },
    {
        "exercise": 4,
        "file": "src/iris_model/artifact.py",
        "find": "if sha256_of(model_path) != expected_sha256:",
        "replace": "if False:",
        "breaks": "no longer compares the model file's SHA-256",
        "also": (6,),
    },
    {
        "exercise": 5,
        "file": "tests/model/test_behaviour.py",
        "find": "    assert (np.diff(probabilities) > 0).all(), probabilities\n",
        "replace": "    assert len(probabilities) == 4\n",
        "breaks": "makes the learner's own test one that cannot fail",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/schema.py",
        "find": "[pa.Check.gt(0), pa.Check.lt(MAX_CM)]",
        "replace": "[pa.Check.ge(0), pa.Check.lt(MAX_CM)]",
        "breaks": "lets a measurement of 0 cm through",
        "also": (6,),
    },
]
