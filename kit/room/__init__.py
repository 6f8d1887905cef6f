"""The room: the instructor's local-network server and the learners' side of it.

``server`` (``make room``) serves ``app``: a live board of opt-in check results (``board``
holds them, ``messages`` says what may be sent, ``openapi`` describes it) and the wheelhouse as
a package index (``index``; ``wheelhouse`` fills it). ``learner`` is the laptop's side:
``make join``, ``make leave``, ``make hand``, and the one message a check sends once joined.
"""
