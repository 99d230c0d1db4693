"""What book 2's models share: params/grads gathered from named layers, the state, saving and loading.

A model names its layers in order (``_layers``: [("embed", TimeEmbedding), …]);
``params`` and ``grads`` are book 2's lists over them (a ParamList: also
``params['lstm.Wx']``), gathered once, so the optimizer and the model hold the
same arrays (``optimizer.update(model.params, model.grads)``). A weight shared
by two layers — CBOW's context embeddings, the tied decoder of BetterRnnlm
(``W.T``) — appears once per layer, as in the book; the optimizers update such
an array once, with its gradients summed.

``save(path)`` writes an .npz that runs no code when read: one array per
distinct parameter under its name, and an ``architecture`` JSON entry
{"format": "bprop.sequence", "version": 1, "class": …, "config": {…},
"dtype": …, "tied": {"affine.W": "embed.W^T"}, "meta": {…}}; ``load_model(path)``
rebuilds the class from its config and copies the arrays in, after checking
every name, shape, dtype and value (``ModelFileError`` naming the file).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from bprop import _npz
from bprop._npz import ModelFileError
from bprop._types import PathLike
from bprop.fileio import atomic_write
from bprop.layers import ParamList
from bprop.nets._repr import short_value, table_html, table_text
from bprop.nets.state import HasState, distinct_arrays

__all__ = ["SequenceModel", "load_model", "MODELS"]

FORMAT = "bprop.sequence"
VERSION = 1
MODELS: dict[str, Any] = {}  # class name → class, for load_model


class SequenceModel(HasState):
    """Base of book 2's models. A subclass builds its layers, then calls ``_gather(named_layers, config)``.

    ``repr(model)`` is the constructor call its config describes; ``print(model)``
    (and a notebook) shows ``summary()``: each named layer and its parameter
    count, a tied weight counted once. ``state_dict()`` / ``load_state_dict(d)``:
    the distinct parameters as copies, named as in ``params`` (``bprop.nets.state``).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # the shared bases are not models a file may name
            MODELS[cls.__name__] = cls

    def _gather(self, named_layers, config: dict) -> None:
        self._layers = list(named_layers)
        self._config = dict(config)
        names, params, grads = [], [], []
        for layer_name, layer in self._layers:
            for name, p, g in zip(layer.params.names, layer.params, layer.grads):
                names.append(f"{layer_name}.{name}")
                params.append(p)
                grads.append(g)
        self.params, self.grads = ParamList(names, params), ParamList(names, grads)

    @classmethod
    def _from_config(cls, config: dict, dtype: np.dtype) -> SequenceModel:
        """A model of this class as a file's config describes it (its weights are then copied in)."""
        model: Any = cls  # every model class's constructor takes its config, dtype and rng
        return model(**config, dtype=dtype, rng=0)

    @property
    def dtype(self) -> np.dtype:
        return self.params[0].dtype

    def reset_state(self) -> None:
        """Clear the recurrent layers' state (the next forward starts from zeros)."""
        for _, layer in self._layers:
            if hasattr(layer, "reset_state"):
                layer.reset_state()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={short_value(v)}" for k, v in self._config.items())
        return f"{type(self).__name__}({args})"

    def summary(self) -> str:
        """The table ``print(model)`` shows: each named layer (its repr), its parameter count, and the total."""
        return table_text(*self._summary())

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """The table of ``summary()`` as HTML, for a notebook."""
        return table_html(*self._summary())

    def _summary(self) -> tuple:
        """(title, header, rows, total): a row per named layer; a tied weight counts under its first name."""
        own, tied = distinct_arrays(self._named_arrays())
        rows = []
        for layer_name, layer in self._layers:
            names = [f"{layer_name}.{name}" for name in layer.params.names]
            ties = [f"{n.split('.', 1)[1]} = {tied[n][0]}{'.T' if tied[n][1] == 'transpose' else ''}"
                    for n in names if n in tied]
            label = repr(layer) + (f" ({', '.join(ties)})" if ties else "")
            rows.append((layer_name, label, sum(int(own[n].size) for n in names if n in own)))
        title = f"{type(self).__name__}, {self.dtype}"
        return title, ("name", "layer", "parameters"), rows, sum(row[-1] for row in rows)

    def _named_arrays(self) -> list[tuple[str, np.ndarray]]:
        """The arrays of ``state_dict``: ``params`` by name (a tied weight once per name it has)."""
        return list(zip(self.params.names, self.params))

    # --- files --------------------------------------------------------------------------

    meta: dict = {}  # what a file keeps beside the weights: the vocabulary, the data's name (bprop train sets it)

    def save(self, path: PathLike) -> Path:
        """Write the model and its ``meta`` (JSON values) to path (".npz" appended when missing) atomically."""
        path = Path(os.fspath(path))
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays, tied = _distinct(self.params)
        spec = {"format": FORMAT, "version": VERSION, "class": type(self).__name__, "config": self._config,
                "dtype": str(self.dtype), "tied": tied, "meta": self.meta}
        with atomic_write(path) as f:
            # The ignore: NumPy's stub types savez's **kwds as its bool `allow_pickle`, not as the arrays they are.
            np.savez(f, **{k: np.ascontiguousarray(v) for k, v in arrays.items()},  # type: ignore[arg-type]
                     **{_npz.ARCHITECTURE: np.array(json.dumps(spec, allow_nan=False))})  # type: ignore[arg-type]
        return path


