"""Applies SWE-RL search/replace edits to a repository; runs inside the sandbox.

Standalone (standard library only) because it is copied into the sandbox and run by the
image's own python3. Semantics are those of verifiers.patch_similarity.search_replace:
each search text must occur at a line start, all its occurrences are replaced, edits
apply in order, and an unknown path is a new, empty file.

    python3 -I apply_edits.py EDITS.json     (in the repository's root)
"""

import json
import os
import sys


def main(path):
    with open(path, encoding="utf-8") as handle:
        edits = json.load(handle)
    for name, blocks in edits.items():
        try:
            with open(name, encoding="utf-8", newline="") as handle:
                content = "\n" + handle.read()
        except FileNotFoundError:
            content = "\n"
        for search, replace in blocks:
            if "\n" + search not in content:
                sys.exit(f"{name}: search text not found: {search.splitlines()[:1]!r}")
            content = content.replace("\n" + search, "\n" + replace)
        directory = os.path.dirname(name)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(name, "w", encoding="utf-8", newline="") as handle:
            handle.write(content[1:])


if __name__ == "__main__":
    main(sys.argv[1])
