"""Expand a synthesized template's SAM transform into plain CloudFormation (what CloudFormation does on deploy).

Runs in infra/.venv-check (aws-sam-translator); imports nothing from the app.
usage: python infra/sam_to_cfn.py <template.json> <out.json>
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from samtranslator.translator.transform import transform


class _NoManagedPolicies:
    """The functions use their own roles (no SAM `Policies`), so no managed policy ever needs resolving."""

    def load(self) -> dict[str, str]:
        return {}


def to_cloudformation(template: dict[str, Any]) -> dict[str, Any]:
    """The template with `Transform: AWS::Serverless-2016-10-31` applied."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the translator wants one; the ARNs stay intrinsic
    expanded: dict[str, Any] = transform(template, {}, _NoManagedPolicies())
    return expanded


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as handle:
        template = json.load(handle)
    with open(target, "w") as handle:
        json.dump(to_cloudformation(template), handle, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
