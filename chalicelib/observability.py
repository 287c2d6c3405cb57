"""Powertools logging for every handler (JSON lines; correlation keys are added by the services)."""
from aws_lambda_powertools import Logger

SERVICE = "catalog-sync"

logger = Logger(service=SERVICE)
