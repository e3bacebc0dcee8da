"""Gunicorn settings shared by the three services; the port follows the app being served."""

import os
import sys

_DEFAULT_PORTS = {"evaluation": "8001", "awards": "8002", "notifications": "8003", "web": "8000"}
_app = next((a for a in sys.argv if a.startswith("services.")), "services.evaluation.app")
_service = _app.split(".")[1]

_port = os.environ.get(f"{_service.upper()}_PORT", _DEFAULT_PORTS[_service])
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{_port}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 120  # evidence uploads stream through the worker
graceful_timeout = 20
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
