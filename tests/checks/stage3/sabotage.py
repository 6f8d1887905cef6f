"""Mistakes planted in a copy of the stage 3 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``; ``also`` names the exercises allowed
to fail with it (exercise 6: the API's own test suite catches it too).
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "src/iris_model/routes.py",
        "find": "    return jsonify(_service().info())\n",
        "replace": "    return jsonify(_service().model.metadata)\n",
        "breaks": "shows the model's private configuration at /model",
        "also": (6,),
    },
    {
        "exercise": 4,
        "file": "src/iris_model/routes.py",
        "find": 'predictions=_service().predict(batch["instances"])',
        "replace": 'predictions=_service().predict(batch["instances"])[::-1]',
        "breaks": "answers a batch in reverse order",
        "also": (6,),
    },
    {
        "exercise": 4,
        "file": "src/iris_model/routes.py",
        "find": "flower = read_flower(_json_body())",
        "replace": "flower = read_flower(request.get_data())",
        "breaks": "reads a flower whatever the body's Content-Type says",
        "also": (6,),
    },
    {
        "exercise": 5,
        "file": "src/iris_model/errors.py",
        "find": '    response.headers["X-Request-ID"] = request_id\n',
        "replace": "",
        "breaks": "leaves the request id out of a 500's headers",
        "also": (6,),
    },
    {
        "exercise": 5,
        "file": "src/iris_model/errors.py",
        "find": 'f"[{part}]" if isinstance(part, int)',
        "replace": 'f".{part}" if isinstance(part, int)',
        "breaks": "names a flower in a batch instances.3 instead of instances[3]",
        "also": (6,),
    },
    {
        "exercise": 4,
        "file": "src/iris_model/routes.py",
        "find": "flower = read_flower(_json_body())",
        "replace": "flower = request.get_json()",
        "breaks": "reads a flower with Flask's get_json, never through read_flower",
        "also": (6,),
    },
    {
        "exercise": 2,
        "file": "src/iris_model/service.py",
        "find": "argmax(axis=1)",
        "replace": "argmax(axis=0)",
        "breaks": "names a species per class column, not each flower's most likely one",
        "also": (4, 6),
    },
    {
        "exercise": 3,
        "file": "src/iris_model/payloads.py",
        "find": "if len(result) != len(pairs):",
        "replace": "if len(result) > len(pairs):",
        "breaks": "accepts a JSON object that names a field twice",
        "also": (6,),
    },
]
