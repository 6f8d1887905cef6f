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
        "exercise": 1,
        "file": "src/iris_model/batch.py",
        "find": "scored = [score_file(pipeline, path) for path in files]",
        "replace": "tables = [pd.read_parquet(path) for path in files]\n"
        "    scored = [score(pipeline, table) for table in tables]",
        "breaks": "reads every file, then scores: every partition in memory at once",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/batch.py",
        "find": "return pd.concat(scored, ignore_index=True)",
        "replace": "return pd.concat(scored)",
        "breaks": "keeps each file's own row numbers (0, 1, … again per file)",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/on_dask.py",
        "find": "tasks = client.map(partial(score_file, pipeline), files)",
        "replace": "tasks = [score_file(pipeline, path) for path in files]",
        "breaks": "scores the files here, in a loop, instead of on the cluster given",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/on_dask.py",
        "find": "return pd.concat(client.gather(tasks), ignore_index=True)",
        "replace": "from dask.distributed import as_completed\n\n"
        "    return pd.concat([task.result() for task in as_completed(tasks)], "
        "ignore_index=True)",
        "breaks": "collects the scores as they complete (as_completed), out of the files' order",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/on_dask.py",
        "find": "return pd.concat(client.gather(tasks), ignore_index=True)",
        "replace": "return pd.concat(client.gather(tasks))",
        "breaks": "keeps each file's own row numbers on the cluster",
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
        "find": "inputs = {name: orbital.types.DoubleColumnType() for name in FEATURES}",
        "replace": "inputs = {name: orbital.types.FloatColumnType() for name in FEATURES}",
        "breaks": "types the inputs as float32 (orbital: 'Multi-class … not implemented')",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/sql.py",
        "find": "return portable(query, dialect)",
        "replace": "return query",
        "breaks": "returns orbital's query as it is (species as bytes, EXP underflowing)",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/sql.py",
        "find": "model.output_label AS predicted_species",
        "replace": "decode(model.output_label) AS predicted_species",
        "breaks": "decodes the label as if it were still bytes",
    },
    {
        "exercise": 4,
        "file": "COMPARISON.md",
        "find": "- dask rows/s: ",
        "replace": "- dask rows/s: about ",
        "breaks": "writes a figure as words",
    },
    {
        "exercise": 4,
        "file": "COMPARISON.md",
        "find": "<!-- Stage 6, exercise 4: how long one answer takes",
        "replace": "<!-- TODO Exercise 4: how long one answer takes",
        "breaks": "leaves a TODO comment in COMPARISON.md",
    },
    {
        "exercise": 4,
        "file": "COMPARISON.md",
        "find": "- cores: 2\n- rows: 3000000\n",
        "replace": "- cores: two\n- rows: 3,000,000\n",
        "breaks": "writes two figures badly (every one must be reported)",
    },
]
