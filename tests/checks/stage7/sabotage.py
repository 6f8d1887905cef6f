"""Mistakes planted in a copy of the stage 7 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``.
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "src/iris_model/records.py",
        "find": "        except OSError as error:\n",
        "replace": "        except ValueError as error:\n",
        "breaks": "lets a record that cannot be written fail the request",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/drift.py",
        "find": "threshold = alpha / len(data.FEATURES)",
        "replace": "threshold = alpha",
        "breaks": "gives each of the four tests the whole false-alarm budget",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/drift_report.py",
        "find": "src='data:image/png;base64,{encoded}'",
        "replace": "src='https://plots.example.com/{name}.png'",
        "breaks": "links the plots from a web server instead of putting them in the page",
    },
    {
        "exercise": 4,
        "file": "src/iris_model/card.py",
        "find": '    card.add_metrics(**metadata["metrics"])\n',
        "replace": "",
        "breaks": "leaves the metrics out of the card",
    },
]
