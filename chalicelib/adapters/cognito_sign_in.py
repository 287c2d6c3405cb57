"""Signing in to a Cognito user pool with a password, as the dashboard does (the CLI's `token` command)."""
from __future__ import annotations

from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config


def access_token(endpoint_url: str | None, region: str, client_id: str, username: str, password: str) -> str:
    """Sign in with a password (USER_PASSWORD_AUTH) and return the access token; an unsigned call, as a browser's."""
    idp: Any = boto3.client("cognito-idp", endpoint_url=endpoint_url, region_name=region,
                            config=Config(signature_version=UNSIGNED))
    result = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    return result["AuthenticationResult"]["AccessToken"]
