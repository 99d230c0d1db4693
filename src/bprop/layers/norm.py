"""Normalization layers: BatchNormalization (book §6.3) and LayerNorm (the Transformer's)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop._checks import mode_flag
from bprop.layers.base import Layer, SequenceLayer, as_float_array
from bprop.layers.options import number


class BatchNormalization(Layer):
    """Batch normalization (book §6.3): normalize each feature or channel, then scale and shift.

    Training (``train_flg=True``), with μ, σ² the batch mean and biased variance
    of each feature (over N) or channel (over N, H, W) and M the count they are
    taken over:

        x̂ = (x - μ)/√(σ² + eps);  y = gamma·x̂ + beta
        dbeta = Σ dout;  dgamma = Σ dout·x̂
        dx = gamma/(M·√(σ² + eps)) · (M·dout - dbeta - x̂·dgamma)

    which is the compact form of (1/(M·std))·(M·dx̂ - Σdx̂ - x̂·Σ(dx̂·x̂)) with
    dx̂ = dout·gamma. Each training forward also updates the running averages,
    as in the book:

        running_mean = momentum·running_mean + (1 - momentum)·μ
        running_var  = momentum·running_var  + (1 - momentum)·σ²   (biased σ²)

    Inference (``train_flg=False``) is the affine map those averages define:
    y = gamma·(x - running_mean)/√(running_var + eps) + beta; dx = dout·gamma/√(running_var + eps),
    and dgamma, dbeta as above.

    Shapes: gamma, beta, running_mean, running_var (C,). x (N, C), or (N, C, H, W)
    normalized per channel over N, H and W as PyTorch's BatchNorm2d. y, dx: the
    shape and dtype of x; dgamma, dbeta: (C,).

    Differences from the book and from PyTorch:

    - The book flattens (N, C, H, W) to (N, C·H·W) and normalizes each of those
      features; here, as in PyTorch, statistics are per channel.
    - The book starts running_var at 0, so inference before any training step
      divides by √eps; here it starts at 1 (running_mean at 0), as in PyTorch.
      Pass ``running_var=np.zeros(C)`` for the book's start.
    - PyTorch's ``momentum`` weighs the new batch (its 0.1 is the book's 0.9),
      and it updates running_var with the unbiased variance σ²·M/(M-1); here
      the biased σ² is used, as in the book. The outputs and gradients of both
      modes match ``torch.nn.functional.batch_norm`` given the same eps.
    - eps defaults to the book's 10e-7 (= 1e-6); PyTorch's is 1e-5.

    Numerics: σ² is taken as the mean of (x - μ)² (two passes, no E[x²] - μ²
    cancellation), everything in x's dtype. Training needs M ≥ 2 values per
    channel and finite x; otherwise ValueError. Caches x̂ as ``xn`` and
    √(σ² + eps) as ``std``, like the book. gamma and beta are kept as given, not
    copied, so an optimizer updating them in place updates the layer; the running
    averages are replaced by new arrays at each step, never written into.
    """

    param_names = ("gamma", "beta")
    state_names = ("running_mean", "running_var")  # inference after loading a model file needs them
    options = (number("momentum", 0.0, 1.0), number("eps", 0.0, open_low=True))
    dims = {"gamma": ("C",)}
    repr_format = "{C}"

    gamma: np.ndarray
    beta: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    momentum: float
    eps: float
    dgamma: np.ndarray | None
    dbeta: np.ndarray | None
    xn: np.ndarray | None
    std: np.ndarray | None
    _train: bool | None

    def __init__(self, gamma: npt.ArrayLike, beta: npt.ArrayLike, momentum: float = 0.9,
                 running_mean: npt.ArrayLike | None = None, running_var: npt.ArrayLike | None = None, *,
                 eps: float = 10e-7) -> None:
        gamma = as_float_array(gamma, "gamma", "BatchNormalization")
        beta = as_float_array(beta, "beta", "BatchNormalization").astype(gamma.dtype, copy=False)
        if gamma.ndim != 1 or beta.shape != gamma.shape:
            raise ValueError(
                f"BatchNormalization expected gamma and beta of the same shape (C,), "
                f"got gamma {gamma.shape} and beta {beta.shape}"
            )
        self._set_options(momentum=momentum, eps=eps)
        self.gamma, self.beta = gamma, beta
        self.running_mean = self._running(running_mean, "running_mean", 0)
        self.running_var = self._running(running_var, "running_var", 1)
        self.dgamma = None
        self.dbeta = None
        self.xn = None
        self.std = None
        self._train = None

    def _running(self, value: npt.ArrayLike | None, name: str, start: int) -> np.ndarray:
        if value is None:
            return np.full(self.gamma.shape, start, dtype=self.gamma.dtype)
        value = as_float_array(value, name, "BatchNormalization").astype(self.gamma.dtype)
        if value.shape != self.gamma.shape:
            raise ValueError(
                f"BatchNormalization expected {name} of shape {self.gamma.shape} (that of gamma), "
                f"got {value.shape}"
            )
        return value

    def _axes(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The axes statistics are taken over, and the shape that broadcasts (C,) against x."""
        C = self.gamma.size
        if x.ndim == 2 and x.shape[1] == C:
            return (0,), (1, C)
        if x.ndim == 4 and x.shape[1] == C:
            return (0, 2, 3), (1, C, 1, 1)
        raise ValueError(
            f"BatchNormalization expected x of shape (N, {C}) or (N, {C}, H, W) "
            f"for gamma of size {C}, got shape {x.shape}"
        )

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        axes, shape = self._axes(x)
        dtype = x.dtype.type
        gamma, beta = self.gamma.reshape(shape), self.beta.reshape(shape)
        self._train = mode_flag(train_flg, self._name)
        if self._train:
            M = x.size // self.gamma.size
            if M < 2:
                raise ValueError(
                    f"BatchNormalization in training needs at least 2 values per channel "
                    f"to estimate a variance, got x of shape {x.shape}; use train_flg=False for inference"
                )
            # inf in x, or float32 values whose square overflows, would leave NaN
            # statistics and NaN everywhere: say so here instead.
            with np.errstate(all="ignore"):
                mu = x.mean(axis=axes, keepdims=True)
                xc = x - mu
                var = np.square(xc).mean(axis=axes, keepdims=True)
            if not np.all(np.isfinite(var)):
                bad = int(np.flatnonzero(~np.isfinite(var.reshape(-1)))[0])
                raise ValueError(
                    f"BatchNormalization got non-finite batch statistics for channel {bad}: "
                    f"x holds inf or values too large for {x.dtype}"
                )
            m = dtype(self.momentum)
            self.running_mean = m * self.running_mean + (1 - m) * mu.reshape(-1)
            self.running_var = m * self.running_var + (1 - m) * var.reshape(-1)
        else:
            xc = x - self.running_mean.reshape(shape)
            var = self.running_var.reshape(shape)
        self.std = np.sqrt(var + dtype(self.eps))
        xc /= self.std
        self.xn = xc
        out = gamma * self.xn
        out += beta
        return self._remember_output(out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        axes, shape = self._axes(dout)
        xn, std = self._cached(self.xn), self._cached(self.std)
        self.dbeta = dbeta = dout.sum(axis=axes)
        self.dgamma = dgamma = (dout * xn).sum(axis=axes)
        gamma = self.gamma.reshape(shape)
        if not self._train:
            return dout * (gamma / std)
        M = dout.dtype.type(dout.size // self.gamma.size)
        dx = dout * M
        dx -= dbeta.reshape(shape)
        dx -= xn * dgamma.reshape(shape)
        dx *= gamma / (M * std)
        return dx


class LayerNorm(SequenceLayer):
    """Layer normalization (Ba et al. 2016): normalize each vector over its last axis, then scale and shift.

    With μ, σ² the mean and biased variance of x over its last axis (D values):

        x̂ = (x − μ)/√(σ² + eps);  y = gamma·x̂ + beta
        dbeta = Σ dout;  dgamma = Σ dout·x̂   (sums over every axis but the last)
        dx = (1/√(σ² + eps))·(g − mean(g) − x̂·mean(g·x̂)),  g = dout·gamma

    The same in training and inference (no running averages), as torch's
    ``nn.LayerNorm(D, eps)``. gamma, beta (D,); x (..., D), any leading axes; y, dx
    the shape and dtype of x; dgamma, dbeta (D,), book 2's list form, written in
    place. σ² as the mean of (x − μ)² (two passes); x with inf, or too large for
    its dtype, is refused rather than turned into NaN. Caches x̂ and √(σ² + eps).
    """

    param_names = ("gamma", "beta")
    options = (number("eps", 0.0, open_low=True),)
    dims = {"gamma": ("D",)}
    repr_format = "{D}"

    gamma: np.ndarray
    beta: np.ndarray
    dgamma: np.ndarray
    dbeta: np.ndarray
    eps: float
    xn: np.ndarray | None
    std: np.ndarray | None

    def __init__(self, gamma: npt.ArrayLike, beta: npt.ArrayLike, eps: float = 1e-5) -> None:
        gamma = as_float_array(gamma, "gamma", self._name)
        beta = as_float_array(beta, "beta", self._name).astype(gamma.dtype, copy=False)
        if gamma.ndim != 1 or beta.shape != gamma.shape:
            raise ValueError(f"{self._name} expected gamma and beta of the same shape (D,), "
                             f"got gamma {gamma.shape} and beta {beta.shape}")
        self._set_options(eps=eps)
        self.gamma, self.beta = gamma, beta
        self._zero_grads()
        self.xn = self.std = None

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        x = self._input(x)
        D = self.gamma.size
        if x.ndim < 1 or x.shape[-1] != D:
            raise ValueError(f"{self._name} expected x of shape (..., {D}) for gamma of size {D}, got {x.shape}")
        with np.errstate(all="ignore"):
            xc = x - x.mean(axis=-1, keepdims=True)
            var = np.square(xc).mean(axis=-1, keepdims=True)
        if not np.isfinite(var).all():
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(var[..., 0]))[0])
            raise ValueError(f"{self._name} got non-finite statistics for the vector at index {where}: "
                             f"x holds inf or values too large for {x.dtype}")
        self.std = np.sqrt(var + x.dtype.type(self.eps))
        xc /= self.std
        self.xn = xc
        out = xc * self.gamma
        out += self.beta
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        D = self.gamma.size
        xn = self._cached(self.xn)
        np.sum(dout.reshape(-1, D), axis=0, out=self.dbeta)
        np.sum((dout * xn).reshape(-1, D), axis=0, out=self.dgamma)
        g = dout * self.gamma
        dx = g - g.mean(axis=-1, keepdims=True)
        g *= xn
        dx -= xn * g.mean(axis=-1, keepdims=True)
        dx /= self._cached(self.std)
        return dx
