"""Per-stage deployment settings (dev, prod): everything the stack needs that is not in .chalice/config.json.

Names of tables, queues and buckets are not here: they come from `chalicelib.config.Settings` with the stage's
RESOURCE_PREFIX (.chalice/config.json), exactly as the app computes them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.config import AuthSettings, AwsSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"


@dataclass(frozen=True)
class StageConfig:
    """One deployment stage."""

    name: str
    # API Gateway stage throttling (all clients together; per-key limits: usage plans, docs/DEPLOY.md).
    throttle_rate_per_s: int
    throttle_burst: int
    log_retention_days: int
    # prod keeps tables and data buckets when the stack is deleted; dev deletes them with the stack.
    retain_data: bool
    # The LLM behind the AI suggestions (any OpenAI-compatible endpoint); its key lives in SSM.
    llm_base_url: str
    llm_model: str
    # Where alarms go: an e-mail address and/or an HTTPS webhook (SNS subscriptions of the alarm topic). At least
    # one is required (`alarm_target` fails the synth otherwise); both can also come from the environment
    # (HELPDESK_<STAGE>_ALARM_EMAIL / HELPDESK_<STAGE>_ALARM_WEBHOOK_URL) or `cdk -c alarm_email=...`.
    alarm_email: str = ""
    alarm_webhook_url: str = ""
    # A stage may leave the address to deploy time: a CloudFormation parameter `AlarmEmail` (no default, so a
    # deploy without it fails with "Parameters: [AlarmEmail] must have values"). Only dev does.
    alarm_email_parameter: bool = False
    # CloudFront price class: 100 = North America and Europe edge locations only (cheapest).
    price_class: str = "PriceClass_100"

    @property
    def stack_name(self) -> str:
        """The CloudFormation stack's name."""
        return f"helpdesk-{self.name}"

    @property
    def secret_key_parameter(self) -> str:
        """SSM SecureString holding the token-signing key (created out of band, never in the template)."""
        return str(chalice_stage(self.name)["environment_variables"]["SECRET_KEY_PARAMETER"])

    @property
    def llm_api_key_parameter(self) -> str:
        """SSM SecureString holding the LLM API key."""
        return f"/helpdesk/{self.name}/llm-api-key"

    def settings(self) -> Settings:
        """The app's settings as the deployed functions will see them (for resource names)."""
        env = chalice_stage(self.name)["environment_variables"]
        auth = AuthSettings(secret_key=None, secret_key_parameter=env["SECRET_KEY_PARAMETER"])
        return Settings(stage=env["STAGE"], resource_prefix=env["RESOURCE_PREFIX"], aws=AwsSettings(endpoint_url=None),
                        auth=auth)


STAGES: dict[str, StageConfig] = {
    "dev": StageConfig(name="dev", throttle_rate_per_s=20, throttle_burst=40, log_retention_days=14,
                       retain_data=False, llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini",
                       alarm_email_parameter=True),
    "prod": StageConfig(name="prod", throttle_rate_per_s=200, throttle_burst=400, log_retention_days=90,
                        retain_data=True, llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini"),
}


class MissingAlarmTarget(ValueError):
    """A stage would be deployed with alarms that reach nobody."""


@dataclass(frozen=True)
class AlarmTarget:
    """Who the alarm topic notifies; `email_parameter`: the address is the stack parameter AlarmEmail."""

    email: str = ""
    webhook_url: str = ""
    email_parameter: bool = False


def alarm_target(stage: StageConfig, overrides: dict[str, str] | None = None,
                 environ: dict[str, str] | None = None) -> AlarmTarget:
    """The stage's alarm target: `overrides` (CDK context), then the environment, then infra/stages.py."""
    overrides, environ = overrides or {}, environ if environ is not None else dict(os.environ)
    prefix = f"HELPDESK_{stage.name.upper()}_"
    email = overrides.get("alarm_email") or environ.get(f"{prefix}ALARM_EMAIL") or stage.alarm_email
    webhook = (overrides.get("alarm_webhook_url") or environ.get(f"{prefix}ALARM_WEBHOOK_URL")
               or stage.alarm_webhook_url)
    if webhook and not webhook.startswith("https://"):
        raise MissingAlarmTarget(f"stage {stage.name}: the alarm webhook must be an https:// URL (got {webhook!r})")
    if email and "@" not in email:
        raise MissingAlarmTarget(f"stage {stage.name}: the alarm e-mail {email!r} is not an address")
    if not email and not webhook and not stage.alarm_email_parameter:
        raise MissingAlarmTarget(
            f"stage {stage.name} has no alarm target, so its alarms would reach nobody: set "
            f"{prefix}ALARM_EMAIL or {prefix}ALARM_WEBHOOK_URL (or alarm_email / alarm_webhook_url in "
            "infra/stages.py, or `cdk -c alarm_email=...`); docs/DEPLOY.md, First deploy")
    return AlarmTarget(email=email, webhook_url=webhook, email_parameter=not email and not webhook)


def chalice_config() -> dict[str, Any]:
    """.chalice/config.json."""
    config: dict[str, Any] = json.loads(CHALICE_CONFIG.read_text())
    return config


def chalice_stage(name: str) -> dict[str, Any]:
    """One stage of .chalice/config.json with the global environment variables merged in."""
    config = chalice_config()
    stage = dict(config["stages"][name])
    stage["environment_variables"] = {**config.get("environment_variables", {}),
                                      **stage.get("environment_variables", {})}
    return stage


def function_sizing(stage: str, function: str) -> tuple[int, int]:
    """(timeout s, memory MB) of a Chalice function in a stage, as Chalice resolves them."""
    config = chalice_config()
    chain = [config["stages"][stage].get("lambda_functions", {}).get(function, {}), config["stages"][stage],
             config.get("lambda_functions", {}).get(function, {}), config]
    timeout = next((c["lambda_timeout"] for c in chain if "lambda_timeout" in c), 60)
    memory = next((c["lambda_memory_size"] for c in chain if "lambda_memory_size" in c), 128)
    return int(timeout), int(memory)
