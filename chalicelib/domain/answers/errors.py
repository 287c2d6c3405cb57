"""The error answers: ``{"Code", "Message"}`` as Chalice's own, and those that say more (api/blueprint.py's ``error``
builds them)."""
from typing import Annotated, NotRequired, TypedDict

from . import Time


class Error(TypedDict):
    """what went wrong, in words"""

    Code: str
    Message: str


class RunInFlight(Error):
    """what went wrong, in words: a run is in flight"""

    run_id: str
    available_at: Annotated[Time | None, "force sync is available once the run ends and not before this (the "
                                         "cooldown); null: once it ends"]


class CoolingDown(Error):
    """what went wrong, in words: the cooldown (or the rate limit) is on"""

    available_at: Time


class ActionConflict(Error):
    """what went wrong, in words; with the run in flight when one holds the feed"""

    run_id: NotRequired[str]
