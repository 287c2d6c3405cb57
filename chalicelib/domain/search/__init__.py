"""The products search index: the feed rows' search text, facets and sort orders, kept in memory (pure)."""
