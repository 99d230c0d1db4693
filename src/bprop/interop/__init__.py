"""Interop: bprop's nets in other frameworks' terms, and back (optional extras; ``import bprop`` needs NumPy only).

    _torch.py              to_torch(net) → an nn.Module with the same weights and outputs; from_torch(module)
    _torch_layers.py       each layer's weights both ways (W vs Wᵀ, the LSTM's gate order, the packed attention)
    _torch_sequential.py   book 1's Sequential nets ↔ nn.Sequential
    _torch_models.py       book 2's models and the Transformers ↔ the modules of
    _torch_modules.py, _torch_transformer.py   (defined when torch is first imported)

torch is imported inside these functions only; without it they raise an
ImportError saying ``pip install torch==2.13.0``. docs/pytorch.md shows the
same nets in both libraries.
"""

from bprop.interop._torch import from_torch, to_torch

__all__ = ["to_torch", "from_torch"]

# ONNX (optional extra: pip install 'bprop[onnx]') and safetensors (no dependency)
from bprop.interop.onnx import check_onnx, to_onnx
from bprop.interop.safetensors import load_safetensors, load_weights, save_safetensors

__all__ += ["to_onnx", "check_onnx", "save_safetensors", "load_safetensors", "load_weights"]
