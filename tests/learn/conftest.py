"""What the tests of bprop learn share: ``make_ws`` (a workspace in a temporary folder) and ``learner`` (files
written as a learner writes them: ``learner.write(ws, name, text)``, ``learner.solve(ws, name)``)."""

from __future__ import annotations

import os
import time
import types
from pathlib import Path

import pytest

from bprop.learn import catalog, workspace


def make_workspace(root: Path, lang: str = "en") -> workspace.Workspace:
    workspace.init(root, lang)
    return workspace.Workspace(root)


def write(ws: workspace.Workspace, name: str, text: str) -> Path:
    """Save ``text`` as the learner's file of exercise ``name``, with a new modification time."""
    path = ws.path(catalog.find(name))
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:  # a coarse clock: make the save visible to a poll
        os.utime(path, ns=(time.time_ns(), before + 1_000_000))
    return path


def solve(ws: workspace.Workspace, name: str) -> Path:
    return write(ws, name, catalog.find(name).solution())


@pytest.fixture
def make_ws(tmp_path):
    def make(lang: str = "en", name: str = "course") -> workspace.Workspace:
        return make_workspace(tmp_path / name, lang)

    return make


@pytest.fixture
def learner():
    return types.SimpleNamespace(write=write, solve=solve)
