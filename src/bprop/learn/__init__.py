"""``bprop learn``: a course of exercises from the book's chapter 3 to the Transformer, graded by the checker.

A workspace (``bprop learn init DIR``) holds one file per exercise, numbered in the books' order, each
opening with its statement (the task, the formula, the shapes) and a ``TODO`` where the learner writes.
``bprop learn check`` grades a file in a child process with ``bprop check``'s machinery, then compares it
with the course's reference solution on the exercise's own inputs (and a teacher's hidden ones), and says
what is wrong in the learner's language.

    catalog.py    the exercises shipped as package data (exercises/<chapter>/<NN_name>/), their texts
    workspace.py  a workspace on disk: init (never overwriting), reset with a backup, finding it
    progress.py   the progress file: JSON, written atomically, checked on reading
    course.py     what the commands do: statuses, the next exercise, check, hint, solution, reset
    grading.py    the parent's side of grading: batches of exercises in one child, timeouts
    sandbox.py    the child: loads a learner's file, checks it, compares it with the reference
    cases.py      the comparison cases (the exercises' own and a teacher's ``--extra-checks`` file)
    extra.py      reading a teacher's file of hidden checks
    findings.py, errors.py  a finding of these checks, the error a user can fix (both told in either language)
    watch.py      ``bprop learn watch``: recheck on save, move on when it passes
    views.py      what the commands print       messages.py, messages_cli.py  the texts, English and Japanese
"""

from bprop.learn.catalog import Exercise, find
from bprop.learn.errors import LearnError

__all__ = ["Exercise", "find", "LearnError"]
