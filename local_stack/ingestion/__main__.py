"""`python -m local_stack.ingestion --port 8082 --api-key KEY`: run the ingestion service until interrupted."""
from __future__ import annotations

import argparse
import threading

from .feeds import PRODUCTS
from .service import DEFAULT_API_KEY, DEFAULT_PATH, REJECT_MODES, IngestionService


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack.ingestion", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--key-header", default="x-api-key")
    parser.add_argument("--path", default=DEFAULT_PATH, help="where batches are POSTed ({feed}: the feed's name)")
    parser.add_argument("--reject-mode", choices=REJECT_MODES, default="200",
                        help="invalid items: named in a 200 (the others stored) or in a 400 (nothing stored)")
    args = parser.parse_args(argv)
    service = IngestionService(args.api_key, args.key_header, args.path, reject_mode=args.reject_mode)
    url = service.start(args.host, args.port)
    print(f"Ingestion service at {url}  (admin under {url}/__ingest)")
    print(f"  POST batches to   {service.ingest_url}")
    print(f"  read back         {service.query_url}?feed={PRODUCTS}&sku=...&storeViewCode=...")
    print(f"  list a feed       {service.items_url('{feed}')}?cursor=...&limit=1000")
    print(f"  API key           {args.key_header}: {args.api_key}")
    print("  Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
