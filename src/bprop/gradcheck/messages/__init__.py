"""User-facing text of the checks and ``bprop check``, in English and Japanese.

Each module here holds the texts of one kind of check as ``MESSAGES``, a key
mapped to ``{'en': ..., 'ja': ...}`` (the languages of ``bprop.i18n``); the
texts are ``str.format`` templates and both languages take the same fields.
Keys are unique across the modules.

    layer.py  check_layer   causes.py  its layer-specific causes   modes.py  its train/test mode
    sequence.py  book 2's layers: several outputs, grads in place, Time layers, their named slips
    sequence_causes.py  the named slips of book 2's GRU, TimeAffine, attention, word2vec and TimeBiLSTM layers
    transformer.py  the named slips of a learner's LayerNorm, attention and multi-head attention
    readings.py  an exception in plain words    usage.py  bprop check's usage errors
    optimizer.py  check_optimizer     net.py  check_net     function.py  check_function

>>> print(text("dout.fail", "en"))
backward wrote into dout (as the book's ReLU does, zeroing it through the mask); copy it first: dx = dout.copy()
"""

from __future__ import annotations

from bprop.gradcheck.messages import (
    causes,
    function,
    layer,
    modes,
    net,
    optimizer,
    readings,
    sequence,
    sequence_causes,
    transformer,
    usage,
)

MODULES = (layer, causes, modes, readings, usage, optimizer, net, function, sequence, sequence_causes, transformer)
MESSAGES: dict[str, dict[str, str]] = {key: entry for module in MODULES for key, entry in module.MESSAGES.items()}


def text(key: str, lang: str = "en", **params: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``; a param given as {"en": …, "ja": …} (words
    inside a message, not a formula) is taken in ``lang``."""
    params = {name: value[lang] if isinstance(value, dict) and lang in value else value
              for name, value in params.items()}
    return MESSAGES[key][lang].format(**params)
