"""What the service answers: a status, a JSON body, extra headers, or a connection closed without a word."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

JSON = "application/json"


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, orjson.dumps(body), headers or {})


def message(status: int, text: str, headers: dict[str, str] | None = None) -> Answer:
    return answer(status, {"message": text}, headers)


DROPPED = Answer(0, drop=True)
