"""The consistency check of an evaluation's free text against its figures ("两张皮"): the
sentences whose budget figures, rate, score, grade or counts contradict what was entered.

`numbers`, `rules` and `check` know nothing of Django (they read text and plain values);
`selectors` builds their input from an evaluation.
"""
