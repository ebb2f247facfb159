"""Run the web app under uvicorn (what `facetcoder serve` calls)."""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import os
import sys

import uvicorn

from pipelines.web.protocol import NoDelayH11Protocol
from uvicorn.config import LOGGING_CONFIG

from fastapi import FastAPI

from pipelines.web.app import create_app
from pipelines.web.service import DEFAULT_NOTE_TIMEOUT_S, available_profiles
from pipelines.web.settings import LOOPBACK_HOSTS, SWITCH_INTERVAL_S

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


class NoQueryString(logging.Filter):
    """Drop the query string from uvicorn's access lines: a client may put a note or an identifier in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?[query removed]", *args[3:])
        return True


def log_config() -> dict:
    """uvicorn's logging, access lines only: method, path without query, status (uvicorn never logs bodies)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["facetcoder.web"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config.setdefault("filters", {})["no_query"] = {"()": NoQueryString}
    config["handlers"]["access"]["filters"] = ["no_query"]
    return config


def allowed_hosts_for(host: str, extra: list[str] | None) -> list[str]:
    """Host header values to accept: the loopback names, the bound address unless it is a wildcard, and `extra`."""
    hosts = [*LOOPBACK_HOSTS, *(extra or [])]
    if host not in ("0.0.0.0", "::", "") and host not in hosts:
        hosts.append(f"[{host}]" if ":" in host else host)
    return hosts


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
    allowed_hosts: list[str] | None = None,
    note_timeout_s: float | None = DEFAULT_NOTE_TIMEOUT_S,
) -> None:
    """Load the pipeline once and serve until interrupted. ValueError for an unknown payer."""
    if payer not in available_profiles():
        raise ValueError(f"unknown payer {payer!r}; expected one of: {', '.join(available_profiles())}")
    if not is_loopback(host) and not token:
        logging.getLogger("uvicorn.error").warning(
            "serving on %s without an API token: anyone who can reach this port can submit notes", host
        )
    hosts = allowed_hosts_for(host, allowed_hosts)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    options = dict(
        host=host, port=port, log_config=log_config(), access_log=access_log, server_header=False,
        limit_concurrency=128,  # beyond this, 503 instead of an unbounded queue
        http=NoDelayH11Protocol,  # TCP_NODELAY also in multi-worker mode (see protocol.py)
        timeout_keep_alive=5,
    )
    if workers > 1:
        # Each worker process builds its own pipeline (~300 MB) and analyses on its own core.
        os.environ[CONFIG_ENV] = json.dumps(
            {"payer": payer, "cors_origins": cors_origins, "max_batch": max_batch, "use_models": use_models,
             "allowed_hosts": hosts, "note_timeout_s": note_timeout_s}
        )
        if token:
            os.environ[TOKEN_ENV] = token
        uvicorn.run("pipelines.web.server:app_from_env", factory=True, workers=workers, **options)
    else:
        app = create_app(token=token, payer=payer, cors_origins=cors_origins, max_batch=max_batch, use_models=use_models,
                         allowed_hosts=hosts, note_timeout_s=note_timeout_s)
        uvicorn.run(app, **options)
