"""The stages of ``check_layer`` for book 2's layers, after the gradients (``checker._Checker`` inherits them):

- gradients written in place: book 2's models collect their layers' arrays once (``self.grads += layer.grads``)
  and the optimizer reads those, so backward must write into them (``self.grads[0][...] = dWx``); a backward
  that rebinds (``self.grads[0] = dWx``) passes every gradient check and still trains nothing. Checked by the
  identity of the arrays in ``layer.grads`` before forward and after backward.
- a Time layer equals its cell run T times: TimeRNN against the learner's own RNN from the same file when there
  is one (else bprop's), fed step by step from h = 0 (and c = 0).
- stateful: with ``stateful=True`` two forwards carry h (and c): the second continues the first, as one forward
  over both blocks would; with ``stateful=False`` the second starts from zeros again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from bprop.gradcheck import causes_sequence, learner
from bprop.gradcheck.calls import Stop, as_float64, call
from bprop.gradcheck.compare import fmt_index

__all__ = ["SequenceChecks", "reset_state"]

_SAME = 1e-8  # float64 computed in another order: far below this


def _close(a, b) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= _SAME * max(1.0, float(np.max(np.abs(b), initial=0)))))


def _first_difference(a, b):
    err = np.abs(a - b)
    return np.unravel_index(np.argmax(err), err.shape)


def reset_state(lay: Any) -> None:
    """A copy starts with no kept state: reset_state() where the layer has one, else h (and c) cleared."""
    if callable(getattr(lay, "reset_state", None)):
        call("reset_state", lay.reset_state)
        return
    for name in ("h", "c"):
        if name in getattr(lay, "__dict__", {}):
            setattr(lay, name, None)


class SequenceChecks:
    """grads_in_place_check, unrolled_check, stateful_check: what the checker runs for book 2's layers."""

    if TYPE_CHECKING:  # a mixin of checker._Checker, whose state (layer, work, params, dtype …) it reads
        def __getattr__(self, name: str) -> Any: ...

    def sequence_stages(self) -> list:
        return [self.grads_in_place_check, self.unrolled_check, self.stateful_check]

    def recurrent_kind(self) -> str | None:
        """'rnn', 'lstm' or 'gru' for a Time layer of that cell fed one (N, T, D) float array, else None."""
        kind, time = causes_sequence.kind_of(type(self.layer).__name__)
        if not time or kind not in ("rnn", "lstm", "gru") or len(self.work) != 1 or self.work[0].ndim != 3:
            return None
        return kind if causes_sequence.weights({p[1]: None for p in self.params}) is not None else None

    def fresh(self, stateful: bool | None = None) -> Any:
        """A float64 copy of the caller's layer, its state cleared (and ``stateful`` set when given)."""
        lay = learner.cast_copy(self.layer, np.float64)
        if stateful is not None:
            lay.stateful = stateful
        reset_state(lay)
        return lay

    def run_forward(self, lay: Any, xs: Any) -> np.ndarray:
        """forward on ``lay`` keeping whatever state it holds (no reset)."""
        return as_float64(self.forward(lay, [xs.copy()], replay=False, reset=False)[0], "forward")

    # gradients written in place ---------------------------------------------------------

    def grads_in_place_check(self) -> None:
        if self.diff is None or not isinstance(getattr(self.layer, "__dict__", {}).get("grads"), list):
            return
        lay = learner.cast_copy(self.layer, np.float64)
        grads = lay.__dict__["grads"]
        before = list(grads)
        if not any(isinstance(g, np.ndarray) for g in before):
            return
        self.forward(lay, [w.copy() for w in self.work], replay=True)
        self.backward_of(lay, self.dout_in(np.float64))
        now = lay.__dict__.get("grads")
        if now is not grads:
            self.add("in_place", "fail", "seq.grads_list_rebound")
            return
        for i, (old, new) in enumerate(zip(before, now)):
            if isinstance(old, np.ndarray) and new is not old:
                self.add("in_place", "fail", "seq.grads_rebound", index=i)
                return
        listed = self.list_labels()
        if not any(f.status == "fail" and f.params.get("target") in listed for f in self.findings):
            self.add("in_place", "pass", "seq.grads_in_place")  # (said only of gradients that are right)

    # a Time layer against its cell --------------------------------------------------------

    def cell(self, kind: str) -> tuple[type, str]:
        """(the cell class, what to call it): the learner's own from the same file when there is one, else bprop's."""
        from bprop.layers import registry

        name = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[kind]
        found = getattr(type(self.layer).forward, "__globals__", {})
        for key, value in found.items():
            if key.lower() == name.lower() and isinstance(value, type) and callable(getattr(value, "forward", None)):
                own = not (value.__module__ or "").startswith("bprop.")
                return value, (f"your {key}" if own else f"bprop.layers.{name}")
        return registry.layer_classes("sequence")[name], f"bprop.layers.{name}"

    def unrolled_check(self) -> None:
        kind = self.recurrent_kind() if self.diff is not None else None
        P = causes_sequence.weights({p[1]: learner.param(self.lay, p) for p in self.params}) if kind else None
        if P is None or kind is None:  # P is None whenever kind is
            return
        cls, label = self.cell(kind)
        xs = self.work[0]
        hs = self.run_forward(self.fresh(), xs)
        try:
            cell = cls(*[np.array(p, dtype=np.float64) for p in P])
            N, T, _ = xs.shape
            h = np.zeros((N, P[1].shape[0]))
            state = (h, h.copy()) if kind == "lstm" else (h,)
            steps = []
            for t in range(T):
                out, _ = call("forward", cell.forward, xs[:, t].copy(), *state)
                state = tuple(out) if kind == "lstm" else (out,)
                steps.append(np.array(state[0], dtype=np.float64))
            want = np.stack(steps, axis=1)
        except (Exception, SystemExit) as exc:  # a cell that cannot be built or run: said, not raised
            error = exc.finding.message() if isinstance(exc, Stop) else f"{type(exc).__name__}: {exc}"
            self.add("unrolled", "note", "seq.unrolled_skipped", cell=label, error=error.splitlines()[0])
            return
        if hs.shape != want.shape:
            return  # reference_check has said so
        for t in range(T):
            if not _close(hs[:, t], want[:, t]):
                i = _first_difference(hs[:, t], want[:, t])
                f = self.add("unrolled", "fail", "seq.unrolled_fail", cell=label, t=t, index=fmt_index(i),
                             got=float(hs[:, t][i]), want=float(want[:, t][i]))
                if t > 0:
                    f.extra.append(("seq.unrolled_carry", {"t": t}))
                return
        self.add("unrolled", "pass", "seq.unrolled_ok", cell=label, T=T)

    # stateful ------------------------------------------------------------------------------

    def stateful_check(self) -> None:
        if self.diff is None or self.recurrent_kind() is None:
            return
        if not isinstance(getattr(self.layer, "stateful", None), (bool, np.bool_)):
            return
        first = self.work[0]
        second = self.rng.standard_normal(first.shape)
        T = first.shape[1]
        whole = self.run_forward(self.fresh(False), np.concatenate([first, second], axis=1))
        alone = self.run_forward(self.fresh(False), second)
        lay = self.fresh(True)
        self.run_forward(lay, first)
        got = self.run_forward(lay, second)
        if got.shape != alone.shape or whole.shape[1] != 2 * T:
            return  # not one h per step: the reference and the gradients have said what is wrong
        if _close(got, whole[:, T:]):
            self.add("stateful", "pass", "seq.stateful_ok")
        elif _close(got, alone):
            self.add("stateful", "fail", "seq.stateful_restarts")
        else:
            i = _first_difference(got, whole[:, T:])
            self.add("stateful", "fail", "seq.stateful_fail", index=fmt_index(i), got=float(got[i]),
                     want=float(whole[:, T:][i]))
        lay = self.fresh(False)
        self.run_forward(lay, first)
        if not _close(self.run_forward(lay, second), alone):
            self.add("stateful", "fail", "seq.stateless_carries")
