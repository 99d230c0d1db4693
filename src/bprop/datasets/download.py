"""Downloads into a local cache, checked by SHA-256 and written atomically.

The cache directory is ``$BPROP_DATA`` if set, else ``~/.cache/bprop``. A file
is downloaded into a temporary file beside its final name, its length and
SHA-256 are checked, it is fsynced and only then renamed into place; so a
download that fails or is interrupted leaves no file under the final name.

(The module is not called fetch.py: ``from .fetch import fetch`` in the
package would hide the module behind the function of the same name.)
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import sys
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from ..fileio import atomic_write
from .checksums import check_digest, sha256_file
from .errors import ChecksumError, FetchError
from .idx_dataset import FILENAMES

ENV_VAR = "BPROP_DATA"
_CHUNK = 1 << 16
_SCHEMES = ("http", "https")

def _idx_set(base_url: str, digests: tuple[str, str, str, str]) -> dict[str, tuple[str, str]]:
    # digests in the order of FILENAMES: train images, train labels, test images, test labels.
    return {f"{stem}.gz": (f"{base_url}/{stem}.gz", digest)
            for stem, digest in zip(FILENAMES.values(), digests)}


# name -> {file name: (url, sha256)}. Digests as listed by TensorFlow Datasets
# (tensorflow_datasets/url_checksums/{mnist,fashion_mnist,kmnist}.txt); the
# MNIST digests are of that mirror's .gz files, not of the ones shipped here.
KNOWN_IDX_DATASETS = {
    "mnist": _idx_set("https://storage.googleapis.com/cvdf-datasets/mnist", (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    )),
    "fashion-mnist": _idx_set("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com", (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    )),
    "kmnist": _idx_set("http://codh.rois.ac.jp/kmnist/dataset/kmnist", (
        "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
        "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
        "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
        "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
    )),
}


def data_home(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache directory: cache_dir if given, else $BPROP_DATA, else ~/.cache/bprop."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "bprop"


def fetch(
    url: str,
    sha256: str,
    filename: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = True,
    *,
    timeout: float = 60.0,
) -> Path:
    """Download url into the cache unless a file with that SHA-256 is there; return its path.

    filename defaults to the last part of the URL's path. A cached file whose
    SHA-256 differs is removed and downloaded again. progress shows a tqdm bar
    when tqdm is installed and stderr is a terminal. timeout (seconds) bounds
    the connection and each read.

    Raises FetchError (an OSError) naming the URL when the server cannot be
    reached, answers with an HTTP error, or sends fewer bytes than its
    Content-Length; ChecksumError (a DataError) when the bytes arrive but
    their SHA-256 differs. In every failure the cache is left with no file
    under filename and no temporary file.
    """
    sha256 = check_digest(sha256)
    if not isinstance(url, str):
        raise TypeError(f"url must be a string, got {type(url).__name__}")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"url must start with http:// or https://, got {url!r}")
    name = _check_filename(filename if filename is not None else _url_basename(url), url)
    directory = data_home(cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.is_file():
        if sha256_file(target) == sha256:
            return target
        # Stale or corrupt: a file that fails its checksum must not stay in the cache.
        target.unlink(missing_ok=True)
    _download(url, target, sha256, progress, timeout)
    return target


def fetch_idx_dataset(
    name_or_urls: str | Mapping[str, tuple[str, str]],
    *,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Fetch a four-file IDX dataset; return its directory, ready for load_idx_dataset.

    name_or_urls is a name in KNOWN_IDX_DATASETS ("mnist", "fashion-mnist",
    "kmnist"), or a mapping {file name: (url, sha256)} whose names are the
    four standard ones, each with or without ".gz". A known set goes into
    <cache>/<name>/; a mapping into <cache>/idx-<16 hex digits of its
    digests>/, so sets that share file names never overwrite each other.
    """
    if isinstance(name_or_urls, str):
        key = name_or_urls.lower()
        if key not in KNOWN_IDX_DATASETS:
            raise ValueError(
                f"unknown IDX dataset {name_or_urls!r}; known: "
                f"{', '.join(KNOWN_IDX_DATASETS)}, or pass {{file name: (url, sha256)}}"
            )
        files, subdir = KNOWN_IDX_DATASETS[key], key
    elif isinstance(name_or_urls, Mapping):
        files = _check_file_map(name_or_urls)
        joined = "".join(digest for _, (_, digest) in sorted(files.items()))
        subdir = "idx-" + hashlib.sha256(joined.encode()).hexdigest()[:16]
    else:
        raise TypeError(
            f"name_or_urls must be a dataset name or a mapping {{file name: (url, sha256)}}, "
            f"got {type(name_or_urls).__name__}"
        )
    directory = data_home(cache_dir) / subdir
    for filename, (url, digest) in files.items():
        fetch(url, digest, filename=filename, cache_dir=directory, progress=progress,
              timeout=timeout)
    return directory


def _check_file_map(files: Mapping) -> dict[str, tuple[str, str]]:
    checked = {}
    for filename, entry in files.items():
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            raise ValueError(f"{filename!r}: expected a pair (url, sha256), got {entry!r}")
        checked[filename] = (entry[0], check_digest(entry[1]))
    stems = {name[:-3] if name.endswith(".gz") else name for name in checked}
    expected = set(FILENAMES.values())
    if stems != expected or len(checked) != len(expected):
        raise ValueError(
            f"an IDX dataset needs exactly the files {', '.join(FILENAMES.values())} "
            f"(each may end in .gz), got {', '.join(map(repr, checked))}"
        )
    return checked


def _url_basename(url: str) -> str:
    return posixpath.basename(urllib.parse.unquote(urllib.parse.urlsplit(url).path))


def _check_filename(name: object, url: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"filename must be a string, got {type(name).__name__}")
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(
            f"cannot store {url} as {name!r}: need a plain file name; pass filename=..."
        )
    return name


def _download(url: str, target: Path, sha256: str, progress: bool, timeout: float) -> None:
    # Imported here: together with ssl they take a while to import, which every
    # load_mnist would pay at import time otherwise.
    import http.client
    import urllib.error
    import urllib.request

    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"could not download {url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(
            f"could not download {url}: {exc.reason}; check the address and the network, "
            f"or put the file there by hand: {target}"
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"could not download {url}: {exc}") from exc

    with response, atomic_write(target) as out:
        actual = _copy_checked(response, out, url, progress, target.name)
        if actual != sha256:
            raise ChecksumError(url, sha256, actual,
                                f"The download was discarded; nothing was saved as {target}")


def _copy_checked(response, out, url: str, progress: bool, name: str) -> str:
    """Copy the body to out; check its length against Content-Length; return its SHA-256."""
    import http.client

    length = _content_length(response)
    digest = hashlib.sha256()
    received = 0
    bar = _progress_bar(progress, length, name)
    try:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"download of {url} failed after {received} bytes: {exc!r}") from exc
    finally:
        if bar is not None:
            bar.close()
    # http.client returns b"" when the server closes early, without an error.
    if length is not None and received != length:
        raise FetchError(
            f"download of {url} was cut short: got {received} of the {length} bytes "
            f"its Content-Length announced; try again"
        )
    return digest.hexdigest()


def _content_length(response) -> int | None:
    value = response.headers.get("Content-Length")
    try:
        length = int(value)
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


def _progress_bar(enabled: bool, total: int | None, name: str):
    if not enabled or sys.stderr is None or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None  # tqdm is optional: no bar, same download
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                leave=False)
