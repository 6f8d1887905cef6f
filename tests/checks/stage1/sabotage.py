"""Mistakes planted in a copy of the stage 1 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``; ``also`` names the exercises allowed
to fail with it (the whole-package exercise, where the package's own suite catches it too).
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "iris_model/logs.py",
        "find": "    logger.addHandler(to_file)\n",
        "replace": "",
        "breaks": "logs to the terminal only, not to the run's log file",
    },
    {
        "exercise": 2,
        "file": "iris_model/cli.py",
        "find": '        log.error("%s", error)\n        return 2\n',
        "replace": "        raise\n",
        "breaks": "re-raises input errors (a traceback, exit status 1) instead of exit 2",
    },
    {
        "exercise": 3,
        "file": "iris_model/data.py",
        "find": "random_state=seed, stratify=frame[TARGET]",
        "replace": "random_state=seed, stratify=None",
        "breaks": "splits without keeping each species' share on both sides",
    },
    {
        "exercise": 4,
        "file": "iris_model/model.py",
        "find": '[("scale", StandardScaler()), ("classify", classifier)]',
        "replace": '[("classify", classifier)]',
        "breaks": "leaves the scaler out of the pipeline",
    },
    {
        "exercise": 5,
        "file": "iris_model/config.py",
        "find": "value = yaml.safe_load(raw_value)",
        "replace": "value = raw_value",
        "breaks": "keeps a patched value as text: model.C=0.5 becomes the string '0.5'",
    },
    {
        "exercise": 2,
        "file": "iris_model/cli.py",
        "find": "except (data.DataError, ConfigError, FileNotFoundError) as error:",
        "replace": "except (data.DataError, ConfigError) as error:",
        "breaks": "lets predict's missing model file end in a traceback",
    },
    {
        "exercise": 4,
        "file": "iris_model/model.py",
        "find": "max(axis=1), 4)\n    return result\n",
        "replace": 'max(axis=1), 4)\n    return result.sort_values("predicted_species")\n',
        "breaks": "writes the predictions grouped by species, not in the input's order",
    },
    {
        "exercise": 1,
        "file": "iris_model/logs.py",
        "find": 'to_file = logging.FileHandler(log_file, mode="w"',
        "replace": 'to_file = logging.FileHandler(log_file, mode="a"',
        "breaks": "adds each run's log to the last one's instead of starting it afresh",
    },
]
