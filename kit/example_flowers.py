"""Two flowers whose species no model of the course doubts, as a stage's API takes them.

The demo, the benchmark, the image tests and the stage checks all ask a service about them;
written once here, so a change to the request body's shape is made in one place.
"""

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}
