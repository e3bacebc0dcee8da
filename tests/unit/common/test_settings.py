"""The test process never reaches a running `make run` stack through CommonSettings' defaults."""

from __future__ import annotations

from common.settings import CommonSettings
from services.evaluation.config import Settings as EvaluationSettings


def test_the_embedded_stacks_addresses_are_not_the_tests_defaults() -> None:
    for common in (CommonSettings(), EvaluationSettings(database_url="sqlite://").common):
        assert common.temporal_address != "127.0.0.1:7233" and common.s3_endpoint != "127.0.0.1:9000"
        assert common.broker_url != "sqla+sqlite:///var/broker.db"
        assert {common.evaluation_url, common.awards_url, common.notifications_url}.isdisjoint(
            {"http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://127.0.0.1:8003"}
        )
    assert CommonSettings(s3_endpoint="minio:9000").s3_endpoint == "minio:9000"  # what a test passes holds
