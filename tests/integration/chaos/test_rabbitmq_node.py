"""The chaos run's private RabbitMQ node (tools/chaos/rabbitmq.py): its own name, ports, folders and epmd;
a persistent message confirmed on a durable queue survives a SIGKILL of the node's process group; nothing
is left running and the machine's own RabbitMQ (its node, epmd and ports) is not involved."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from tools.chaos.rabbitmq import RabbitNode, available
from tools.chaos.stack import Stack, free_port, listening

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(180),
    pytest.mark.skipif(bool(available()), reason=f"no private RabbitMQ node: {available()}"),
]


def test_node_is_private(tmp_path: Path) -> None:
    node = RabbitNode(tmp_path / "rabbitmq", free_port(), free_port(), free_port())
    node.prepare()
    env = node.env
    assert node.name.startswith("chaos-") and node.name != "rabbit@localhost"
    assert len({node.amqp_port, node.dist_port, node.epmd_port} - {5672, 25672, 4369}) == 3
    assert env["ERL_EPMD_PORT"] == str(node.epmd_port) and env["RABBITMQ_NODE_PORT"] == str(node.amqp_port)
    for key in (
        "HOME",
        "RABBITMQ_MNESIA_BASE",
        "RABBITMQ_LOG_BASE",
        "RABBITMQ_CONF_ENV_FILE",
        "RABBITMQ_CONFIG_FILE",
    ):
        assert env[key].startswith(str(tmp_path)), key  # not /etc/rabbitmq, /var/lib/rabbitmq, ~
    assert (tmp_path / "rabbitmq" / "conf" / "enabled_plugins").read_text() == "[].\n"  # no management
    assert node.url == f"amqp://guest:guest@127.0.0.1:{node.amqp_port}/"


def test_sigkill_and_restart_keep_a_confirmed_persistent_message(tmp_path: Path) -> None:
    stack = Stack.create(tmp_path, broker="rabbitmq")
    assert stack.env["BROKER_URL"] == stack.rabbit.url
    stack.procs = {name: stack.procs[name] for name in ("epmd", "rabbitmq")}  # the broker alone
    (tmp_path / "logs").mkdir()
    stack.rabbit.prepare()
    exchange = Exchange("chaos.test", type="topic", durable=True)
    queue = Queue("chaos.test", exchange, routing_key="#", durable=True)
    try:
        stack.start_all(timeout=90)
        with Connection(stack.rabbit.url, transport_options={"confirm_publish": True}) as conn:
            conn.Producer().publish(
                {"n": 1}, exchange=exchange, routing_key="x", declare=[queue], delivery_mode=2
            )
        assert (tmp_path / "rabbitmq" / "home" / ".erlang.cookie").exists()  # its own cookie
        assert stack.kill("rabbitmq") and not listening(stack.rabbit.amqp_port)
        stack.start("rabbitmq")
        stack.wait_listening(["rabbitmq"], timeout=90)
        with Connection(stack.rabbit.url) as conn:
            message = conn.SimpleQueue(queue).get(timeout=10)
            assert message.payload == {"n": 1}
            message.ack()
    finally:
        stack.stop_all()
    # nothing of the node is left: its epmd's port is closed, no process runs under its name
    assert not listening(stack.rabbit.epmd_port) and not listening(stack.rabbit.amqp_port)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert stack.rabbit.name not in ps and f"-port {stack.rabbit.epmd_port}" not in ps
