"""Products search, behind the ProductSearch port (infrastructure, not domain): an in-memory index of the feed
rows' search text, facets and sort orders, stored as a snapshot plus a journal of the writes since."""
