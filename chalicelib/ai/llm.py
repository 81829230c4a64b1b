"""Any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, Qwen, a local server) through the `openai` client.

Endpoint, key and model come only from server configuration (environment / SSM), never from a request, so
a client cannot make the server call an arbitrary URL.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.config import get_settings
from chalicelib.secrets import parameter_value


class LlmUnavailable(Exception):
    """No LLM is configured, or the call failed, timed out or returned something unusable."""


@dataclass(frozen=True)
class LlmConfig:
    """Where the LLM is and how long to wait for it."""

    base_url: str
    api_key: str
    model: str
    timeout_s: float


def llm_config() -> LlmConfig | None:
    """The configured LLM, or None when LLM_BASE_URL is not set."""
    settings = get_settings().llm
    if not settings.base_url:
        return None
    key = settings.api_key
    if not key and settings.api_key_parameter:
        key = parameter_value(settings.api_key_parameter)
    return LlmConfig(base_url=settings.base_url, api_key=key or "not-needed", model=settings.model,
                     timeout_s=settings.timeout_s)


_clients: dict[LlmConfig, Any] = {}
_lock = threading.Lock()


def _client(config: LlmConfig) -> Any:
    with _lock:
        if config not in _clients:
            from openai import OpenAI  # imported lazily: only the AI paths need it

            _clients[config] = OpenAI(base_url=config.base_url, api_key=config.api_key, timeout=config.timeout_s,
                                      max_retries=0)
        return _clients[config]


def chat_json(messages: list[dict[str, str]], *, max_tokens: int = 700, temperature: float = 0.2) -> dict[str, Any]:
    """One chat completion whose answer must be a JSON object; LlmUnavailable on any failure."""
    config = llm_config()
    if config is None:
        raise LlmUnavailable("no LLM configured")
    import openai

    try:
        response = _client(config).chat.completions.create(
            model=config.model,
            messages=messages,
            temperature=temperature,
            max_tokens=max_tokens,
            response_format={"type": "json_object"},
        )
    except openai.APITimeoutError as exc:
        raise LlmUnavailable(f"LLM timed out after {config.timeout_s:.0f} s") from exc
    except openai.APIStatusError as exc:
        raise LlmUnavailable(f"LLM answered HTTP {exc.status_code}") from exc
    except openai.OpenAIError as exc:
        raise LlmUnavailable(f"LLM call failed: {type(exc).__name__}") from exc
    try:
        content = response.choices[0].message.content or ""
        parsed = json.loads(_strip_fences(content))
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise LlmUnavailable("LLM answer was not the JSON object asked for") from exc
    if not isinstance(parsed, dict):
        raise LlmUnavailable("LLM answer was not a JSON object")
    return parsed


def model_name() -> str | None:
    """The configured model's name (for responses and logs), or None."""
    config = llm_config()
    return config.model if config else None


def _strip_fences(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()
