"""A private RabbitMQ node for the chaos run (`--broker rabbitmq`): the run's own broker, killed like the rest.

Started from Debian's `rabbitmq-server` script (not the `/usr/sbin` wrapper, which switches to the system
`rabbitmq` user and its folders), as the current user, with everything of its own under the run's folder:
node name `chaos-<hex>@localhost`, free AMQP and distribution ports, mnesia, logs, config and plugin files,
and a HOME of its own, where Erlang writes the node's cookie (so `rabbitmqctl` run with that HOME and
`ERL_EPMD_PORT` can talk to it; the run itself only needs the AMQP port to accept connections). No plugin
is enabled. The machine's own RabbitMQ (rabbit@localhost, 5672, its epmd on 4369) is never touched:
the node registers with an **epmd of its own** on a free port (`ERL_EPMD_PORT`), which the run starts in
the foreground in its own process group (not daemonised, so it can be stopped by its pid) before the node.

`Stack.create(..., broker="rabbitmq")` adds two processes: `epmd` (never killed: it only maps node names
to ports) and `rabbitmq` (the node: `erl` → `beam.smp`, `erl_child_setup`, `inet_gethost`, the disk
monitor's shell — one process group, which the monkey SIGKILLs and restarts like any other).
"""

from __future__ import annotations

import glob
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT_GLOB = "/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server"


def server_script() -> Path | None:
    """Debian's rabbitmq-server script (the one the /usr/sbin wrapper runs), or None when not installed."""
    found = sorted(glob.glob(SCRIPT_GLOB))
    return Path(found[-1]) if found else None


def epmd_binary() -> str | None:
    return shutil.which("epmd") or next(iter(sorted(glob.glob("/usr/lib/erlang/erts-*/bin/epmd"))), None)


def available() -> str | None:
    """None when a private node can be started here, else why not."""
    if server_script() is None:
        return "rabbitmq-server is not installed (no /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server)"
    if epmd_binary() is None:
        return "Erlang's epmd is not installed"
    return None


@dataclass
class RabbitNode:
    """How to run one private node: its folders, ports, environment and the two command lines."""

    root: Path  # the node's folder (under the run's temporary folder)
    amqp_port: int
    dist_port: int
    epmd_port: int
    name: str = field(default_factory=lambda: f"chaos-{secrets.token_hex(4)}@localhost")

    @property
    def url(self) -> str:
        """The AMQP URL the stack's processes use (guest is allowed from loopback by default)."""
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    def prepare(self) -> None:
        """Create the folders and the config files (an empty env file: /etc/rabbitmq's is not read)."""
        for sub in ("mnesia", "log", "home", "conf", "plugins-expand"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        conf = self.root / "conf"
        (conf / "rabbitmq-env.conf").write_text("# the chaos run's node: everything is in the environment\n")
        (conf / "enabled_plugins").write_text("[].\n")
        (conf / "rabbitmq.conf").write_text(
            "\n".join(
                [
                    f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}",
                    "loopback_users.guest = true",
                    "log.console = false",
                    "log.file.level = warning",
                    "disk_free_limit.absolute = 50MB",
                    "",
                ]
            )
        )

    @property
    def env(self) -> dict[str, str]:
        """Environment entries for the node's process (added to the stack's)."""
        conf = self.root / "conf"
        return {
            "HOME": str(
                self.root / "home"
            ),  # the Erlang cookie: $HOME/.erlang.cookie, created at first start
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(conf / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(conf / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(conf / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(conf / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.root / "plugins-expand"),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_PID_FILE": str(self.root / "rabbitmq.pid"),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def server_argv(self) -> list[str]:
        script = server_script()
        assert script is not None, available()
        return [str(script)]

    def epmd_argv(self) -> list[str]:
        """epmd in the foreground on the node's own port, loopback only."""
        binary = epmd_binary()
        assert binary is not None, available()
        return [binary, "-port", str(self.epmd_port), "-address", "127.0.0.1"]

    def stop_strays(self) -> None:
        """Ask the private epmd to exit, in case one was started daemonised (by a node booting while ours
        was down): `epmd -port P -kill` reaches only the epmd on that private port."""
        binary = epmd_binary()
        if binary:
            subprocess.run(
                [binary, "-port", str(self.epmd_port), "-kill"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False,
            )  # fmt: skip
