"""Magento's REST errors: HTTP status, a message with %placeholders and its parameters, as Magento renders them."""
from __future__ import annotations

from typing import Any

# Magento returns the raw phrase and its arguments (ErrorProcessor::maskException): named arguments as an
# object ({"resources": ...}), positional ones (%1) as a list. Clients fill the placeholders themselves.
NO_ROUTE = "Request does not match any route."
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
BAD_LOGIN = ("The account sign-in was incorrect or your account is disabled temporarily. "
             "Please wait and try again later.")
PRODUCT_NOT_FOUND = "The product that was requested doesn't exist. Verify the product and try again."
REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
MAX_PAGE_SIZE = "Maximum SearchCriteria pageSize is %max"
NO_SOURCE_ITEMS = "Can't check requested quantity for products without Source Items support."
FIELD_PROCESSING = 'Error occurred during "%field_name" processing. %details'
INVALID_TYPE = 'The "%1" value\'s type is invalid. The "%2" type was expected. Verify and try again.'
INVALID_ATTRIBUTE = "Invalid attribute name: %1"
NO_LINKED_STOCK = "No linked stock found"
INTERNAL = "Internal Error. Details are available in Magento log file. Report ID: %1"


class MagentoError(Exception):
    """An error answer: ``status`` and the JSON body Magento would send."""

    def __init__(self, status: int, message: str, parameters: dict[str, Any] | list[Any] | None = None,
                 errors: list[dict[str, Any]] | None = None):
        super().__init__(render(message, parameters))
        self.status = status
        self.message = message
        self.parameters = parameters
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.errors:
            body["errors"] = self.errors
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def render(message: str, parameters: dict[str, Any] | list[Any] | None) -> str:
    """The message with its placeholders filled in (for logs and exception text)."""
    if isinstance(parameters, dict):
        for name in sorted(parameters, key=len, reverse=True):
            message = message.replace(f"%{name}", str(parameters[name]))
    elif isinstance(parameters, list):
        for index in range(len(parameters), 0, -1):
            message = message.replace(f"%{index}", str(parameters[index - 1]))
    return message


def no_route() -> MagentoError:
    return MagentoError(404, NO_ROUTE)


def not_authorized(resource: str) -> MagentoError:
    return MagentoError(401, NOT_AUTHORIZED, {"resources": resource})


def product_not_found() -> MagentoError:
    return MagentoError(404, PRODUCT_NOT_FOUND)


def required(field: str) -> MagentoError:
    return MagentoError(400, REQUIRED_FIELD, {"fieldName": field})


def invalid_value(field: str, value: str, expected: str) -> MagentoError:
    details = render(INVALID_TYPE, [value, expected])
    return MagentoError(400, FIELD_PROCESSING, {"field_name": field, "details": details})


class ContractError(MagentoError):
    """A request the official schema does not describe (strict mode answers it with HTTP 400)."""

    def __init__(self, message: str, parameters: dict[str, Any] | list[Any] | None = None):
        super().__init__(400, message, parameters)


class ResponseContractError(Exception):
    """A response body the official schema does not describe: a bug in the simulator (HTTP 500)."""
