"""Fixtures for the API server end-to-end tests (helpers live in ../lib/skiff_e2e.py).

Every test module gets its own `skiff server --disable-agent` (module scope): its own temp dir,
data dir, kubeconfig and a free port on 127.0.0.1, so the test files can run in parallel under
CTest. Restart tests make fresh servers with `make_server`.
"""

import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from skiff_e2e import *  # noqa: E402,F401,F403  (re-exported for the test modules)
from skiff_e2e import SkiffServer, _new_root, _remove_root, running_server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _server_stays_up(request):
    """Fails the test (at teardown) when the module's server died during it, e.g. crashed."""
    yield
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        if srv.proc is not None and srv.proc.poll() is not None:
            rc = srv.proc.returncode
            tail = srv.log_tail(1500)
            srv.start(port=srv.port)  # so the rest of the module can still run
            pytest.fail(f"the skiff server died during this test (exit status {rc}); "
                        f"log tail:\n{tail}", pytrace=False)


@pytest.fixture
def make_server():
    """Factory of fresh servers (not started) for restart tests; all cleaned up afterwards."""
    made = []

    def make(*extra_args):
        srv = SkiffServer(_new_root(), extra_args)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop(signal.SIGKILL)
        _remove_root(srv.root)


