"""Mistakes planted in a copy of the stage 5 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``; ``waits`` names the exercises that
cannot pass without the broken one, so WAIT for it: a model folder DVC only half tracks can be
neither restored for an experiment (exercise 3) nor pulled back whole (exercise 4).
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "src/iris_model/cli.py",
        "find": "return data.read_table(url, table_schema)",
        "replace": "return pd.read_csv(url)",
        "breaks": "reads a step's input without checking it against the schema",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/cli.py",
        "find": 'raise StepInputError(f"{step} stopped: {error}") from None',
        "replace": "raise StepInputError(str(error)) from None",
        "breaks": "refuses bad data without saying which step stopped",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/cli.py",
        "find": 'raise StepInputError(f"{step} stopped: {error}") from None',
        "replace": 'raise StepInputError(f"prepare stopped: {error}") from None',
        "breaks": "names the first step whichever step refused its input",
    },
    {
        "exercise": 2,
        "file": "dvc.yaml",
        "find": "      - seed\n      - model\n",
        "replace": "      - seed\n",
        "breaks": "leaves the model parameters out of train's params",
    },
    {
        "exercise": 2,
        "file": "dvc.yaml",
        "find": "      - runs/prepared/train.csv\n      - runs/validation.json\n",
        "replace": "      - runs/prepared/train.csv\n",
        "breaks": "lets train run without waiting for validate (no runs/validation.json in deps)",
    },
    {
        "exercise": 2,
        "file": "dvc.yaml",
        "find": "      - runs/validation.json\n      - src/iris_model\n",
        "replace": "      - runs/validation.json\n",
        "breaks": "leaves the package's code out of train's deps",
    },
    {
        "exercise": 2,
        "file": "dvc.yaml",
        "find": "      - model\n    outs:\n      - runs/model\n",
        "replace": "      - model\n    outs:\n      - runs/model/model.skops\n",
        "breaks": "names the model file alone as train's output, not the folder it writes",
        "waits": (3, 4),
    },
    {
        "exercise": 2,
        "file": "dvc.yaml",
        "find": "      - seed\n      - model\n",
        "replace": "      - seed\n      - model.C\n",
        "breaks": "names one model parameter in train's params, not every one it reads",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/experiments.py",
        "find": "repo.experiments.run(params=list(patches))",
        "replace": "repo.experiments.run()",
        "breaks": "runs the experiment without the patch",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/experiments.py",
        "find": 'table["name"] = table["Experiment"].fillna(table["rev"])',
        "replace": 'table["name"] = table["rev"]',
        "breaks": "names every row by its revision, an experiment by its commit, not its name",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/experiments.py",
        "find": 'table["name"] = table["Experiment"].fillna(table["rev"])',
        "replace": 'table["name"] = table["Experiment"]',
        "breaks": "leaves the workspace and the branch rows without a name",
    },
    {
        "exercise": 4,
        "file": ".dvc/config",
        "find": "    remote = store\n",
        "replace": "",
        "breaks": "declares the store but does not make it the default remote",
    },
    {
        "exercise": 4,
        "file": ".dvc/config",
        "find": "    url = s3://iris-kit/pipeline\n",
        "replace": (
            "    url = s3://iris-kit/pipeline\n"
            "    access_key_id = kit-local\n"
            "    secret_access_key = kit-local\n"
        ),
        "breaks": "writes the store's credentials into the tracked .dvc/config",
    },
    {
        "exercise": 4,
        "file": ".dvc/config",
        "find": "    url = s3://iris-kit/pipeline\n",
        "replace": "    url = s3://iris-kit\n",
        "breaks": "pushes to the bucket's top, not the folder the text names",
    },
]
