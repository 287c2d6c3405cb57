"""Every feed this service syncs, in the order the hourly sync runs them (products first)."""
from __future__ import annotations

from ..errors import UnknownFeedError
from . import categories, prices, product_attributes, products, stock_status, variants
from .definition import Feed, Scopes, SourceRecord

__all__ = ["FEEDS", "Feed", "Scopes", "SourceRecord", "feed_named"]

# Adobe's order, products first.
FEEDS: dict[str, Feed] = {feed.name: feed for feed in (products.FEED, product_attributes.FEED, categories.FEED,
                                                        variants.FEED, prices.FEED, stock_status.FEED)}


def feed_named(name: object) -> Feed:
    """The feed called ``name``, or UnknownFeedError naming the valid ones."""
    feed = FEEDS.get(name) if isinstance(name, str) else None
    if feed is None:
        shown = repr(name)[:100]
        raise UnknownFeedError(f"unknown feed {shown}; valid feeds: {', '.join(FEEDS)}")
    return feed
