"""The CDK app (runs in infra/.venv-deploy: Python 3.12, aws-cdk-lib, chalice)."""
