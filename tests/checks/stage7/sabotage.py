"""Mistakes planted in a copy of the stage 7 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``.
"""

SABOTAGES = [
    {
        "exercise": 2,
        "file": "src/iris_model/records.py",
        "find": "        except OSError as error:\n",
        "replace": "        except ValueError as error:\n",
        "breaks": "lets a record that cannot be written fail the request",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/drift.py",
        "find": "threshold = alpha / len(data.FEATURES)",
        "replace": "threshold = alpha",
        "breaks": "gives each of the four tests the whole false-alarm budget",
    },
    {
        "exercise": 4,
        "file": "src/iris_model/drift_report.py",
        "find": "src='data:image/png;base64,{encoded}'",
        "replace": "src='https://plots.example.com/{name}.png'",
        "breaks": "links the plots from a web server instead of putting them in the page",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/card.py",
        "find": '    card.add_metrics(**metadata["metrics"])\n',
        "replace": "",
        "breaks": "leaves the metrics out of the card",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/records.py",
        "find": 'now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")',
        "replace": 'now = datetime.now().isoformat(timespec="milliseconds")',
        "breaks": "stamps records with the machine's local time and no UTC offset",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/records.py",
        "find": 'now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")',
        "replace": 'now = datetime.now().astimezone().isoformat(timespec="milliseconds")',
        "breaks": "stamps records with the local time and its offset, not UTC",
    },
    {
        "exercise": 2,
        "file": "src/iris_model/records.py",
        "find": "self.failures += len(flowers)",
        "replace": "self.failures += 1",
        "breaks": "counts a lost batch as one lost line",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/drift.py",
        "find": "drifted=bool(test.pvalue < alpha),",
        "replace": "drifted=bool(test.pvalue < alpha / len(data.CLASSES)),",
        "breaks": "divides the answers test's alpha by the species, as if it were three tests",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/drift.py",
        "find": "[share * len(served) for share in shares.values()]",
        "replace": "[reference_counts[species] for species in data.CLASSES]",
        "breaks": "expects the reference's counts, not its shares of the served total",
    },
    {
        "exercise": 3,
        "file": "src/iris_model/drift.py",
        "find": "observed = {species: served_counts[species] for species in data.CLASSES}",
        "replace": "observed = dict(served_counts)",
        "breaks": "counts the served species in the order they came, leaving out the unanswered",
    },
    {
        "exercise": 4,
        "file": "src/iris_model/drift_report.py",
        "find": 'encoded = base64.b64encode(buffer.getvalue()).decode("ascii")',
        "replace": "encoded = base64.b64encode(buffer.getvalue())",
        "breaks": "puts the base64 bytes' Python repr (b'iVBOR…') into the page",
    },
    {
        "exercise": 4,
        "file": "src/iris_model/drift_report.py",
        "find": "base64.b64encode(buffer.getvalue())",
        "replace": "base64.b64encode(buffer.read())",
        "breaks": "reads the buffer from where savefig left it (its end): an empty image",
    },
    {
        "exercise": 1,
        "file": "src/iris_model/card.py",
        "find": '            "Model Card Contact": REPORT_A_PROBLEM,\n',
        "replace": "",
        "breaks": "leaves out whom to tell when the model is wrong",
    },
]
