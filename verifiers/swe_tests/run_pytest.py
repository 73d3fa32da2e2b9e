"""Runs pytest with the repository's root on sys.path, but only after pytest is imported.

``python3 -m pytest`` puts the working directory first on sys.path before pytest loads,
so a ``pytest.py`` or ``_pytest/`` added by a patch would stand in for the runner and
write whatever report it likes. Copied into the sandbox and run with ``python3 -I``.
"""

import os
import sys

import pytest

sys.path.insert(0, os.getcwd())
sys.exit(pytest.main(sys.argv[1:]))
