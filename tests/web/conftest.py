"""The in-process stack's fixtures for the browser test (defined with the integration tests)."""

from tests.integration.conftest import common_settings, stack  # noqa: F401
