"""The suite itself: green on any machine, however busy. No test may depend on wall-clock speed."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import settings

TESTS = Path(__file__).parent


def test_hypothesis_has_no_deadline_for_any_test():
    assert settings.default.deadline is None  # conftest's profile: no per-example time limit anywhere
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "deadline":
                assert isinstance(node.value, ast.Constant) and node.value.value is None, \
                    f"{path.name}:{node.lineno}: a Hypothesis deadline makes a busy machine fail the test"


def test_no_test_times_our_code():
    """Speed is measured in benchmarks/ as ratios against a baseline in the same process; a test that times our
    code with a fixed limit fails on a busy machine. (Waiting for a child process with a timeout is fine.)"""
    for path in TESTS.rglob("test_*.py"):
        if path.name == "test_suite.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "perf_counter" not in text and "time.time()" not in text and "process_time" not in text, path.name
