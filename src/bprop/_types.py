"""Type aliases shared by the annotations of the public API (for mypy and readers; nothing at run time)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Union

import numpy as np

#: A file name: a str or anything ``os.fspath`` takes (pathlib.Path).
PathLike = Union[str, "os.PathLike[str]"]
#: What ``bprop.init.as_generator`` takes: a Generator used as is, an int seed, or None (fresh entropy).
Seed = Union[np.random.Generator, int, None]
#: The book's ``weight_init_std``: a standard deviation, or 'he'/'relu', 'xavier'/'sigmoid'.
InitSpec = Union[float, str]
#: What an optimizer updates: a net's ``params`` and ``grads``, by name (book 1) or in order (book 2).
Params = Union[Mapping[str, np.ndarray], Sequence[np.ndarray]]
#: A computational graph's value (``bprop.graph``): a number or an array.
Numeric = Union[float, np.ndarray]
