"""Synthesize the stacks: `python -m infra.cdk.app [--out DIR] [--stage dev|prod ...]` (cdk.json runs this too).

Context (`cdk -c key=value` or --context): `stage` limits synthesis to one stage, `cors_origin` sets CORS_ORIGIN
(make deploy passes the stage's CloudFront URL once it exists; the console itself is same-origin and needs none),
`llm=off` leaves the LLM settings out (make deploy does so while the stage's LLM key parameter does not exist),
`alarm_email` / `alarm_webhook_url` set where the stage's alarms go (infra/stages.py: `alarm_target`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # chalice package creates boto3 clients while packaging
for _warning in ("DEPRECATED_NODE_VERSION", "END_OF_LIFE_NODE_VERSION", "UNTESTED_NODE_VERSION"):
    os.environ.setdefault(f"JSII_SILENCE_WARNING_{_warning}", "20,22")  # Node 20 (this machine) synthesizes fine

import aws_cdk as cdk  # noqa: E402

from infra import packaging  # noqa: E402
from infra.cdk.stack import HelpdeskStack, default_env  # noqa: E402
from infra.stages import STAGES, MissingAlarmTarget, alarm_target  # noqa: E402


def _forget_app_modules() -> None:
    """`chalice package` imports app.py, whose queue names are read from the stage's environment at import time:
    drop the previous stage's copy so each stage's package sees its own names."""
    for module in [m for m in sys.modules if m == "app" or m.startswith(("chalicelib.api", "chalicelib.handlers"))]:
        del sys.modules[module]


def build(outdir: str | None = None, stages: list[str] | None = None, cors_origin: str = "") -> cdk.App:
    """The CDK app with one stack per requested stage (all stages by default)."""
    app = cdk.App(outdir=outdir, analytics_reporting=False)
    wanted = stages or ([app.node.try_get_context("stage")] if app.node.try_get_context("stage") else list(STAGES))
    cors = cors_origin or app.node.try_get_context("cors_origin") or ""
    llm = str(app.node.try_get_context("llm") or "on") != "off"
    overrides = {key: str(app.node.try_get_context(key)) for key in ("alarm_email", "alarm_webhook_url")
                 if app.node.try_get_context(key)}
    targets = {}
    for name in wanted:  # before packaging anything: a stage without an alarm target fails at once
        try:
            targets[name] = alarm_target(STAGES[name], overrides)
        except MissingAlarmTarget as exc:
            raise SystemExit(f"synth: {exc}") from exc
    context = packaging.assemble_image_context()
    for name in wanted:
        _forget_app_modules()
        HelpdeskStack(app, STAGES[name], image_context=context, alarm_target=targets[name], cors_origin=cors,
                      llm=llm, env=default_env())
    return app


def main(argv: list[str] | None = None) -> int:
    """Synthesize into --out (default: cdk.out, or CDK's own outdir when run by the CDK CLI)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=None if os.environ.get("CDK_OUTDIR") else "build/cdk.out")
    parser.add_argument("--stage", action="append", choices=sorted(STAGES))
    args = parser.parse_args(argv)
    started = time.monotonic()
    build(args.out, args.stage).synth()
    sys.stderr.write(f"synthesized {', '.join(args.stage or STAGES)} in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
