"""Mistakes planted in a copy of the stage 6 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``.
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "src/iris_model/batch.py",
        "find": "scored = [score_file(pipeline, path) for path in files]",
        "replace": "scored = [score_file(pipeline, path) for path in files[::-1]]",
        "breaks": "scores the files in reverse order",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/on_dask.py",
        "find": "tasks = client.map(partial(score_file, pipeline), files)",
        "replace": "tasks = [score_file(pipeline, path) for path in files]",
        "breaks": "scores the files here, in a loop, instead of on the cluster given",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/sql.py",
        "find": "for name in pipeline.classes_)",
        "replace": "for name in pipeline.classes_[:1])",
        "breaks": "gives every flower the probability of setosa",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/sql.py",
        "find": "orbital.parse_pipeline(pipeline, features=inputs), dialect)",
        "replace": "orbital.parse_pipeline(pipeline, features=inputs))",
        "breaks": "writes DuckDB's SQL whatever the dialect asked",
    },
    {
        "exercise": 4,
        "file": "COMPARISON.md",
        "find": "- dask rows/s: ",
        "replace": "- dask rows/s: about ",
        "breaks": "writes a figure as words",
    },
]
