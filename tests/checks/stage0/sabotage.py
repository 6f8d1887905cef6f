"""Mistakes planted in the solved stage 0 notebook: each must fail its exercise, no other.

Stage 0's code is notebook cells: each entry replaces ``find`` by ``replace`` in the first code
cell of ``file`` (from the kit's root) that holds it, and the check reads the answers the
notebook then makes (``kit.notebook_answers.run_notebook``).
"""

NOTEBOOK = "solutions/00_exploratory_notebook.ipynb"

SABOTAGES = [
    {
        "exercise": 2,
        "file": NOTEBOOK,
        "find": "probabilities.max(axis=1)",
        "replace": "probabilities[:, 0]",
        "breaks": "shows the probability of setosa, not of the predicted species",
    },
    {
        "exercise": 2,
        "file": NOTEBOOK,
        "find": 'pipeline.fit(flowers[features], flowers["species"])',
        "replace": 'pipeline.fit(df[features], df["label"])',
        "breaks": "fits the pipeline on Part 1's numeric labels: it predicts 0, 1, 2",
    },
    {
        "exercise": 2,
        "file": NOTEBOOK,
        "find": '"pipeline": pipeline.predict(new[features]),',
        "replace": '"pipeline": clf.predict(StandardScaler().fit_transform(new[features])),',
        "breaks": "scores the new flowers with a scaler fitted on them again, as Part 1 does",
    },
    {
        "exercise": 3,
        "file": NOTEBOOK,
        "find": 'stratify=flowers["species"], ',
        "replace": "",
        "breaks": "splits without keeping each species' share in the test set",
    },
    {
        "exercise": 3,
        "file": NOTEBOOK,
        "find": 'held_out_model.fit(train[features], train["species"])',
        "replace": 'held_out_model.fit(flowers[features], flowers["species"])',
        "breaks": "fits the evaluated model on every flower, the test flowers too",
    },
    {
        "exercise": 3,
        "file": NOTEBOOK,
        "find": 'held_out_model.score(test[features], test["species"])',
        "replace": 'held_out_model.score(train[features], train["species"])',
        "breaks": "measures the accuracy on the training flowers",
    },
    {
        "exercise": 2,
        "file": NOTEBOOK,
        "find": "probabilities = pipeline.predict_proba(new[features])",
        "replace": "probabilities = pipeline.predict_proba(X_new)",
        "breaks": "shows the probabilities of flowers scaled outside the Pipeline",
    },
    {
        "exercise": 3,
        "file": NOTEBOOK,
        "find": "test_size=0.3",
        "replace": "test_size=0.5",
        "breaks": "holds out half the flowers, not the 30 % the exercise names",
    },
]
