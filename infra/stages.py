"""Per-stage deployment settings (dev, prod): everything the stack needs that is not in .chalice/config.json.

Names of tables, queues and buckets are not here: they come from `chalicelib.config.Settings` with the stage's
RESOURCE_PREFIX (.chalice/config.json), exactly as the app computes them.
"""

from __future__ import annotations

import json
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
    # Where alarms are sent (an e-mail subscription to the alarm topic); empty: the topic has no subscriber.
    alarm_email: str = ""
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
                       retain_data=False, llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini"),
    "prod": StageConfig(name="prod", throttle_rate_per_s=200, throttle_burst=400, log_retention_days=90,
                        retain_data=True, llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini"),
}


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
