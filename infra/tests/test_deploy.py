"""What `make deploy` passes to `cdk deploy`: deletion protection only once the stack exists, dev's alarm address."""

from __future__ import annotations

import pytest

from infra.deploy import stack_parameters
from infra.stages import STAGES


def test_prod_tables_are_unprotected_on_the_first_create_and_protected_from_then_on() -> None:
    prod, env = STAGES["prod"], {"HELPDESK_PROD_ALARM_EMAIL": "ops@example.com"}
    assert stack_parameters(prod, None, env) == []  # a rollback of the first create must be able to delete them
    assert stack_parameters(prod, "CREATE_COMPLETE", env) == ["--parameters", "TableDeletionProtection=true"]
    assert stack_parameters(prod, "UPDATE_ROLLBACK_COMPLETE", env) == ["--parameters",
                                                                       "TableDeletionProtection=true"]


def test_dev_needs_an_alarm_address_for_its_first_deploy_only() -> None:
    dev = STAGES["dev"]
    with pytest.raises(SystemExit, match="ALARM_EMAIL="):
        stack_parameters(dev, None, {})
    assert stack_parameters(dev, None, {"ALARM_EMAIL": "me@example.com"}) == ["--parameters",
                                                                               "AlarmEmail=me@example.com"]
    assert stack_parameters(dev, "UPDATE_COMPLETE", {}) == []  # CloudFormation keeps the previous value
