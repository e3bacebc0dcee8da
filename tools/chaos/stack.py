"""The real stack as separate processes on free loopback ports and a temporary folder (chaos run).

The same processes as infra/Procfile (Temporal dev server, rclone's S3 server, three gunicorn APIs,
the workflow worker, each service's activity worker with its outbox relay, the notifications consumer),
each in a process group of its own so that SIGKILL takes a gunicorn master and its workers together.
The Temporal dev server keeps its state in a SQLite file, so a killed server restarts where it was.
The broker is kombu's SQL transport (the embedded profile), or with `broker="rabbitmq"` a private RabbitMQ
node the run starts itself (tools/chaos/rabbitmq.py), with an epmd of its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.chaos.rabbitmq import RabbitNode

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WARD = "26506"  # Phường Vũng Tàu (Hồ Chí Minh City): the City's shipped plan covers it, the run adds its own
PASSWORD = "chaos-mat-khau-2026"
# One account per role the run acts as, over the ward: the drivers sign in as these; notifications resolve
# them. The household's steps are taken by the village officer on its behalf (a household account sees only
# its own household's case, and the households the run registers have no accounts).
USERS = {
    "village_officer": "chaos-village",
    "commune_association_officer": "chaos-commune",
    "commune_chairman": "chaos-chairman",
    "administrator": "chaos-admin",  # uploads and activates the ward's plan (tools/chaos/plan.py)
}
AUDITOR = "chaos-auditor"  # national auditor: reads the audit verification


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Proc:
    """One supervised process: how to start it, the running Popen, and what happened to it."""

    name: str
    argv: list[str]
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None
    kills: int = 0
    exits: int = 0  # died without our SIGKILL (e.g. a worker giving up while Temporal was down)
    starts: int = 0
    log: Path | None = None
    env: dict[str, str] | None = None  # entries added to the stack's environment for this process only
    cwd: Path | None = None  # the repository when None


@dataclass
class Stack:
    """Ports, environment and processes of one stack under `root`."""

    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, Proc] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rabbit: RabbitNode | None = None  # the private RabbitMQ node (broker "rabbitmq")

    @classmethod
    def create(cls, root: Path, *, web_workers: int = 2, broker: str = "sql") -> Stack:
        """Pick ports, build the environment and the process table (nothing starts yet).

        `broker`: "sql" (kombu's SQL transport on a SQLite file) or "rabbitmq" (a private node)."""
        if broker not in ("sql", "rabbitmq"):
            raise ValueError(f"unknown broker {broker!r}")
        stack = cls(root=root)
        for name in ("temporal", "temporal_http", "s3", "evaluation", "awards", "notifications"):
            stack.ports[name] = free_port()
        if broker == "rabbitmq":
            for name in ("amqp", "erlang_dist", "epmd"):
                stack.ports[name] = free_port()
            stack.rabbit = RabbitNode(
                root / "rabbitmq", stack.ports["amqp"], stack.ports["erlang_dist"], stack.ports["epmd"]
            )
        key, secret = "chaos-access-key-0001", secrets.token_hex(16)
        stack.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "EVALUATION_DATABASE_URL": f"sqlite:///{root / 'evaluation.db'}",
            "AWARDS_DATABASE_URL": f"sqlite:///{root / 'awards.db'}",
            "NOTIFICATIONS_DATABASE_URL": f"sqlite:///{root / 'notifications.db'}",
            "BROKER_URL": stack.rabbit.url if stack.rabbit else f"sqla+sqlite:///{root / 'broker.db'}",
            "TEMPORAL_ADDRESS": f"127.0.0.1:{stack.ports['temporal']}",
            "S3_ENDPOINT": f"127.0.0.1:{stack.ports['s3']}",
            "S3_ACCESS_KEY": key,
            "S3_SECRET_KEY": secret,
            "EVIDENCE_BUCKET": "evidence",
            "EVALUATION_PORT": str(stack.ports["evaluation"]),
            "AWARDS_PORT": str(stack.ports["awards"]),
            "NOTIFICATIONS_PORT": str(stack.ports["notifications"]),
            "EVALUATION_URL": f"http://127.0.0.1:{stack.ports['evaluation']}",
            "AWARDS_URL": f"http://127.0.0.1:{stack.ports['awards']}",
            "NOTIFICATIONS_URL": f"http://127.0.0.1:{stack.ports['notifications']}",
            "WEB_CONCURRENCY": str(web_workers),
            "NOTIFICATIONS_DISPATCH_INTERVAL": "2",
            # argon2 at its cheapest: the two cores go to the lifecycle, not to password hashing
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "8",
            "ARGON2_PARALLELISM": "1",
        }
        py = sys.executable
        gunicorn = [py, "-m", "gunicorn", "-c", "infra/gunicorn.conf.py"]
        table = {
            "temporal": (
                [
                    str(BIN / "temporal"), "server", "start-dev", "--db-filename", str(root / "temporal.db"),
                    "--ip", "127.0.0.1", "--port", str(stack.ports["temporal"]),
                    "--http-port", str(stack.ports["temporal_http"]), "--headless", "--log-level", "error",
                ],
                stack.ports["temporal"],
            ),
            "s3": (
                [
                    str(BIN / "rclone"), "serve", "s3", str(root / "objects"), "--addr",
                    f"127.0.0.1:{stack.ports['s3']}", "--auth-key", f"{key},{secret}",
                    "--log-level", "ERROR", "--config", "/dev/null",
                ],
                stack.ports["s3"],
            ),
            "evaluation": ([*gunicorn, "services.evaluation.app:create_app()"], stack.ports["evaluation"]),
            "awards": ([*gunicorn, "services.awards.app:create_app()"], stack.ports["awards"]),
            "notifications": (
                [*gunicorn, "services.notifications.app:create_app()"],
                stack.ports["notifications"],
            ),
            "evaluation_worker": ([py, "-m", "services.evaluation.worker"], None),
            "awards_worker": ([py, "-m", "services.awards.worker"], None),
            "workflow_worker": ([py, "-m", "workflows.worker"], None),
            "consumer": ([py, "-m", "services.notifications.consumers"], None),
        }  # fmt: skip
        if stack.rabbit is not None:  # first: started (and waited for) before the rest
            node = stack.rabbit
            stack.procs["epmd"] = Proc(
                "epmd", node.epmd_argv(), node.epmd_port, log=root / "logs" / "epmd.log", cwd=node.root
            )
            stack.procs["rabbitmq"] = Proc(
                "rabbitmq", node.server_argv(), node.amqp_port, log=root / "logs" / "rabbitmq.log",
                env=node.env, cwd=node.root,
            )  # fmt: skip
        for name, (argv, port) in table.items():
            stack.procs[name] = Proc(name=name, argv=argv, port=port, log=root / "logs" / f"{name}.log")
        return stack

    @property
    def evaluation_url(self) -> str:
        return self.env["EVALUATION_URL"]

    @property
    def notifications_url(self) -> str:
        return self.env["NOTIFICATIONS_URL"]

    def _run(self, *argv: str, stdin: str | None = None) -> None:
        subprocess.run(
            [sys.executable, *argv], cwd=REPO, env=self.env, input=stdin, text=True, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def prepare(self) -> None:
        """Migrate, load the admin tree and the plans, create the accounts (as `make migrate` does)."""
        (self.root / "objects" / "evidence").mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        if self.rabbit is not None:
            self.rabbit.prepare()
        self._run("-m", "infra.migrate")
        self._run("-m", "services.evaluation.cli", "sync-admin-units")
        self._run("-m", "services.evaluation.cli", "sync-plans")
        for role, username in USERS.items():
            self._run(
                "-m", "services.evaluation.cli", "create-user", username, "--role", role, "--scope", WARD,
                "--password-stdin", stdin=PASSWORD + "\n",
            )  # fmt: skip
        self._run(
            "-m", "services.evaluation.cli", "create-user", AUDITOR, "--role", "auditor", "--national",
            "--password-stdin", stdin=PASSWORD + "\n",
        )  # fmt: skip

    def register_households(self, n: int) -> list[str]:
        """Register `n` generated households in the ward (bench/datagen.py, through the product's import:
        `POST /cases` opens cases for registered subjects only); their ids, the run's subjects."""
        from bench.datagen import register_households

        return register_households(self.env["EVALUATION_DATABASE_URL"], n, self.root, WARD)

    def start(self, name: str) -> None:
        """Start one process in its own process group, its output appended to its log (not a second one
        when it is already running: the monkey's restart and an aimed kill's may both come)."""
        proc = self.procs[name]
        assert proc.log is not None
        if proc.popen is not None and proc.popen.poll() is None:
            return
        env = {**self.env, **proc.env} if proc.env else self.env
        with open(proc.log, "ab") as log:
            proc.popen = subprocess.Popen(
                proc.argv, cwd=proc.cwd or REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        proc.starts += 1

    def start_all(self, timeout: float = 60.0) -> None:
        """Start everything; wait until the servers listen (the private broker's epmd, then its node, first:
        a node booting without its epmd would start a daemonised one of its own)."""
        first = [name for name in ("epmd", "rabbitmq") if name in self.procs]
        for name in first:
            self.start(name)
            self.wait_listening([name], timeout)
        for name in self.procs:
            self.start(name)
        self.wait_listening(list(self.procs), timeout)

    def wait_listening(self, names: list[str], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for name in names:
            port = self.procs[name].port
            while port is not None and not listening(port):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} does not listen on {port} (see {self.procs[name].log})")
                time.sleep(0.1)

    def kill(self, name: str) -> bool:
        """SIGKILL the process group of one process and reap it; False when it was already down."""
        proc = self.procs[name]
        if proc.popen is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait(30)
        proc.popen = None  # down until started again: not "died on its own"
        proc.kills += 1
        # The group leader is reaped, but a member (RabbitMQ's beam.smp, forked by `erl`) may still be
        # exiting and holding its port: down means not listening, or a restart would look up at once.
        deadline = time.monotonic() + 10
        while proc.port is not None and listening(proc.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        return True

    def reap_dead(self) -> list[str]:
        """Restart the processes that died on their own; their names."""
        restarted = []
        for name, proc in self.procs.items():
            if proc.popen is not None and proc.popen.poll() is not None:
                with contextlib.suppress(ProcessLookupError):  # a gunicorn master's orphans
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.exits += 1
                self.start(name)
                restarted.append(name)
        return restarted

    def stop_all(self) -> None:
        """SIGTERM every group, then SIGKILL what is left."""
        for proc in self.procs.values():
            if proc.popen is not None and proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            if proc.popen is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait(10)
        if self.rabbit is not None:
            self.rabbit.stop_strays()
