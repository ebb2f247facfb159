"""Run the web app under uvicorn (what `facetcoder serve` calls)."""

from __future__ import annotations

import copy
import ipaddress
import logging

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from pipelines.web.app import create_app
from pipelines.web.service import available_profiles

log = logging.getLogger("facetcoder.web")

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def log_config() -> dict:
    """uvicorn's logging, access lines only: method, path, status (uvicorn never logs bodies)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["facetcoder.web"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    payer: str = "medicare",
    cors_origins: list[str] | None = None,
    max_batch: int = 100,
    access_log: bool = True,
) -> None:
    """Load the pipeline once and serve until interrupted. ValueError for an unknown payer."""
    if payer not in available_profiles():
        raise ValueError(f"unknown payer {payer!r}; expected one of: {', '.join(available_profiles())}")
    app = create_app(token=token, payer=payer, cors_origins=cors_origins, max_batch=max_batch)
    if not is_loopback(host) and not token:
        logging.getLogger("uvicorn.error").warning(
            "serving on %s without an API token: anyone who can reach this port can submit notes", host
        )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=log_config(),
        access_log=access_log,
        server_header=False,
        limit_concurrency=128,  # beyond this, 503 instead of an unbounded queue
        timeout_keep_alive=5,
    )
