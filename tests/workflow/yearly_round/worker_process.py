"""Both workers of the product in one process, for the crash test: the workflow worker on a test queue
and the evaluation activity worker. `python -m tests.workflow.yearly_round.worker_process ADDRESS DB_URL
QUEUE S3_ENDPOINT S3_KEY S3_SECRET BUCKET`; the test kills it with SIGKILL mid-batch."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from common.db import make_engine
from common.storage import ObjectStorage
from services.evaluation.activities import EvaluationActivities
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from workflows import ids
from workflows.worker import build_worker


async def main(
    address: str, db_url: str, queue: str, endpoint: str, key: str, secret: str, bucket: str
) -> None:
    client = await Client.connect(address)
    engine = make_engine(db_url)
    storage = ObjectStorage(endpoint, key, secret, bucket, secure=False, region="us-east-1")
    acts = EvaluationActivities(lambda: SqlUnitOfWork(engine), storage)
    with ThreadPoolExecutor(max_workers=4) as executor:
        # No workflow cache, so no sticky queue: the time-skipping test server never moves a workflow task
        # off the sticky queue of a killed worker (a real server does within seconds: the chaos runs, on
        # the dev server, kill cached workers), and the round waited forever about 1 run in 15.
        async with (
            build_worker(client, queue, max_cached=0),
            Worker(
                client,
                task_queue=ids.EVALUATION_TASK_QUEUE,
                activities=acts.all(),
                activity_executor=executor,
            ),
        ):
            print("ready", flush=True)
            await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:8]))
