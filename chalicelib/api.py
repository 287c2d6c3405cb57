"""The HTTP API (a Chalice blueprint under /api): requests to services, domain errors to HTTP errors."""
from __future__ import annotations

import hmac
from functools import wraps
from typing import Any, Callable

from chalice import BadRequestError, Blueprint, Response, UnauthorizedError

from . import container, credentials
from .domain.events import SIGNATURE_HEADER, InvalidEventError, parse_event, signature_matches
from .services.events import SyncRequestError, accept_change_event
from .services.status import sync_status
from .settings import EVENTS_SECRET_NAME, TRIGGER_QUEUE_URL, Settings

api = Blueprint(__name__)


def _authenticated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Bearer-token check (API_TOKEN); replaced by Cognito sign-in with the full API."""
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        expected = container.context().settings.api_token
        header = (api.current_request.headers or {}).get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if not expected:
            raise UnauthorizedError("API authentication is not configured (set API_TOKEN)")
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise UnauthorizedError("missing or wrong bearer token")
        return view(*args, **kwargs)
    return checked


@api.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.route("/sync/status", methods=["GET"])
@_authenticated
def get_sync_status() -> dict[str, Any]:
    return sync_status(container.context())


def _unavailable(message: str) -> Response:
    return Response(body={"Code": "ServiceUnavailable", "Message": message}, status_code=503)


def _events_secret(settings: Settings) -> str:
    """The shared HMAC secret; raises CredentialsError when it is not configured (or unreadable)."""
    found = credentials.require((credentials.EVENTS_SECRET,), settings.events_secret_name)
    return found[credentials.EVENTS_SECRET]


@api.route("/events/products", methods=["POST"])
def post_product_events() -> Response:
    """Change events from Magento, authenticated by their HMAC signature (not the bearer token)."""
    ctx = container.context()
    try:
        secret = _events_secret(ctx.settings)
    except credentials.CredentialsError as error:
        return _unavailable(f"change events are disabled: {error}. Set {credentials.EVENTS_SECRET} (locally) or "
                            f"{EVENTS_SECRET_NAME} (a Secrets Manager secret with an {credentials.EVENTS_SECRET} key)")
    request = api.current_request
    body = request.raw_body or b""
    if not signature_matches(secret, body, (request.headers or {}).get(SIGNATURE_HEADER.lower())):
        raise UnauthorizedError(f"missing or wrong {SIGNATURE_HEADER} (sha256=<HMAC-SHA256 of the body, hex>)")
    try:
        event = parse_event(body)
    except InvalidEventError as error:
        raise BadRequestError(str(error)) from None
    if ctx.trigger is None:
        return _unavailable(f"change events are disabled: no trigger queue is configured (set {TRIGGER_QUEUE_URL})")
    try:
        result = accept_change_event(ctx, ctx.trigger, event)
    except SyncRequestError as error:
        return _unavailable(str(error))
    return Response(body=result, status_code=202)
