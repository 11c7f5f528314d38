"""A7: the OpenAPI schema is valid and the API, fuzzed by Schemathesis on a seeded demo
database, answers every generated request without a server error and as documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from patron import access
from patron.core import Settings
from patron.demo import run_demo
from patron.store import open_store
from patron.web import create_app

EXAMPLES = 40


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    home: Path = tmp_path_factory.mktemp("fuzz")
    config = Settings(home=home)
    run_demo(people=200, seed=7, settings=config)
    store = open_store(config)
    tokens = {}
    for role in ("admin", "analyst"):
        access.add_user(store, f"fuzz-{role}", role, "correct horse battery", actor="test")
        tokens[role], _ = access.create_token(store, f"fuzz-{role}", ["all"], actor="test")
    app = create_app(config, store)
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app), tokens
    store.dispose()


def fuzz_operation(operation: Any, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def run(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text
        # Opaque values (cursors, ids that exist or not, dates) can be schema-valid and still
        # rightly refused with a documented 422 problem: only that one check is left out.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    run()


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_fuzz_every_operation(fuzz_target: tuple[Any, dict[str, str]], role: str) -> None:
    schema, tokens = fuzz_target
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        try:
            fuzz_operation(operation, tokens[role])
        except Exception as exc:
            raise AssertionError(f"{operation.label} as {role}: {exc}") from exc