def load_model(path: PathLike, archive: tuple[dict[str, np.ndarray], str] | None = None) -> SequenceModel:
    """The model saved at path, rebuilt from its class and config; ModelFileError for anything amiss.

    archive: the file as ``bprop._npz.read_archive`` already read it (None: read it here)."""
    path = Path(os.fspath(path))
    arrays, text = archive if archive is not None else _npz.read_archive(path)
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number, 100,000 levels deep
        raise ModelFileError(f"{path}: '{_npz.ARCHITECTURE}' is not valid JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a book-2 model (format {FORMAT!r} missing); a book-1 net loads with "
                             f"bprop.nets.load")
    if spec.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file version {spec.get('version')!r} is not supported (this bprop "
                             f"reads {VERSION})")
    name = spec.get("class")
    cls = MODELS.get(name) if isinstance(name, str) else None
    if cls is None or not isinstance(spec.get("config"), dict) or not isinstance(spec.get("tied"), dict):
        raise ModelFileError(f"{path}: unknown model class {spec.get('class')!r} or a damaged config; known: "
                             f"{', '.join(MODELS)}")
    try:
        model = cls._from_config(spec["config"], np.dtype(spec["dtype"]))
    except (TypeError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{path}: {cls.__name__} could not be built from its config: {exc}") from None
    own, tied = _distinct(model.params)
    if spec["tied"] != tied:
        raise ModelFileError(f"{path}: {cls.__name__} ties {tied or 'no weights'}, the file says {spec['tied']}")
    wanted = list(own)
    if set(arrays) != set(wanted):
        raise ModelFileError(f"{path}: expected the arrays {sorted(wanted)}, got {sorted(arrays)}")
    for name in wanted:
        p, a = model.params[name], arrays[name]
        if a.shape != p.shape or a.dtype != p.dtype or not np.all(np.isfinite(a)):
            raise ModelFileError(f"{path}: array {name!r} must be finite {p.dtype} of shape {p.shape}, got "
                                 f"{a.dtype} {a.shape}")
    for name in wanted:
        model.params[name][...] = arrays[name]
    meta = spec.get("meta", {})
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: 'meta' must be an object, got {type(meta).__name__}")
    model.meta = meta
    return model


def _distinct(params: ParamList) -> tuple[dict, dict]:
    """({name: array} once per distinct array, {name of a repeat: the first name, "^T" when transposed}).

    The arrays are those of ``state_dict``, under the same names.
    """
    arrays, tied = distinct_arrays(list(zip(params.names, params)))
    return arrays, {name: first + ("" if how == "same" else "^T") for name, (first, how) in tied.items()}
