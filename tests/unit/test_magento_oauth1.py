"""Our OAuth 1.0a signature equals oauthlib's (the reference the simulated Magento verifies with)."""
from urllib.parse import urlencode

import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import Client as OAuthlibClient

from chalicelib.adapters.magento.oauth1 import Signer

CREDENTIALS = ("ck 1", "cs&secret~", "token/2", "ts %3 é")
NONCE, TIMESTAMP = "0123456789abcdef0123456789abcdef", 1_796_000_000


def oauthlib_header(method: str, url: str) -> str:
    key, secret, token, token_secret = CREDENTIALS
    client = OAuthlibClient(key, client_secret=secret, resource_owner_key=token, resource_owner_secret=token_secret,
                            signature_method=SIGNATURE_HMAC_SHA256, nonce=NONCE, timestamp=str(TIMESTAMP))
    return client.sign(url, http_method=method)[1]["Authorization"]


def parameters(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return dict(part.split("=", 1) for part in header[len("OAuth "):].split(", "))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8081/rest/all/V1/store/storeViews",
    "https://Shop.Example.com:443/rest/default/V1/products?" + urlencode([
        ("searchCriteria[filterGroups][0][filters][0][field]", "sku"),
        ("searchCriteria[filterGroups][0][filters][0][value]", "A B,C+D/é~*"),
        ("searchCriteria[filterGroups][0][filters][0][conditionType]", "in"),
        ("fields", "items[sku,type_id,extension_attributes[stock_item]]"), ("empty", ""), ("fields", "again")]),
    "http://shop.example.com:80/index.php/rest/all/V1/inventory/get-product-salable-quantity/SKU%2F1%20x/2",
    "http://[::1]:9000/rest/fr/V1/categories/list?searchCriteria%5BpageSize%5D=300",
])
@pytest.mark.parametrize("method", ["GET", "post"])
def test_the_signature_is_oauthlibs_for_the_same_nonce_and_timestamp(method, url):
    ours = Signer(*CREDENTIALS, clock=lambda: TIMESTAMP + 0.9, nonce=lambda: NONCE).authorization(method, url)
    assert parameters(ours) == parameters(oauthlib_header(method.upper(), url))


def test_every_request_has_its_own_nonce():
    signer = Signer(*CREDENTIALS)
    nonces = {parameters(signer.authorization("GET", "http://shop/rest/all/V1/x"))["oauth_nonce"] for _ in range(50)}
    assert len(nonces) == 50
