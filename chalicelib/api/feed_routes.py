"""Every feed's sync status (the Feeds page), and who is signed in (the dashboard shows each role its pages)."""
from __future__ import annotations

from chalice import NotFoundError

from .. import container
from ..domain.access import READ_SELF, READ_STATUS
from ..domain.answers.feeds import FeedsStatus, FeedStatus, Me
from ..domain.client_input import quoted
from ..domain.feeds import FEEDS
from ..services.feed_status import feed_status, feeds_status
from .auth import current_principal, requires
from .blueprint import api
from .params import query


@api.route("/feeds", methods=["GET"])
@requires(READ_STATUS)
def get_feeds() -> FeedsStatus:
    query({})  # takes no parameter: any is refused by name
    return feeds_status(container.context())


@api.route("/feeds/{feed}", methods=["GET"])
@requires(READ_STATUS)
def get_feed(feed: str) -> FeedStatus:
    query({})
    if feed not in FEEDS:
        raise NotFoundError(f"no feed {quoted(feed)}; valid feeds: {', '.join(FEEDS)}")
    return feed_status(container.context(), feed)


@api.route("/me", methods=["GET"])
@requires(READ_SELF)
def get_me() -> Me:
    query({})
    principal = current_principal()
    assert principal is not None  # requires() set it
    return {"username": principal.username, "client_id": principal.client_id, "roles": sorted(principal.roles),
            "permissions": principal.permissions()}
