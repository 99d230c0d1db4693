"""Datasets: MNIST shipped with the package, IDX files, checked downloads.

    load_mnist(normalize=True, flatten=True, one_hot_label=False, dtype=np.float32)
        the book's loader, over the MNIST files shipped in datasets/data/
    load_idx_dataset(directory, ...)
        the same for any set in MNIST's four-file layout (Fashion-MNIST, KMNIST)
    fetch(url, sha256, ...), fetch_idx_dataset(name_or_urls, ...)
        downloads into $BPROP_DATA or ~/.cache/bprop, checked by SHA-256
    read_idx(path), parse_idx(data)
        one IDX array, plain or gzip, checked against its header
    spiral.load_data(), sequence.load_data('addition.txt' | 'date.txt')
        book 2's generated data: the 3-class spiral, the addition and date-format
        pairs (made by bprop's own seeded generators, not copied)
    corpus.load_data('train' | 'val' | 'test')
        book 2's PTB format (lower case, N, <unk>, <eos>, 10,000 words) over Jane
        Austen's six novels (public domain), shipped; corpus.load_analogy()
    ptb.load_data(split, path=None)
        your own copy of the Penn Treebank files (LDC data: never shipped or downloaded)

Problems with files raise DataError (a ValueError), ChecksumError (a
DataError) for a wrong SHA-256; failed downloads raise FetchError (an OSError).
"""

from . import corpus, ptb, sequence, spiral
from .download import KNOWN_IDX_DATASETS, data_home, fetch, fetch_idx_dataset
from .errors import ChecksumError, DataError, FetchError
from .idx import parse_idx, read_idx
from .idx_dataset import load_idx_dataset
from .mnist import load_mnist

__all__ = [
    "KNOWN_IDX_DATASETS",
    "ChecksumError",
    "DataError",
    "FetchError",
    "data_home",
    "fetch",
    "fetch_idx_dataset",
    "load_idx_dataset",
    "load_mnist",
    "parse_idx",
    "read_idx",
    "corpus",
    "ptb",
    "sequence",
    "spiral",
]
