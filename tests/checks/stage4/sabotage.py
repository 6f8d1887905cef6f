"""Mistakes planted in a copy of the stage 4 reference: each must fail its exercise, no other.

Each entry replaces ``find`` by ``replace`` in ``file``; ``also`` names the exercises allowed
to fail with it (exercise 6: hadolint or the served image catches it too).
"""

SABOTAGES = [
    {
        "exercise": 1,
        "file": "gunicorn.conf.py",
        "find": "environ.get('HOST', '0.0.0.0')",
        "replace": "'0.0.0.0'",
        "breaks": "ignores HOST",
    },
    {
        "exercise": 2,
        "file": "Dockerfile",
        "find": "USER 10001:10001",
        "replace": "USER root",
        "breaks": "runs the service as root",
        "also": (6,),
    },
    {
        "exercise": 3,
        "file": "Dockerfile",
        "find": "'http://127.0.0.1:' + os.environ['PORT'] + '/health'",
        "replace": "'http://127.0.0.1:8000/health'",
        "breaks": "asks for health on port 8000 whatever PORT says",
        "also": (6,),
    },
    {
        "exercise": 4,
        "file": "Dockerfile",
        "find": 'CMD ["gunicorn", "--config", "/app/gunicorn.conf.py"]',
        "replace": "CMD gunicorn --config /app/gunicorn.conf.py",
        "breaks": "starts gunicorn in shell form, behind a shell that swallows SIGTERM",
        "also": (6,),
    },
    {
        "exercise": 5,
        "file": "requirements.txt",
        "find": "flask==3.1.3",
        "replace": "flask",
        "breaks": "leaves flask unpinned",
    },
    {
        "exercise": 1,
        "file": "gunicorn.conf.py",
        "find": "bind = address(os.environ)",
        "replace": 'bind = "0.0.0.0:8000"',
        "breaks": "binds a fixed address, whatever address() makes of HOST and PORT",
        "also": (6,),
    },
    {
        "exercise": 1,
        "file": "gunicorn.conf.py",
        "find": 'int(environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)',
        "replace": "int(os.cpu_count() or 1)",
        "breaks": "ignores WEB_CONCURRENCY: nobody can set the number of workers",
    },
]
