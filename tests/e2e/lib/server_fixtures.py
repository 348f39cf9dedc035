"""The pytest fixtures of the end-to-end modules that drive a `skiff server --disable-agent`
(tests/e2e/api, tests/e2e/controlplane): their conftest.py files import these fixtures.

Every test module gets its own server (module scope): its own temp dir, data dir, kubeconfig
and a free port on 127.0.0.1, so the test files can run in parallel under CTest. Restart
tests make fresh servers with `make_server`.
"""

import signal

import pytest

from skiff_e2e import SkiffServer, _new_root, _remove_root, running_server


@pytest.fixture(scope="module")
def server(request):
    """The module's server; with its scheduler and controllers when the module sets
    CONTROL_PLANE = True."""
    with running_server(control_plane=getattr(request.module, "CONTROL_PLANE", False)) as srv:
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


