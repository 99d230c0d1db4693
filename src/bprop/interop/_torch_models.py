"""Book 2's models and the Transformers both ways, and their layers one at a time.

For each model class, ``BUILDERS[name](model)`` makes the empty nn.Module
(``_torch_modules``, ``_torch_transformer``) and ``LINKS[name](model, module)``
lists (bprop layer, torch submodule) pairs whose arrays ``put`` and ``take``
copy (``_torch_layers``). The same links serve both ways: ``to_torch`` puts
each layer into its module; ``from_torch`` rebuilds the bprop model from the
config the module keeps (``bprop_model``) and takes each module into its layer.

``SEQUENCE_BUILDERS``: the torch layers ``from_torch`` converts one at a time
into book 2's and the Transformer's layers (nn.LSTM → TimeLSTM, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from bprop import layers as L
from bprop.interop import _torch_transformer
from bprop.interop._torch_layers import take
from bprop.interop._torch_modules import classes, import_torch
from bprop.nets import rnnlm, seq2seq, transformer, transformer_seq2seq, word2vec

if TYPE_CHECKING:
    from torch import nn

    from bprop.layers.base import Layer

__all__ = ["BUILDERS", "LINKS", "MODEL_CLASSES", "sequence_layer_from_torch", "SEQUENCE_MODULES"]

MODEL_CLASSES = {cls.__name__: cls for cls in (
    rnnlm.SimpleRnnlm, rnnlm.Rnnlm, rnnlm.BetterRnnlm, seq2seq.Seq2seq, seq2seq.PeekySeq2seq,
    seq2seq.AttentionSeq2seq, word2vec.SimpleCBOW, word2vec.SimpleSkipGram, word2vec.CBOW, word2vec.SkipGram,
    transformer.GPT, transformer_seq2seq.TransformerSeq2seq)}


# --- the empty torch modules ------------------------------------------------------------------------------


def _language_model(model):
    nn = import_torch().nn
    named = []
    for name, layer in model._layers:
        if isinstance(layer, L.TimeEmbedding):
            named.append((name, nn.Embedding(*layer.W.shape)))
        elif isinstance(layer, L.TimeDropout):
            named.append((name, nn.Dropout(layer.dropout_ratio)))
        elif isinstance(layer, (L.TimeLSTM, L.TimeRNN)):
            kind = nn.LSTM if isinstance(layer, L.TimeLSTM) else nn.RNN
            named.append((name, kind(layer.Wx.shape[0], layer.hidden_size, batch_first=True)))
        else:  # the TimeAffine
            named.append((name, nn.Linear(*layer.W.shape)))
    tied = np.shares_memory(model.params["affine.W"], model.params["embed.W"])
    return classes()["LanguageModel"](named, tied)


def _seq2seq(model):
    c = model._config
    if isinstance(model, seq2seq.AttentionSeq2seq):
        return classes()["AttentionSeq2seq"](c["vocab_size"], c["wordvec_size"], c["hidden_size"])
    return classes()["Seq2seq"](c["vocab_size"], c["wordvec_size"], c["hidden_size"],
                                peeky=isinstance(model, seq2seq.PeekySeq2seq))


def _word2vec(model):
    c = model._config
    return classes()[type(model).__name__](c["vocab_size"], c["hidden_size"])


def _gpt(model):
    c = model._config
    return _torch_transformer.classes()["GPT"](c["vocab_size"], c["context"], c["d_model"], c["num_heads"],
                                               c["num_layers"], c["d_ff"], c["dropout"], model.blocks[0].activation)


def _transformer_seq2seq(model):
    c = model._config
    return _torch_transformer.classes()["TransformerSeq2seq"](
        c["vocab_size"], c["d_model"], c["num_heads"], c["num_layers"], c["d_ff"], c["dropout"], c["max_len"],
        model.encoder.blocks[0].activation)


BUILDERS = {"SimpleRnnlm": _language_model, "Rnnlm": _language_model, "BetterRnnlm": _language_model,
            "Seq2seq": _seq2seq, "PeekySeq2seq": _seq2seq, "AttentionSeq2seq": _seq2seq,
            "SimpleCBOW": _word2vec, "SimpleSkipGram": _word2vec, "CBOW": _word2vec, "SkipGram": _word2vec,
            "GPT": _gpt, "TransformerSeq2seq": _transformer_seq2seq}


# --- which layer is which module --------------------------------------------------------------------------


def _language_model_links(model, module):
    # the tied affine is listed too: its W is the embedding's, copied twice with the same values
    return [(layer, getattr(module, name)) for name, layer in model._layers if layer.params]


def _seq2seq_links(model, module):
    return [(getattr(model, name), getattr(module, name))
            for name in ("enc_embed", "enc_lstm", "dec_embed", "dec_lstm", "dec_affine")]


def _simple_word2vec_links(model, module):
    ins = [model.in_layer0, model.in_layer1] if hasattr(model, "in_layer0") else [model.in_layer]
    return [*((layer, module.in_layer) for layer in ins), (model.out_layer, module.out_layer)]


def _word2vec_links(model, module):
    return [(model.in_layer, module.in_embed), (model.ns_loss, module.out_embed)]


def _gpt_links(model, module):
    return [(model.embed, module.embed), (model.pos, module.pos), *zip(model.blocks, module.blocks),
            (model.ln_f, module.ln_f), (model.affine, module.affine)]


def _transformer_seq2seq_links(model, module):
    enc, dec = model.encoder, model.decoder
    return [(enc.embed, module.embed), (enc.pos, module.enc_pos), *zip(enc.blocks, module.enc_blocks),
            (enc.ln, module.enc_ln), (dec.embed, module.embed), (dec.pos, module.dec_pos),
            *zip(dec.blocks, module.dec_blocks), (dec.ln, module.dec_ln), (model.affine, module.affine)]


LINKS = {"SimpleRnnlm": _language_model_links, "Rnnlm": _language_model_links, "BetterRnnlm": _language_model_links,
         "Seq2seq": _seq2seq_links, "PeekySeq2seq": _seq2seq_links, "AttentionSeq2seq": _seq2seq_links,
         "SimpleCBOW": _simple_word2vec_links, "SimpleSkipGram": _simple_word2vec_links,
         "CBOW": _word2vec_links, "SkipGram": _word2vec_links,
         "GPT": _gpt_links, "TransformerSeq2seq": _transformer_seq2seq_links}


# --- torch → bprop, one layer at a time -------------------------------------------------------------------


def _refuse(module, what: str):
    return ValueError(f"from_torch cannot convert this {type(module).__name__}: {what}")


def _recurrent(m, dtype):
    nn = import_torch().nn
    if m.num_layers != 1 or m.bidirectional or getattr(m, "proj_size", 0):
        raise _refuse(m, f"bprop's layer is one layer, one direction, no projection (num_layers={m.num_layers}, "
                         f"bidirectional={m.bidirectional}); convert each layer of a stack apart")
    if not m.batch_first:
        raise _refuse(m, "bprop's recurrent layers read (N, T, D), torch's batch_first=True; the weights are the "
                         "same, so set module.batch_first = True and convert again")
    if type(m) is nn.RNN and m.nonlinearity != "tanh":
        raise _refuse(m, f"bprop's TimeRNN is tanh, got nonlinearity={m.nonlinearity!r}")
    gates = 4 if type(m) is nn.LSTM else 1
    D, H = m.input_size, m.hidden_size
    cls = L.TimeLSTM if gates == 4 else L.TimeRNN
    layer = cls(np.zeros((D, gates * H), dtype), np.zeros((H, gates * H), dtype), np.zeros(gates * H, dtype))
    take(m, layer)
    return layer


def _gru(m, dtype):
    raise _refuse(m, "torch's GRU applies the reset gate after the hidden matmul, r⊙(h·Whh + b); the book's TimeGRU "
                     "before it, (r⊙h)·Whh (Cho et al. 2014): another function, so no weights map it")


def _embedding(m, dtype):
    if m.max_norm is not None:
        raise _refuse(m, "max_norm renormalises the rows it reads; bprop's Embedding reads them as they are")
    layer = L.Embedding(np.zeros((m.num_embeddings, m.embedding_dim), dtype))
    take(m, layer)
    return layer


def _layer_norm(m, dtype):
    if len(m.normalized_shape) != 1:
        raise _refuse(m, f"bprop's LayerNorm normalises the last axis only, got normalized_shape={m.normalized_shape}")
    D = m.normalized_shape[0]
    layer = L.LayerNorm(np.ones(D, dtype), np.zeros(D, dtype), eps=m.eps)
    take(m, layer)
    return layer


def _attention(m, dtype):
    if not m.batch_first:
        raise _refuse(m, "bprop's MultiHeadAttention reads (N, T, d_model): build it with batch_first=True (the "
                         "weights are the same, so module.batch_first = True works too)")
    if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
        raise _refuse(m, "bprop's MultiHeadAttention has kdim = vdim = embed_dim, no add_bias_kv, no add_zero_attn")
    layer = L.MultiHeadAttention(m.embed_dim, m.num_heads, dropout=m.dropout, dtype=dtype)
    take(m, layer)
    return layer


def _block_activation(m) -> str:
    """bprop's name for a torch Transformer layer's activation."""
    nn, F = import_torch().nn, import_torch().nn.functional
    act = m.activation
    if act is F.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is _torch_transformer.gelu_tanh or (isinstance(act, nn.GELU) and act.approximate == "tanh"):
        return "gelu_tanh"
    if act is F.gelu or isinstance(act, nn.GELU):
        return "gelu"
    raise _refuse(m, f"its activation {act!r} is none of bprop's blocks' (relu, the exact or the tanh GELU)")


def _block(m, dtype):
    nn = import_torch().nn
    if not m.norm_first:
        raise _refuse(m, "bprop's blocks are pre-LN (norm_first=True); a post-LN layer is another function")
    attn = m.self_attn
    if not attn.batch_first:
        raise _refuse(m, "bprop's blocks read (N, T, d_model): build it with batch_first=True")
    D, F = attn.embed_dim, m.linear1.out_features
    options = dict(dropout=m.dropout.p, dtype=dtype, eps=m.norm1.eps, activation=_block_activation(m))
    layer: L.TransformerBlock | L.TransformerDecoderBlock
    if type(m) is nn.TransformerEncoderLayer:
        layer = L.TransformerBlock(D, attn.num_heads, F, **options)
    else:
        layer = L.TransformerDecoderBlock(D, attn.num_heads, F, **options)
    take(m, layer)
    return layer


def _builders(nn):
    return {nn.LSTM: _recurrent, nn.RNN: _recurrent, nn.GRU: _gru, nn.Embedding: _embedding,
            nn.LayerNorm: _layer_norm, nn.MultiheadAttention: _attention,
            nn.TransformerEncoderLayer: _block, nn.TransformerDecoderLayer: _block}


SEQUENCE_MODULES = ("LSTM", "RNN", "Embedding", "LayerNorm", "MultiheadAttention", "TransformerEncoderLayer",
                    "TransformerDecoderLayer")


def sequence_layer_from_torch(module: nn.Module, dtype: DTypeLike | None) -> Layer | None:
    """The bprop layer for one of SEQUENCE_MODULES (or a ValueError saying why not), None for other types."""
    build = _builders(import_torch().nn).get(type(module))
    return None if build is None else build(module, np.dtype(dtype or np.float32))
