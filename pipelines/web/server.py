"""Run the web app under uvicorn (what `facetcoder serve` calls)."""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import os

import uvicorn

from pipelines.web.protocol import NoDelayH11Protocol
from uvicorn.config import LOGGING_CONFIG

from fastapi import FastAPI

from pipelines.web.app import create_app
from pipelines.web.service import available_profiles

log = logging.getLogger("facetcoder.web")

LOOPBACK_NAMES = {"localhost"}
CONFIG_ENV = "FACETCODER_WEB_CONFIG"  # settings handed to worker processes (--workers > 1)
TOKEN_ENV = "FACETCODER_TOKEN"


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


def app_from_env() -> FastAPI:
    """App factory for uvicorn worker processes: settings from the environment."""
    config = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    return create_app(token=os.environ.get(TOKEN_ENV) or None, **config)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    payer: str = "medicare",
    cors_origins: list[str] | None = None,
    max_batch: int = 100,
    access_log: bool = True,
    workers: int = 1,
    use_models: bool = False,
) -> None:
    """Load the pipeline once and serve until interrupted. ValueError for an unknown payer."""
    if payer not in available_profiles():
        raise ValueError(f"unknown payer {payer!r}; expected one of: {', '.join(available_profiles())}")
    if not is_loopback(host) and not token:
        logging.getLogger("uvicorn.error").warning(
            "serving on %s without an API token: anyone who can reach this port can submit notes", host
        )
    options = dict(
        host=host, port=port, log_config=log_config(), access_log=access_log, server_header=False,
        limit_concurrency=128,  # beyond this, 503 instead of an unbounded queue
        http=NoDelayH11Protocol,  # TCP_NODELAY also in multi-worker mode (see protocol.py)
        timeout_keep_alive=5,
    )
    if workers > 1:
        # Each worker process builds its own pipeline (~300 MB) and analyses on its own core.
        os.environ[CONFIG_ENV] = json.dumps(
            {"payer": payer, "cors_origins": cors_origins, "max_batch": max_batch, "use_models": use_models}
        )
        if token:
            os.environ[TOKEN_ENV] = token
        uvicorn.run("pipelines.web.server:app_from_env", factory=True, workers=workers, **options)
    else:
        app = create_app(token=token, payer=payer, cors_origins=cors_origins, max_batch=max_batch, use_models=use_models)
        uvicorn.run(app, **options)
