"""Book 2's training loops and scores on the shipped and generated data: the models learn."""

import numpy as np
import pytest

from bprop import nets
from bprop.datasets import corpus, sequence
from bprop.nlp import RnnlmTrainer, Trainer, create_contexts_target, eval_perplexity, eval_seq2seq
from bprop.optim import SGD, Adam


def test_the_rnnlm_trainer_lowers_the_perplexity_of_the_corpus():
    ids, word_to_id, _ = corpus.load_data("train")
    ids = ids[:6000]
    vocab = int(ids.max()) + 1
    model = nets.Rnnlm(vocab, 16, 16, rng=0)
    before = eval_perplexity(model, ids, batch_size=10, time_size=20)
    lines = []
    trainer = RnnlmTrainer(model, SGD(lr=20.0), seed=0, log=lines.append)
    ppl = trainer.fit(ids[:-1], ids[1:], max_epoch=3, batch_size=10, time_size=20, max_grad=0.25, eval_interval=10)
    after = eval_perplexity(model, ids, batch_size=10, time_size=20)
    assert after < 0.6 * before and ppl[-1] < ppl[0]
    assert lines[0].startswith("| epoch 1 |  iter 1 / 29 | time") and "perplexity" in lines[0]


def test_the_trainer_runs_cbow_on_word_ids():
    ids = corpus.load_data("val")[0][:3000]
    contexts, target = create_contexts_target(ids, window_size=2)
    model = nets.CBOW(int(ids.max()) + 1, 10, 2, ids, rng=0, seed=0)
    trainer = Trainer(model, Adam(), seed=0, verbose=False)
    losses = trainer.fit(contexts, target, max_epoch=3, batch_size=50, eval_interval=10)
    assert losses[-1] < losses[0] and trainer.current_epoch == 3


@pytest.mark.slow  # about half a minute: seq2seq on the generated addition data
def test_peeky_seq2seq_learns_addition_with_reversed_questions():
    (x_train, t_train), (x_test, t_test) = sequence.load_data("addition.txt")
    char_to_id, id_to_char = sequence.get_vocab()
    model = nets.PeekySeq2seq(len(char_to_id), 16, 128, rng=0)
    trainer = Trainer(model, Adam(), seed=0, verbose=False)
    losses = trainer.fit(x_train[:, ::-1], t_train, max_epoch=2, batch_size=128, max_grad=5.0, eval_interval=50)
    assert losses[0] > 2.4 and np.mean(losses[-5:]) < 1.75  # measured: 2.57 at the start, 1.66 after 2 epochs
    assert eval_seq2seq(model, x_test[[0], ::-1], t_test[[0]], id_to_char, is_reverse=True) in (0, 1)


def test_a_batch_larger_than_the_data_is_refused():
    model = nets.SimpleCBOW(5, 3, rng=0)
    with pytest.raises(ValueError, match="batch_size 32 is larger than the 4 samples"):
        Trainer(model, SGD()).fit(np.zeros((4, 2, 5)), np.zeros((4, 5)))
