"""SWE-style instances for the swe_tests verifier: the three packages of tests/data/swe, and
a one-module instance built in code, the fastest target for hostile patches."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SWE = Path(__file__).parent / "data" / "swe"
NAMES = ("calc", "textkit", "inventory")


@dataclass(frozen=True)
class Fixture:
    name: str
    repo: Path
    instance: dict[str, Any]
    gold: str
    break_p2p: str

    def files(self) -> dict[str, str]:
        return {
            str(path.relative_to(self.repo)): path.read_text()
            for path in sorted(self.repo.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }

    def ground_truth(self, source: str = "files", **extra: Any) -> dict[str, Any]:
        truth = {**self.instance, "test_patch": (self.repo.parent / "test.patch").read_text()}
        if source == "files":
            truth["files"] = self.files()
        elif source == "archive":
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
                for name, content in self.files().items():
                    data = content.encode()
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
            truth["archive"] = base64.b64encode(buffer.getvalue()).decode()
        return {**truth, **extra}


def load(name: str) -> Fixture:
    root = SWE / name
    return Fixture(
        name=name,
        repo=root / "repo",
        instance=json.loads((root / "instance.json").read_text()),
        gold=(root / "gold.patch").read_text(),
        break_p2p=(root / "break_p2p.patch").read_text(),
    )


def fenced(patch: str) -> str:
    return f"I fixed it.\n\n```diff\n{patch}```\n"


# A one-module package: `add` subtracts. The hidden tests add test_add and test_add_many.
MINI_FILES = {
    "mini/__init__.py": "",
    "mini/ops.py": "def add(a, b):\n    return a - b\n\n\ndef neg(a):\n    return -a\n",
    "tests/test_ops.py": "from mini.ops import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n",
}
MINI_TEST_PATCH = """\
diff --git a/tests/test_add.py b/tests/test_add.py
new file mode 100644
--- /dev/null
+++ b/tests/test_add.py
@@ -0,0 +1,13 @@
+from mini.ops import add
+
+
+def test_add():
+    assert add(2, 3) == 5
+
+
+def test_add_negative():
+    assert add(-2, -3) == -5
+
+
+def test_add_zero():
+    assert add(0, 0) == 0
"""


def mini_instance(**extra: Any) -> dict[str, Any]:
    return {
        "instance_id": "local__mini-1",
        "files": dict(MINI_FILES),
        "test_patch": MINI_TEST_PATCH,
        "FAIL_TO_PASS": ["tests/test_add.py::test_add", "tests/test_add.py::test_add_negative"],
        "PASS_TO_PASS": ["tests/test_add.py::test_add_zero", "tests/test_ops.py::test_neg"],
        **extra,
    }


# The same bug under a unittest runner with Django's verbose output, run as Django's
# runtests.py is: from tests/, by module name, graded by `test (module.Class)` names.
UNITTEST_COMMAND = "cd tests && PYTHONPATH=..:$PYTHONPATH python3 -m unittest -v {test_modules}"
UNITTEST_TEST_PATCH = """\
diff --git a/tests/test_add.py b/tests/test_add.py
new file mode 100644
--- /dev/null
+++ b/tests/test_add.py
@@ -0,0 +1,14 @@
+import unittest
+
+from mini.ops import add
+
+
+class AddTest(unittest.TestCase):
+    def test_add(self):
+        self.assertEqual(add(2, 3), 5)
+
+    def test_add_negative(self):
+        self.assertEqual(add(-2, -3), -5)
+
+    def test_add_zero(self):
+        self.assertEqual(add(0, 0), 0)
"""


def unittest_instance(**extra: Any) -> dict[str, Any]:
    return mini_instance(
        **{
            "test_patch": UNITTEST_TEST_PATCH,
            "test_command": UNITTEST_COMMAND,
            "log_parser": "django",
            "FAIL_TO_PASS": [
                "test_add (test_add.AddTest)",
                "test_add_negative (test_add.AddTest)",
            ],
            "PASS_TO_PASS": ["test_add_zero (test_add.AddTest)"],
            **extra,
        }
    )


def _diff(path: str, old: list[str], new: list[str]) -> str:
    """A one-hunk git diff of ``path`` whose first lines change from ``old`` to ``new``."""
    start = 1 if old else 0
    body = "".join(f"-{line}\n" for line in old) + "".join(f"+{line}\n" for line in new)
    return (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
        f"@@ -{start},{len(old)} +1,{len(new)} @@\n{body}"
    )


def new_file_diff(path: str, lines: list[str]) -> str:
    """A git diff that adds ``path`` with ``lines``."""
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def mini_patch(new_body: str) -> str:
    """A diff that replaces mini/ops.py's `add` body with ``new_body`` (one or more lines)."""
    return _diff("mini/ops.py", ["def add(a, b):", "    return a - b"],
                 ["def add(a, b):", *new_body.splitlines()])  # fmt: skip


MINI_GOLD = mini_patch("    return a + b")
# Fixes test_add only: half the FAIL_TO_PASS tests, every PASS_TO_PASS test.
MINI_HALF = mini_patch("    return abs(a) + abs(b)")
# Fixes both FAIL_TO_PASS tests and breaks test_add_zero.
MINI_BREAKS_P2P = mini_patch("    return a + b if a or b else 1")


def mini_module_patch(code: str) -> str:
    """A diff that puts ``code`` at the top of mini/__init__.py: it runs when tests import."""
    return _diff("mini/__init__.py", [], code.splitlines())
