"""A real Unbound resolver for the tests: own configuration in a temporary directory, no root, no daemon, a
free loopback port. The names it resolves come from an ``auth-zone`` served to its iterator (``for-upstream``),
so the RPZ policy applies to them as to any name on the Internet, and nothing leaves the machine."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from tests.conftest import free_port

UNRELATED_ZONE = """$ORIGIN test.
$TTL 60
@ IN SOA ns.test. hostmaster.test. 1 3600 600 604800 60
@ IN NS ns.test.
ns IN A 127.0.0.1
{records}
"""


def unbound_binary() -> str:
    """Debian's unbound (``make test`` installs it); the test is skipped only when it truly is not there."""
    found = shutil.which("unbound") or shutil.which("unbound", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("Debian's unbound is not installed (`make resolver` installs it)")
    return found


@dataclass(frozen=True)
class Rpz:
    name: str  # the zone name, with its final dot
    url: str | None = None
    zonefile: Path | None = None


@dataclass(frozen=True)
class Answer:
    rcode: str
    records: tuple[str, ...]

    @property
    def addresses(self) -> set[str]:
        return {r.split()[-1] for r in self.records if " IN A " in r}

    @property
    def cnames(self) -> set[str]:
        return {r.split()[-1] for r in self.records if " IN CNAME " in r}


class Unbound:
    """``with Unbound(tmp, names, zones) as resolver: resolver.ask("x.test")``; ``restart()`` re-reads the
    zones (a fresh fetch of every ``url:``)."""

    def __init__(self, directory: Path, names: dict[str, str], zones: Sequence[Rpz]) -> None:
        self.binary = unbound_binary()
        self.directory = directory
        self.port = free_port()
        records = "\n".join(f"{name.removesuffix('.test')} IN A {address}" for name, address in names.items())
        (directory / "test.zone").write_text(UNRELATED_ZONE.format(records=records))
        (directory / "unbound.conf").write_text(self._config(zones))
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self, zones: Sequence[Rpz]) -> str:
        d = self.directory
        lines = ["server:", "  interface: 127.0.0.1", f"  port: {self.port}", "  do-daemonize: no", '  chroot: ""',
                 '  username: ""', f'  directory: "{d}"', f'  pidfile: "{d}/unbound.pid"', "  use-syslog: no",
                 f'  logfile: "{d}/unbound.log"', "  verbosity: 1", "  do-ip6: no",
                 '  module-config: "respip iterator"', "  access-control: 127.0.0.0/8 allow",
                 '  local-zone: "test." nodefault',
                 "auth-zone:", '  name: "test."', f'  zonefile: "{d}/test.zone"', "  for-downstream: no",
                 "  for-upstream: yes", "  fallback-enabled: no"]
        for zone in zones:
            source = f'  url: "{zone.url}"' if zone.url else f'  zonefile: "{zone.zonefile}"'
            lines += ["rpz:", f'  name: "{zone.name}"', source, "  rpz-log: yes"]
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        subprocess.run([shutil.which("unbound-checkconf") or "unbound-checkconf", str(self.directory / "unbound.conf")],
                       check=True, capture_output=True)
        self.process = subprocess.Popen([self.binary, "-d", "-c", str(self.directory / "unbound.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait_for(lambda: self.ask("ns.test").rcode == "NOERROR", "unbound did not answer")
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Unbound:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:  # a test that failed half-way never leaves a resolver running
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    def ask(self, name: str) -> Answer:
        query = dns.message.make_query(name, "A")
        try:
            response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=1.0)
        except (TimeoutError, dns.exception.Timeout):
            return Answer("TIMEOUT", ())
        return Answer(dns.rcode.to_text(response.rcode()),
                      tuple(str(rr) for rrset in response.answer for rr in rrset.to_text().splitlines()))

    def wait_for(self, condition: object, message: str, seconds: float = 20.0) -> None:
        """Poll a real process (not the clock) until ``condition()`` holds: Unbound loads its zones, and fetches
        a ``url:`` zone, after it starts answering."""
        assert callable(condition)
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{message}\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        path = self.directory / "unbound.log"
        return path.read_text() if path.exists() else ""
