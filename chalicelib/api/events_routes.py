"""Change events from Magento, authenticated by their HMAC signature (not by sign-in)."""
from __future__ import annotations

from chalice import BadRequestError, Response

from .. import container, credentials
from ..domain.events import SIGNATURE_HEADER, InvalidEventError, parse_event, signature_matches
from ..services.events import SyncRequestError, accept_change_event
from ..settings import EVENTS_SECRET_NAME, TRIGGER_QUEUE_URL, Settings
from .blueprint import JSON, api, error, unavailable


def _events_secret(settings: Settings) -> str:
    """The shared HMAC secret; raises CredentialsError when it is not configured (or unreadable)."""
    found = credentials.require((credentials.EVENTS_SECRET,), settings.events_secret_name)
    return found[credentials.EVENTS_SECRET]


@api.route("/events/products", methods=["POST"])
def post_product_events() -> Response:
    ctx = container.context()
    try:
        secret = _events_secret(ctx.settings)
    except credentials.CredentialsError as failure:
        return unavailable(f"change events are disabled: {failure}. Set {credentials.EVENTS_SECRET} (locally) or "
                           f"{EVENTS_SECRET_NAME} (a Secrets Manager secret with an {credentials.EVENTS_SECRET} key)")
    request = api.current_request
    body = request.raw_body or b""
    if not signature_matches(secret, body, (request.headers or {}).get(SIGNATURE_HEADER.lower())):
        return error(401, "UnauthorizedError",
                     f"missing or wrong {SIGNATURE_HEADER} (sha256=<HMAC-SHA256 of the body, hex>)")
    try:
        event = parse_event(body)
    except InvalidEventError as invalid:
        raise BadRequestError(str(invalid)) from None
    if ctx.trigger is None:
        return unavailable(f"change events are disabled: no trigger queue is configured (set {TRIGGER_QUEUE_URL})")
    try:
        result = accept_change_event(ctx, ctx.trigger, event)
    except SyncRequestError as failure:
        return unavailable(str(failure))
    return Response(body=result, status_code=202, headers=JSON)
