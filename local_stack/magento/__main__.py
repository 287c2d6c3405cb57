"""`python -m local_stack.magento --port 8081 --products 2000`: run the simulator until interrupted."""
from __future__ import annotations

import argparse
import threading

from .simulator import MagentoSimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack.magento", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--version", choices=("2.3", "2.4"), default="2.4", dest="magento_version")
    parser.add_argument("--input-limits", action="store_true", help="pageSize over 300 is a 400")
    parser.add_argument("--integration-as-bearer", action="store_true", default=None,
                        help="accept the integration access token as a bearer token (2.3 does by default)")
    parser.add_argument("--lenient", action="store_true", help="do not check requests and responses against "
                        "the official schema")
    parser.add_argument("--unchecked-responses", action="store_true", help="check requests against the official "
                        "schema, not responses (the check costs far more than the answer; the local stack's way)")
    parser.add_argument("--quiet", action="store_true", help="print the URL only (the credentials are at /__sim)")
    args = parser.parse_args(argv)
    sim = MagentoSimulator(args.products, args.seed, version=args.magento_version, input_limits=args.input_limits,
                           integration_as_bearer=args.integration_as_bearer, strict=not args.lenient,
                           check_responses=not args.unchecked_responses)
    url = sim.start(args.host, args.port)
    integration = sim.integration
    print(f"Magento simulator at {url}  (REST under {url}/rest/<store>/V1/..., admin under {url}/__sim)", flush=True)
    if args.quiet:
        return _serve(sim)
    print(f"  consumer key        {integration.consumer_key}")
    print(f"  consumer secret     {integration.consumer_secret}")
    print(f"  access token        {integration.access_token}")
    print(f"  access token secret {integration.access_token_secret}")
    print(f"  admin token         {sim.admin_token()}  (admin / {sim.admin_users['admin']}, expires in 4 h)")
    print("  store views         default, french (website base), german (website eu); Ctrl-C stops", flush=True)
    return _serve(sim)


def _serve(sim: MagentoSimulator) -> int:
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
