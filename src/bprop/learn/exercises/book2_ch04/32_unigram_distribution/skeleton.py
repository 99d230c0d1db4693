import numpy as np


def unigram_distribution(corpus, power=0.75):
    # [en] TODO: count every id, raise the counts to `power`, normalise to sum 1.
    # [ja] TODO: 各 ID の出現回数を数え、`power` 乗して、和が 1 になるよう正規化する。
    raise NotImplementedError("TODO: unigram_distribution")
