"""Runs pytest for the swe_tests harness, with its plugin (reward_server_harness.py).

Copied into the sandbox and run with ``python3 -I``, so the repository can neither stand in
for pytest (a ``pytest.py`` in a patch) nor for this file's imports: the repository joins
sys.path only after pytest and the plugin are imported. Plugins are not autoloaded (the
harness sets PYTEST_DISABLE_PLUGIN_AUTOLOAD); conftest files and ``pytest_plugins`` of the
base commit load as usual.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytest
import reward_server_harness

del sys.path[0]
sys.path.insert(0, os.path.realpath(os.getcwd()))
sys.exit(pytest.main(sys.argv[1:], plugins=[reward_server_harness]))
