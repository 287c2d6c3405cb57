"""Magento's ``fields`` query parameter: trim a response to the named fields (``items[id,sku],total_count``)."""
from __future__ import annotations

from typing import Any

Spec = dict[str, "Spec | None"]


def parse(text: str) -> Spec:
    """'items[id,ext[a]],total_count' → {'items': {'id': None, 'ext': {'a': None}}, 'total_count': None}."""
    spec, _ = _parse(text.replace(" ", ""), 0)
    return spec


def _parse(text: str, at: int) -> tuple[Spec, int]:
    spec: Spec = {}
    name = ""
    while at < len(text):
        char = text[at]
        if char == "[":
            spec[name], at = _parse(text, at + 1)
            name = ""
        elif char == "]":
            if name:
                spec[name] = None
            return spec, at
        elif char == ",":
            if name:
                spec[name] = None
            name = ""
        else:
            name += char
        at += 1
    if name:
        spec[name] = None
    return spec, at


def trim(body: Any, spec: Spec) -> Any:
    """Only the fields ``spec`` names (lists are trimmed item by item)."""
    if isinstance(body, list):
        return [trim(item, spec) for item in body]
    if not isinstance(body, dict):
        return body
    return {key: body[key] if inner is None else trim(body[key], inner)
            for key, inner in spec.items() if key in body}
