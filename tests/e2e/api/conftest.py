"""Fixtures for the API server end-to-end tests (see ../lib/server_fixtures.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from skiff_e2e import *  # noqa: E402,F401,F403  (re-exported for the test modules)
from server_fixtures import _server_stays_up, make_server, server  # noqa: E402,F401
