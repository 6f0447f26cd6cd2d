"""A real BIND 9 for the tests, as an operator runs it: ``named`` in the foreground with its own configuration
in a temporary directory, on free loopback ports, nothing leaving the machine.

Two processes: one serves the ``test.`` zone authoritatively (the stand-in for the Internet), the other is the
operator's recursive resolver, forwarding ``test.`` to the first and applying Accord's RPZ zone, loaded from the
file ``accord blocklist export --format rpz`` wrote (docs/blocklists.md, "BIND 9"). ``named-checkconf`` and
``named-checkzone`` check both first, as the operator's reload script does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.functional.unbound import UNRELATED_ZONE, Answer, Unbound

SBIN = "/usr/sbin:/usr/local/sbin:/usr/bin"


def bind_binary(name: str = "named") -> str:
    """Debian's BIND (``make test`` installs bind9 with the resolvers); skipped only when it truly is not there."""
    found = shutil.which(name) or shutil.which(name, path=SBIN)
    if found is None:
        pytest.skip(f"Debian's BIND ({name}) is not installed (`make resolver` installs it)")
    return found


def _options(directory: Path, port: int, extra: str) -> str:
    return (f'options {{\n  directory "{directory}";\n  listen-on port {port} {{ 127.0.0.1; }};\n'
            f'  listen-on-v6 {{ none; }};\n  pid-file "{directory}/named.pid";\n'
            f'  session-keyfile "{directory}/session.key";\n  managed-keys-directory "{directory}";\n'
            f"  dnssec-validation no;\n  notify no;\n{extra}}};\ncontrols {{ }};\n")


class Bind(Unbound):
    """``with Bind(tmp, names, rpz_name, zonefile) as resolver: resolver.ask("x.test")``; ``restart()`` loads the
    zone file again."""

    def __init__(self, directory: Path, names: dict[str, str], rpz_name: str, zonefile: Path) -> None:
        self.binary = bind_binary()
        self.directory = directory
        self.port = free_port()
        self.upstream_port = free_port()
        self.rpz_name = rpz_name.rstrip(".")
        self.zonefile = zonefile
        records = "\n".join(f"{name.removesuffix('.test')} IN A {address}" for name, address in names.items())
        for part in ("auth", "resolver"):
            (directory / part).mkdir(exist_ok=True)
        (directory / "auth" / "test.zone").write_text(UNRELATED_ZONE.format(records=records))
        (directory / "auth" / "named.conf").write_text(
            _options(directory / "auth", self.upstream_port, "  recursion no;\n")
            + f'zone "test" {{ type primary; file "{directory / "auth" / "test.zone"}"; }};\n')
        (directory / "resolver" / "named.conf").write_text(
            _options(directory / "resolver", self.port,
                     "  recursion yes;\n  allow-query { 127.0.0.1; };\n"
                     f'  response-policy {{ zone "{self.rpz_name}"; }} qname-wait-recurse no break-dnssec yes;\n')
            + f'zone "{self.rpz_name}" {{ type primary; file "{zonefile}"; allow-query {{ none; }}; }};\n'
            + 'zone "test" { type forward; forward only;\n'
            + f'  forwarders {{ 127.0.0.1 port {self.upstream_port}; }}; }};\n')
        self.processes: list[subprocess.Popen[bytes]] = []
        self.process = None

    def check(self) -> None:
        """What the operator's reload script runs before ``rndc reload``: BIND's own parsers."""
        for part in ("auth", "resolver"):
            subprocess.run([bind_binary("named-checkconf"), str(self.directory / part / "named.conf")], check=True,
                           capture_output=True)
        subprocess.run([bind_binary("named-checkzone"), self.rpz_name, str(self.zonefile)], check=True,
                       capture_output=True)

    def start(self) -> None:
        self.check()
        for part in ("auth", "resolver"):
            log = (self.directory / part / "named.log").open("ab")
            self.processes.append(subprocess.Popen([self.binary, "-g", "-c", str(self.directory / part / "named.conf")],
                                                   stdout=log, stderr=log))
        try:
            self.wait_for(lambda: self.ask("ns.test").rcode == "NOERROR", "BIND did not answer")
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=10)
        self.processes = []

    def __del__(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()

    def log(self) -> str:
        return "\n".join((self.directory / part / "named.log").read_text(errors="replace")
                         for part in ("auth", "resolver") if (self.directory / part / "named.log").exists())

    def ask(self, name: str) -> Answer:
        return super().ask(name)


__all__ = ["Answer", "Bind"]
