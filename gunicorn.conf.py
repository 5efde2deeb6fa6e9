"""Gunicorn settings for consult: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/deployment.md).

Everything comes from the environment. One worker per gunicorn process: a Socket.IO session
(long-polling in particular) must keep talking to the process that opened it, and gunicorn's
own balancing is not sticky. To use more cores, run more gunicorn processes on other ports
behind the reverse proxy, with the same CONSULT_DATABASE_URL and CONSULT_MESSAGE_QUEUE.

This file imports nothing from consult: the gevent worker monkey-patches the standard library
only after it forks, and modules imported here, in the master, would escape that patching.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

bind = os.environ.get("CONSULT_BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
#: "gevent" (the default: greenlets, WebSockets through simple-websocket) or "gthread"
#: (threads, no monkey-patching; every open WebSocket keeps one thread busy).
worker_class = os.environ.get("CONSULT_WORKER_CLASS", "gevent")
workers = 1
#: gevent: concurrent connections (open WebSockets included) this process accepts.
worker_connections = int(os.environ.get("CONSULT_WORKER_CONNECTIONS", "2000"))
#: gthread: threads; each open WebSocket keeps one busy.
threads = int(os.environ.get("CONSULT_THREADS", "64"))
timeout = int(os.environ.get("CONSULT_WORKER_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("CONSULT_GRACEFUL_TIMEOUT", "10"))
keepalive = 5
proc_name = "consult"
# consult logs one line per request itself (consult/logging.py); gunicorn's would repeat it.
accesslog = None
errorlog = "-"
# gunicorn >= 25.1 opens a control socket at one fixed path per user: several instances on a
# host would fight over it. Nothing here uses it.
control_socket_disable = True
# Never load the app in the master: the gevent worker must patch before the app is imported.
preload_app = False


class _JsonFormatter(logging.Formatter):
    """Gunicorn's own lines (start, stop, worker timeouts) as JSON, like the app's."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


_production = os.environ.get("CONSULT_ENV", "development") == "production"
if os.environ.get("CONSULT_LOG_FORMAT", "json" if _production else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": _JsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            # The app logs each request itself; gunicorn's access line would repeat it.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "root": {"level": "INFO", "handlers": []},
    }


def on_starting(server) -> None:
    """Tell Flask-SocketIO which concurrency the chosen worker gives it (before any import)."""
    module = server.cfg.worker_class.__module__
    if "eventlet" in module:  # before gevent: gunicorn's eventlet worker is "geventlet"
        mode = "eventlet"
    elif "gevent" in module:
        mode = "gevent"
    else:
        mode = "threading"
    os.environ["CONSULT_ASYNC_MODE"] = mode
    server.log.info("consult: %s worker, Socket.IO async_mode=%s", module, mode)
