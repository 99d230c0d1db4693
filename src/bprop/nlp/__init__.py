"""Word vectors from counts, and the data of word2vec: book 2 (ゼロから作るDeep Learning ❷), ch. 2–4.

    words.py       preprocess, create_contexts_target, convert_one_hot (text → ids → training data)
    count.py       create_co_matrix, ppmi (the count-based method, §2.3–2.4)
    svd.py         truncated_svd (dense vectors from PPMI: full or randomized SVD, §2.4.3)
    similarity.py  cos_similarity, normalize, most_similar, analogy (evaluating word vectors)
    grads.py       clip_grads (gradient clipping by the global norm, used from ch. 5 on)
    trainer.py     Trainer, RnnlmTrainer (the book's common/trainer.py loops)
    evaluate.py    eval_perplexity, eval_seq2seq, seq2seq_accuracy

The names and arguments are the book's ``common/util.py``: a learner's code
ports by changing ``from common.util import …`` to ``from bprop.nlp import …``.
Everything is vectorised (the book's PPMI double loop took 427 s at V = 5,000);
each function's docstring says where it differs from the book.

>>> from bprop.nlp import preprocess, create_co_matrix, ppmi, truncated_svd
>>> corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
>>> W = ppmi(create_co_matrix(corpus, len(word_to_id), window_size=1))
>>> U, S, Vt = truncated_svd(W, 2)
>>> U.shape, U.dtype
((7, 2), dtype('float32'))
"""

from bprop.nlp.count import create_co_matrix, ppmi
from bprop.nlp.evaluate import eval_perplexity, eval_seq2seq, seq2seq_accuracy
from bprop.nlp.grads import clip_grads
from bprop.nlp.similarity import analogy, cos_similarity, most_similar, normalize
from bprop.nlp.svd import truncated_svd
from bprop.nlp.trainer import RnnlmTrainer, Trainer
from bprop.nlp.words import convert_one_hot, create_contexts_target, preprocess

__all__ = [
    "preprocess", "create_contexts_target", "convert_one_hot",
    "create_co_matrix", "ppmi",
    "truncated_svd",
    "cos_similarity", "normalize", "most_similar", "analogy",
    "clip_grads",
    "Trainer", "RnnlmTrainer", "eval_perplexity", "eval_seq2seq", "seq2seq_accuracy",
]
