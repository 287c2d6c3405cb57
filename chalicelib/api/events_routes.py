"""Change events from Magento, authenticated by their HMAC signature (not by sign-in): fresh, and each used once."""
from __future__ import annotations

from chalice import Response

from .. import container, credentials
from ..domain.event_signatures import SIGNATURE_HEADER, TOLERANCE_SECONDS, InvalidSignatureError, verify
from ..domain.events import MAX_BODY_BYTES, InvalidEventError, parse_event
from ..services.events import SyncRequestError, accept_change_event
from ..settings import EVENTS_SECRET_NAME, TRIGGER_QUEUE_URL, Settings
from .blueprint import JSON, api, error, unavailable


def _events_secret(settings: Settings) -> str:
    """The shared HMAC secret; raises CredentialsError when it is not configured (or unreadable)."""
    found = credentials.require((credentials.EVENTS_SECRET,), settings.events_secret_name)
    return found[credentials.EVENTS_SECRET]


def _too_large(size: int) -> Response:
    return error(413, "RequestEntityTooLargeError", f"the body is {size:,} bytes; at most {MAX_BODY_BYTES:,} are "
                                                    "accepted (at most 1,000 products per event)")


@api.route("/events/products", methods=["POST"])
def post_product_events() -> Response:
    ctx = container.context()
    try:
        secret = _events_secret(ctx.settings)
    except credentials.CredentialsError as failure:
        return unavailable(f"change events are disabled: {failure}. Set {credentials.EVENTS_SECRET} (locally) or "
                           f"{EVENTS_SECRET_NAME} (a Secrets Manager secret with an {credentials.EVENTS_SECRET} key)")
    request = api.current_request
    raw = request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if len(body) > MAX_BODY_BYTES:
        return _too_large(len(body))
    try:
        signature = verify(secret, body, request.headers.get(SIGNATURE_HEADER.lower()) if request.headers else None,
                           ctx.clock())
    except InvalidSignatureError as refused:
        return error(401, "UnauthorizedError", str(refused))
    try:
        event = parse_event(body)
    except InvalidEventError as invalid:
        return _too_large(len(body)) if invalid.too_large else error(400, "BadRequestError", str(invalid))
    if ctx.trigger is None:
        return unavailable(f"change events are disabled: no trigger queue is configured (set {TRIGGER_QUEUE_URL})")
    guard = container.replay_guard()
    if not guard.first_use(signature.digest, signature.expires_at):
        return error(401, "UnauthorizedError", f"this signature was accepted already: an event is accepted once (a "
                                               f"replay is refused while it is fresh, {TOLERANCE_SECONDS} s); sign "
                                               "each delivery anew, with its own t")
    try:
        result = accept_change_event(ctx, ctx.trigger, event)
    except SyncRequestError as failure:
        guard.forget(signature.digest)  # not acted on in full: the sender may deliver this very request again
        return unavailable(str(failure))
    return Response(body=result, status_code=202, headers=JSON)
