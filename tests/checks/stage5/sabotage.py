"""Mistakes planted in a copy of the stage 5 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``.
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "dvc.yaml",
        "find": "      - seed\n      - model\n",
        "replace": "      - seed\n",
        "breaks": "leaves the model parameters out of train's params",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/steps.py",
        "find": "return data.read_table(url, table_schema)",
        "replace": "return pd.read_csv(url)",
        "breaks": "reads a step's input without checking it against the schema",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/experiments.py",
        "find": "repo.experiments.run(params=list(patches))",
        "replace": "repo.experiments.run()",
        "breaks": "runs the experiment without the patch",
    },
    {
        "exercise": 4,
        "file": ".dvc/config",
        "find": "    remote = store\n",
        "replace": "",
        "breaks": "declares the store but does not make it the default remote",
    },
]
