"""bprop.datasets.fetch against a local HTTP server: good, cut short, wrong, down.

Every failure must leave the cache without a file under the target name and
without temporary files."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from bprop.datasets import (
    KNOWN_IDX_DATASETS,
    ChecksumError,
    DataError,
    FetchError,
    data_home,
    fetch,
    fetch_idx_dataset,
    load_idx_dataset,
)
from bprop.datasets.idx_dataset import FILENAMES

BODY = np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes()


BODY_SHA = hashlib.sha256(BODY).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


class _Handler(BaseHTTPRequestHandler):
    """Serves server.routes: path -> (kind, body); kind "ok", "short", "hang" or an HTTP status."""

    def do_GET(self):
        self.server.requests.append(self.path)
        kind, body = self.server.routes.get(self.path, (404, b""))
        if kind == "hang":
            self.server.release.wait(5)
            return
        if isinstance(kind, int):
            self.send_error(kind)
            return
        self.send_response(200)
        # "short" announces more than it sends, then closes: a body cut short.
        extra = 1000 if kind == "short" else 0
        self.send_header("Content-Length", str(len(body) + extra))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.requests, httpd.release = {}, [], threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("BPROP_DATA", str(directory))
    # A proxy from the environment must not intercept the local server.
    monkeypatch.setenv("no_proxy", "*")
    return directory


def _files(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_fetch_downloads_into_bprop_data_and_leaves_no_temp_files(server, cache):
    server.routes["/data/file.bin"] = ("ok", BODY)
    path = fetch(f"{server.url}/data/file.bin", BODY_SHA)
    assert path == cache / "file.bin"
    assert path.read_bytes() == BODY
    assert _files(cache) == ["file.bin"]


def test_fetch_keeps_a_cached_file_with_the_right_hash(server, cache):
    server.routes["/file.bin"] = ("ok", BODY)
    first = fetch(f"{server.url}/file.bin", BODY_SHA.upper())
    second = fetch(f"{server.url}/file.bin", BODY_SHA)
    assert first == second
    assert server.requests == ["/file.bin"]


def test_fetch_replaces_a_cached_file_with_the_wrong_hash(server, cache):
    server.routes["/file.bin"] = ("ok", BODY)
    cache.mkdir()
    (cache / "file.bin").write_bytes(b"stale")
    path = fetch(f"{server.url}/file.bin", BODY_SHA)
    assert path.read_bytes() == BODY
    assert server.requests == ["/file.bin"]
    assert _files(cache) == ["file.bin"]


def test_fetch_of_a_body_cut_short_raises_and_keeps_nothing(server, cache):
    server.routes["/file.bin"] = ("short", BODY)
    url = f"{server.url}/file.bin"
    with pytest.raises(FetchError, match="cut short: got 50000 of the 51000 bytes") as info:
        fetch(url, BODY_SHA)
    assert url in str(info.value)
    assert _files(cache) == []


def test_fetch_with_a_wrong_checksum_raises_and_keeps_nothing(server, cache):
    server.routes["/file.bin"] = ("ok", BODY)
    url = f"{server.url}/file.bin"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        fetch(url, wrong)
    assert f"{url}: SHA-256 mismatch: expected {wrong}, got {BODY_SHA}" in str(info.value)
    assert isinstance(info.value, DataError)
    assert _files(cache) == []


def test_fetch_of_a_stale_file_whose_download_fails_keeps_nothing(server, cache):
    server.routes["/file.bin"] = ("short", BODY)
    cache.mkdir()
    (cache / "file.bin").write_bytes(b"stale")
    with pytest.raises(FetchError):
        fetch(f"{server.url}/file.bin", BODY_SHA)
    assert _files(cache) == []


@pytest.mark.parametrize("status", [404, 500])
def test_fetch_of_an_http_error_names_url_and_status(server, cache, status):
    server.routes["/file.bin"] = (status, b"")
    url = f"{server.url}/file.bin"
    with pytest.raises(FetchError, match=f"could not download {url}: HTTP {status}"):
        fetch(url, BODY_SHA)
    assert _files(cache) == []


def test_fetch_from_a_server_that_is_down_names_the_url(cache):
    with socket.socket() as s:  # a port that was free a moment ago has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/file.bin"
    with pytest.raises(FetchError, match=f"could not download {url}: .*refused"):
        fetch(url, BODY_SHA, timeout=5)
    assert isinstance(FetchError("x"), OSError)
    assert _files(cache) == []


def test_fetch_from_a_silent_server_times_out(server, cache):
    server.routes["/file.bin"] = ("hang", b"")
    url = f"{server.url}/file.bin"
    with pytest.raises(FetchError, match=f"could not download {url}: .*timed out"):
        fetch(url, BODY_SHA, timeout=0.2)
    assert _files(cache) == []


def test_fetch_interrupted_before_the_rename_keeps_nothing(server, cache, monkeypatch):
    server.routes["/file.bin"] = ("ok", BODY)

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch(f"{server.url}/file.bin", BODY_SHA)
    assert _files(cache) == []


def test_fetch_stays_quiet_when_stderr_is_not_a_terminal(server, cache, capfd):
    server.routes["/file.bin"] = ("ok", BODY)
    fetch(f"{server.url}/file.bin", BODY_SHA, progress=True)
    assert capfd.readouterr() == ("", "")


def test_fetch_stores_under_the_given_filename_and_cache_dir(server, cache, tmp_path):
    server.routes["/download?id=7"] = ("ok", BODY)
    other = tmp_path / "elsewhere"
    path = fetch(f"{server.url}/download?id=7", BODY_SHA, filename="named.bin", cache_dir=other)
    assert path == other / "named.bin" and path.read_bytes() == BODY
    assert _files(cache) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"url": "http://127.0.0.1:9/f", "sha256": "abc"}, ValueError, "64 hex digits"),
        ({"url": "http://127.0.0.1:9/f", "sha256": 12}, TypeError, "string of 64 hex"),
        ({"url": "ftp://127.0.0.1/f", "sha256": BODY_SHA}, ValueError, "http:// or https://"),
        ({"url": "http://127.0.0.1:9/", "sha256": BODY_SHA}, ValueError, "plain file name"),
        ({"url": "http://127.0.0.1:9/f", "sha256": BODY_SHA, "filename": "../f"}, ValueError,
         "plain file name"),
    ],
    ids=["short-digest", "digest-type", "scheme", "no-name", "path-in-name"],
)
def test_fetch_rejects_bad_arguments_before_any_download(cache, kwargs, error, message):
    with pytest.raises(error, match=message):
        fetch(**kwargs)
    assert _files(cache) == []


def test_data_home_prefers_argument_then_env_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BPROP_DATA", raising=False)
    assert data_home() == tmp_path / "home" / ".cache" / "bprop"
    monkeypatch.setenv("BPROP_DATA", str(tmp_path / "env"))
    assert data_home() == tmp_path / "env"
    assert data_home(tmp_path / "arg") == tmp_path / "arg"


def test_fetch_idx_dataset_downloads_a_set_ready_to_load(server, cache):
    rng = np.random.default_rng(1)
    arrays = {
        "train_images": rng.integers(0, 256, (6, 4, 4), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, 6, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (2, 4, 4), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    files = {}
    for part, stem in FILENAMES.items():
        body = gzip.compress(idx_bytes(arrays[part]))
        server.routes[f"/set/{stem}.gz"] = ("ok", body)
        files[f"{stem}.gz"] = (f"{server.url}/set/{stem}.gz", hashlib.sha256(body).hexdigest())
    directory = fetch_idx_dataset(files)
    assert directory.parent == cache and directory.name.startswith("idx-")
    (x, t), (x_test, t_test) = load_idx_dataset(directory, normalize=False)
    np.testing.assert_array_equal(x, arrays["train_images"].reshape(6, 16))
    np.testing.assert_array_equal(t, arrays["train_labels"])
    np.testing.assert_array_equal(t_test, arrays["test_labels"])
    assert fetch_idx_dataset(files) == directory
    assert len(server.requests) == 4


def test_fetch_idx_dataset_rejects_unknown_names_and_incomplete_maps(cache):
    with pytest.raises(ValueError, match="unknown IDX dataset 'cifar'; known: mnist, fashion"):
        fetch_idx_dataset("cifar")
    with pytest.raises(ValueError, match="needs exactly the files"):
        fetch_idx_dataset({"train-images-idx3-ubyte.gz": ("http://127.0.0.1:9/x", BODY_SHA)})
    assert _files(cache) == []


def test_known_idx_datasets_list_four_standard_files_with_digests():
    for files in KNOWN_IDX_DATASETS.values():
        assert sorted(files) == sorted(f"{stem}.gz" for stem in FILENAMES.values())
        for name, (url, digest) in files.items():
            assert url.endswith("/" + name) and url.startswith(("http://", "https://"))
            assert len(digest) == 64 and int(digest, 16) >= 0
