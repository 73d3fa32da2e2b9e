"""Build (or re-check) the real SWE-bench-style instances in this directory.

Usage:  .venv/bin/python tests/data/swe_real/build.py [--mirror-root DIR] [instance_id ...]

For each instance below it takes the fix commit from a local bare mirror of the public
repository, and:
  * archives the parent commit (base_commit) into repo.tar.gz (minus the paths in ``trim``);
  * splits the fix into ``patch`` (non-test files) and ``test_patch`` (test files);
  * runs the tests of the files touched by test_patch with Debian 12's /usr/bin/python3
    (3.11, python3-pytest 7.2) and no venv / user site, in four trees:
      before = base + test_patch            (logs/before.log)
      gold   = base + test_patch + patch    (logs/gold.log)
      wrong  = base + test_patch + wrong.patch  (logs/wrong.log)
      empty  = base + test_patch, no model patch (logs/empty.log)
  * parses the logs with swebench's parse_log_pytest / parse_log_django, sets
    FAIL_TO_PASS = failed before & passed gold, PASS_TO_PASS = passed before & gold;
  * grades gold / empty / wrong with swebench.harness.grading (get_eval_tests_report +
    get_resolution_status) and writes expected.json.

The mirrors are bare git directories as brought by the session's ``fetch`` tool
(/work/.mirror/<owner>+<name>/repo). The swebench package (5.0.2 was used) must be
importable by the interpreter running this script; the tests themselves run under
/usr/bin/python3 only.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = Path("/tmp/swe_real_work")
PYTHON = "/usr/bin/python3"

INSTANCES = [
    {
        "instance_id": "more-itertools__more-itertools-edb3346",
        "repo": "more-itertools/more-itertools",
        "mirror": "more-itertools+more-itertools",
        "fix": "edb3346f835ca917efbfda5e2d6664ab952da369",
        "version": "11.0",
        "runner": "unittest",
        "problem_statement": (
            "reversed() of an empty numeric_range raises IndexError instead of returning "
            "an empty iterator, e.g. list(reversed(numeric_range(0))) should be []."
        ),
        "trim": [".github"],
        # scale down the three slowest tests (~9 of the ~11 s of test time under load);
        # same tests, same names, same line count
        "trim_edits": [
            (
                "tests/test_more.py",
                "        for _ in range(1_000):\n            N = randrange(35)\n",
                "        for _ in range(100):\n            N = randrange(35)\n",
            ),
            (
                "tests/test_more.py",
                "        limit = 10**6\n        counter = mi.serialize(",
                "        limit = 10**5\n        counter = mi.serialize(",
            ),
            (
                "tests/test_more.py",
                "        limit = 10**5\n        num_threads = 100\n",
                "        limit = 10**4\n        num_threads = 100\n",
            ),
        ],
        "wrong": [
            (
                "more_itertools/more.py",
                "    def __reversed__(self):\n"
                "        return iter(\n"
                "            numeric_range(\n"
                "                self._get_by_index(-1), self._start - self._step, -self._step\n"
                "            )\n"
                "        )\n",
                "    def __reversed__(self):\n"
                "        # Empty iterator\n"
                "        try:\n"
                "            start = self._get_by_index(-1)\n"
                "        except IndexError:\n"
                "            start = self._start\n"
                "\n"
                "        return iter(\n"
                "            numeric_range(start, self._start - self._step, -self._step)\n"
                "        )\n",
            )
        ],
    },
    {
        "instance_id": "pytoolz__toolz-603",
        "repo": "pytoolz/toolz",
        "mirror": "pytoolz+toolz",
        "fix": "5a7e078c941c990dcaca53ac6920e5d5c0b1475f",
        "version": "1.0",
        "runner": "pytest",
        "problem_statement": (
            "partition_all silently yields a wrong last partition when the sequence's "
            "__len__ is incorrect (too long or too short); it should raise LookupError "
            "so the invalid iterable can be found (issue #602)."
        ),
        "trim": [".github", "doc", "bench", "examples"],
        "other_shapes": True,
        "wrong": [
            (
                "toolz/itertoolz.py",
                "            yield prev[:len(seq) % n]\n",
                "            end = len(seq) % n\n"
                "            if prev[end] is not no_pad:\n"
                "                raise LookupError(\n"
                "                    'The sequence passed to `parition_all` has invalid length'\n"
                "                )\n"
                "            yield prev[:end]\n",
            )
        ],
    },
    {
        "instance_id": "kjd__idna-e00ed28",
        "repo": "kjd/idna",
        "mirror": "kjd+idna",
        "fix": "e00ed2854c5203be201940f4029a747684594409",
        "version": "3.3",
        "runner": "pytest",
        "problem_statement": (
            "idna.encode() given a byte string that is not ASCII raises a bare "
            "UnicodeDecodeError instead of idna.IDNAError (issue #119)."
        ),
        "trim": [".github"],
        "wrong": [
            (
                "idna/core.py",
                "    if isinstance(s, (bytes, bytearray)):\n        s = s.decode('ascii')\n",
                "    if isinstance(s, (bytes, bytearray)):\n"
                "        try:\n"
                "            s = s.decode('ascii')\n"
                "        except UnicodeDecodeError:\n"
                "            raise UnicodeError('should pass a unicode string to the function "
                "rather than a byte string.')\n",
            )
        ],
    },
    {
        "instance_id": "jpvanhal__inflection-1969b3a",
        "repo": "jpvanhal/inflection",
        "mirror": "jpvanhal+inflection",
        "fix": "1969b3a06a9ff06d023863e388cf8af01978d297",
        "version": "0.3",
        "runner": "pytest",
        "problem_statement": (
            'pluralize("passerby") returns "passerbys" instead of "passersby", and '
            'singularize("passersby") should give back "passerby".'
        ),
        "trim": [".travis.yml", "docs"],
        "wrong": [
            (
                "inflection.py",
                "    (r\"(?i)(m|l)ouse$\", r'\\1ice'),\n",
                "    (r\"(?i)(m|l)ouse$\", r'\\1ice'),\n    (r\"(?i)(passer)by$\", r'\\1sby'),\n",
            )
        ],
    },
    {
        "instance_id": "r1chardj0n3s__parse-132",
        "repo": "r1chardj0n3s/parse",
        "mirror": "r1chardj0n3s+parse",
        "fix": "421c19919fbca4c61ec20c2f8292d19d93eecbc8",
        "version": "1.19",
        "runner": "unittest",
        "problem_statement": (
            "A left- or center-aligned field whose alignment is not actually used no "
            "longer matches: parse('{:^2S}', 'foo') and parse('{:<2S}', 'foo') return None, "
            "and so does parse('Column {:d}:{:^}', 'Column 1: Timestep') (issue #118)."
        ),
        "trim": [".github"],
        "wrong": [
            (
                "parse.py",
                "        if align == '<':\n            s = '%s%s+' % (s, fill)\n",
                "        if align == '<':\n            s = '%s%s*' % (s, fill)\n",
            )
        ],
    },
    {
        "instance_id": "astanin__python-tabulate-0978de5",
        "repo": "astanin/python-tabulate",
        "mirror": "astanin+python-tabulate",
        "fix": "0978de5bb3a72d9b285d0e305aaf4574e9ffd5bd",
        "version": "0.9",
        "runner": "pytest",
        "problem_statement": (
            "tabulate() of a list of dataclasses that contains SEPARATING_LINE fails with "
            "AttributeError instead of drawing a separating line between the rows."
        ),
        "trim": [".circleci", "appveyor.yml", "benchmark.py", ".pre-commit-config.yaml"],
        "wrong": [
            (
                "tabulate/__init__.py",
                "            rows = [[getattr(row, f) for f in field_names] for row in rows]\n",
                '            rows = [[getattr(row, f, "") for f in field_names] for row in rows]\n',
            )
        ],
    },
]


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in ("test", "tests", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def test_env():
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # only for reproducible logs: inflection parametrizes over a set, whose order
        # (not its ids) depends on the hash seed
        "PYTHONHASHSEED": "0",
    }


def test_command(inst, test_files):
    if inst["runner"] == "unittest":
        mods = [f[:-3].replace("/", ".") for f in test_files]
        return "python3 -m unittest -v " + " ".join(mods)
    return "python3 -m pytest -rA -p no:cacheprovider " + " ".join(test_files)


def run_tests(tree: Path, cmd: str) -> tuple[str, float]:
    argv = cmd.split()
    argv[0] = PYTHON
    t0 = time.monotonic()
    proc = subprocess.run(
        argv,
        cwd=tree,
        env=test_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    return proc.stdout, time.monotonic() - t0


def apply(tree: Path, patch: str):
    if not patch:
        return
    subprocess.run(
        ["git", "apply", "-v", "-"],
        cwd=tree,
        input=patch,
        text=True,
        check=True,
        capture_output=True,
    )


def parse(inst, log):
    from swebench.harness.log_parsers.python import parse_log_django, parse_log_pytest

    fn = parse_log_django if inst["runner"] == "unittest" else parse_log_pytest
    return fn(log, None)


def grade(sm, f2p, p2p):
    from swebench.harness.constants import FAIL_TO_PASS, PASS_TO_PASS, ResolvedStatus
    from swebench.harness.grading import get_eval_tests_report, get_resolution_status

    report = get_eval_tests_report(sm, {FAIL_TO_PASS: f2p, PASS_TO_PASS: p2p})
    status = get_resolution_status(report)
    return status == ResolvedStatus.FULL.value, status, report


def make_wrong_patch(base: Path, edits) -> str:
    out = []
    by_file = {}
    for path, old, new in edits:
        by_file.setdefault(path, []).append((old, new))
    for path, subs in sorted(by_file.items()):
        text = (base / path).read_text()
        new_text = text
        for old, new in subs:
            assert new_text.count(old) == 1, (path, new_text.count(old))
            new_text = new_text.replace(old, new)
        diff = difflib.unified_diff(
            text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
            n=3,
        )
        out.append(f"diff --git a/{path} b/{path}\n" + "".join(diff))
    return "".join(out)


def write_other_shapes(inst, out, row, git, fix, src_files, work, f2p, p2p):
    """SWE-Gym and SWE-smith shaped rows of the same instance (see README.md)."""
    # SWE-Gym: SWE-bench's fields minus environment_setup_commit, F2P/P2P as lists.
    gym_keys = [
        "instance_id",
        "hints_text",
        "patch",
        "test_patch",
        "created_at",
        "problem_statement",
        "repo",
        "base_commit",
        "version",
    ]
    gym = {k: row[k] for k in gym_keys}
    gym["PASS_TO_PASS"] = p2p
    gym["FAIL_TO_PASS"] = f2p
    (out / "row_swegym.json").write_text(json.dumps(gym, indent=2) + "\n")

    # SWE-smith: the environment is the repository at a clean commit (here the fix
    # commit, whose tests are already in the tree); `patch` is the bug-introducing diff
    # (here the reverse of the gold fix), and the solution is its reverse.
    bug_patch = sh([*git, "diff", "--no-color", fix, fix + "^", "--", *src_files])
    # check: fix commit + bug patch == base + test_patch (the "before" tree)
    smith_tree = work / "swesmith"
    shutil.copytree(work / "gold", smith_tree)
    apply(smith_tree, bug_patch)
    cmp = subprocess.run(
        ["diff", "-r", str(smith_tree), str(work / "before")], capture_output=True, text=True
    )
    assert cmp.returncode == 0, cmp.stdout
    owner, name = inst["repo"].split("/")
    short = fix[:8]
    smith = {
        "instance_id": f"{owner}__{name}.{short}.pr_{row['instance_id'].rsplit('-', 1)[1]}",
        "repo": f"swesmith/{owner}__{name}.{short}",
        "patch": bug_patch,
        "FAIL_TO_PASS": f2p,
        "PASS_TO_PASS": p2p,
        "created_at": row["created_at"],
        "image_name": f"swesmith.x86_64.{owner}__{name}.{short}".lower(),
        "problem_statement": row["problem_statement"],
    }
    (out / "row_swesmith.json").write_text(json.dumps(smith, indent=2) + "\n")


def build(inst, mirror_root: Path):
    iid = inst["instance_id"]
    git = ["git", "--git-dir", str(mirror_root / inst["mirror"] / "repo")]
    fix = inst["fix"]
    base_commit = sh([*git, "rev-parse", fix + "^"]).strip()
    # the fix commit's author date in UTC, in SWE-bench's "YYYY-MM-DDTHH:MM:SSZ" form
    # (SWE-bench uses the pull request's creation time; we have only the commit)
    created_at = sh(
        [*git, "log", "-1", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", "--format=%ad", fix],
        env={**os.environ, "TZ": "UTC"},
    ).strip()
    changed = sh([*git, "diff", "--name-only", base_commit, fix]).split()
    test_files = [f for f in changed if is_test_path(f)]
    src_files = [f for f in changed if not is_test_path(f)]
    patch = sh([*git, "diff", "--no-color", base_commit, fix, "--", *src_files])
    test_patch = sh([*git, "diff", "--no-color", base_commit, fix, "--", *test_files])
    run_files = [f for f in test_files if f.endswith(".py") and Path(f).name != "conftest.py"]
    cmd = test_command(inst, run_files)

    work = WORK / iid
    shutil.rmtree(work, ignore_errors=True)
    base = work / "base"
    base.mkdir(parents=True)
    archive = subprocess.run(
        [*git, "archive", "--format=tar", base_commit], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tf:
        tf.extractall(base, filter="data")
    for t in inst["trim"]:
        p = base / t
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()

    for path, old, new in inst.get("trim_edits", []):
        p = base / path
        text = p.read_text()
        assert text.count(old) == 1, (path, old)
        assert old.count("\n") == new.count("\n")
        p.write_text(text.replace(old, new))

    wrong_patch = make_wrong_patch(base, inst["wrong"])

    out = HERE / iid
    (out / "logs").mkdir(parents=True, exist_ok=True)

    # repo.tar.gz: the (trimmed) base tree, paths relative to the repo root
    buf = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
    ):
        for p in sorted(base.rglob("*")):
            info = tf.gettarinfo(p, arcname=str(p.relative_to(base)))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if p.is_file():
                with open(p, "rb") as fh:
                    tf.addfile(info, fh)
            else:
                tf.addfile(info)
    (out / "repo.tar.gz").write_bytes(buf.getvalue())

    logs, times = {}, {}
    for kind, patches in [
        ("before", [test_patch]),
        ("gold", [test_patch, patch]),
        ("wrong", [test_patch, wrong_patch]),
        ("empty", [test_patch]),
    ]:
        tree = work / kind
        shutil.copytree(base, tree)
        for p in patches:
            apply(tree, p)
        logs[kind], times[kind] = run_tests(tree, cmd)
        (out / "logs" / f"{kind}.log").write_text(logs[kind])

    before = parse(inst, logs["before"])
    after = parse(inst, logs["gold"])
    ok = ("PASSED", "XFAIL")
    f2p = [t for t, s in after.items() if s in ok and before.get(t) not in ok]
    p2p = [t for t, s in after.items() if s in ok and before.get(t) in ok]
    assert f2p, f"{iid}: no FAIL_TO_PASS"

    expected = {}
    detail = {}
    for kind in ("gold", "empty", "wrong"):
        resolved, status, report = grade(parse(inst, logs[kind]), f2p, p2p)
        expected[kind] = resolved
        detail[kind] = {
            "status": status,
            "FAIL_TO_PASS_failure": report["FAIL_TO_PASS"]["failure"],
            "PASS_TO_PASS_failure": report["PASS_TO_PASS"]["failure"],
        }
    assert expected == {"gold": True, "empty": False, "wrong": False}, (iid, detail)

    row = {
        "repo": inst["repo"],
        "instance_id": iid,
        "base_commit": base_commit,
        "patch": patch,
        "test_patch": test_patch,
        "problem_statement": inst["problem_statement"],
        "hints_text": "",
        "created_at": created_at,
        "version": inst["version"],
        "FAIL_TO_PASS": json.dumps(f2p),
        "PASS_TO_PASS": json.dumps(p2p),
        "environment_setup_commit": base_commit,
        "test_command": cmd,
        "log_parser": "parse_log_django" if inst["runner"] == "unittest" else "parse_log_pytest",
    }
    (out / "row.json").write_text(json.dumps(row, indent=2) + "\n")
    if inst.get("other_shapes"):
        write_other_shapes(inst, out, row, git, fix, src_files, work, f2p, p2p)
    (out / "wrong.patch").write_text(wrong_patch)
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    (out / "logs" / "grading.json").write_text(json.dumps(detail, indent=2) + "\n")
    summary = {
        "instance_id": iid,
        "runner": inst["runner"],
        "F2P": len(f2p),
        "P2P": len(p2p),
        "seconds": {k: round(v, 2) for k, v in times.items()},
        "tar_bytes": len(buf.getvalue()),
        "wrong_failing_f2p": detail["wrong"]["FAIL_TO_PASS_failure"],
        "wrong_status": detail["wrong"]["status"],
    }
    print(json.dumps(summary))
    return row


def check(inst_dir: Path) -> dict:
    """Re-run an instance from its data files alone (repo.tar.gz, row.json, wrong.patch)
    and compare the official grading with expected.json."""
    from swebench.harness.log_parsers.python import parse_log_django, parse_log_pytest

    row = json.loads((inst_dir / "row.json").read_text())
    expected = json.loads((inst_dir / "expected.json").read_text())
    parser = {"parse_log_django": parse_log_django, "parse_log_pytest": parse_log_pytest}[
        row["log_parser"]
    ]
    f2p, p2p = json.loads(row["FAIL_TO_PASS"]), json.loads(row["PASS_TO_PASS"])
    got = {}
    for kind, model_patch in [
        ("gold", row["patch"]),
        ("wrong", (inst_dir / "wrong.patch").read_text()),
        ("empty", ""),
    ]:
        tree = WORK / "check" / row["instance_id"] / kind
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        with tarfile.open(inst_dir / "repo.tar.gz") as tf:
            tf.extractall(tree, filter="data")
        apply(tree, row["test_patch"])
        apply(tree, model_patch)
        log, _secs = run_tests(tree, row["test_command"])
        got[kind], _, _ = grade(parser(log, None), f2p, p2p)
    assert got == expected, (row["instance_id"], got, expected)
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror-root", default="/work/.mirror", type=Path)
    ap.add_argument(
        "--check",
        action="store_true",
        help="only re-grade the stored instances from their data files",
    )
    ap.add_argument("ids", nargs="*")
    a = ap.parse_args()
    if a.check:
        for d in sorted(p.parent for p in HERE.glob("*/row.json")):
            if not a.ids or d.name in a.ids:
                print(d.name, check(d))
        return
    for inst in INSTANCES:
        if a.ids and inst["instance_id"] not in a.ids:
            continue
        build(inst, a.mirror_root)


if __name__ == "__main__":
    sys.exit(main())
