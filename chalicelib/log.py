"""The structured JSON logger (Powertools) shared by every module. Never log bodies, passwords or tokens."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="helpdesk")
