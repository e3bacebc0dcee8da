"""Waits until every service answers /health, then prints the stack's URLs (a `make run` process)."""

from __future__ import annotations

import os
import signal
import sys
import time

import requests

from common.settings import CommonSettings


def main() -> None:
    """Poll the health endpoints, print where everything is, then idle until the stack stops."""
    settings = CommonSettings.from_env()
    started = float(os.environ.get("STACK_STARTED_AT", time.time()))
    services = {
        "evaluation": settings.evaluation_url,
        "awards": settings.awards_url,
        "notifications": settings.notifications_url,
        "web": f"http://{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}",
    }
    pending = dict(services)
    deadline = time.time() + 300
    while pending and time.time() < deadline:
        for name, url in list(pending.items()):
            try:
                if requests.get(f"{url}/health", timeout=3).status_code == 200:
                    pending.pop(name)
            except requests.RequestException:
                pass
        time.sleep(0.5)
    if pending:
        print(f"NOT HEALTHY after 300 s: {', '.join(pending)} (see their /health)", flush=True)
    else:
        print(f"All services healthy in {time.time() - started:.1f} s", flush=True)
    ui = os.environ.get("TEMPORAL_UI_PORT", "8233")
    lines = [
        f"  {name:<14} {url}  (OpenAPI: {url}/openapi.json)"
        for name, url in services.items()
        if name != "web"
    ]
    lines.insert(
        0,
        f"  {'web (staff)':<14} {services['web']}  (demo users: docs/web.md, e.g. truong-thon / hoc-tap-2026)",
    )
    lines.append(f"  {'temporal ui':<14} http://127.0.0.1:{ui}")
    lines.append(f"  {'s3':<14} http://{settings.s3_endpoint}  bucket {settings.evidence_bucket}")
    print("\n".join(lines), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
