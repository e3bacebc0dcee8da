"""Awards worker process: its Temporal activities and its outbox relay (entrypoint)."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from common.db import make_engine
from common.outbox import OutboxRelay
from common.startup import wait_for_async
from common.temporal_converter import DATA_CONVERTER
from services.awards.activities import AwardsActivities
from services.awards.adapters import tables
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.app import build_storage
from services.awards.config import Settings
from workflows import ids

logger = logging.getLogger(__name__)


async def main() -> None:
    """Serve activities and relay events until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    stop = threading.Event()
    relay = OutboxRelay(engine, tables.outbox, settings.common.broker_url)
    threading.Thread(target=relay.run_forever, args=(stop,), name="outbox-relay", daemon=True).start()
    client = await wait_for_async(
        "temporal",
        lambda: Client.connect(
            settings.common.temporal_address,
            namespace=settings.common.temporal_namespace,
            data_converter=DATA_CONVERTER,
        ),
    )
    storage = build_storage(settings)  # its bucket is made on first use by the activities
    acts = AwardsActivities(lambda: SqlUnitOfWork(engine), storage)
    with ThreadPoolExecutor(max_workers=8) as executor:
        logger.info("awards worker on queue %s", ids.AWARDS_TASK_QUEUE)
        try:
            await Worker(
                client, task_queue=ids.AWARDS_TASK_QUEUE, activities=acts.all(), activity_executor=executor
            ).run()
        finally:
            stop.set()


if __name__ == "__main__":
    asyncio.run(main())
