"""Logging (settings.LOGGING): one line per request on stdout, everything else on stderr.

Request logs are one JSON line per request in production (config/requestlog.py) or plain lines;
warnings and errors with their tracebacks go to stderr, as Django's default, so a management
command's own output stays clean. systemd's journal takes both.
"""


def logging_config(log_format, *, level):
    """``LOGGING`` for ``log_format`` ("json" or "text") with the root logger at ``level``."""
    as_json = {"formatter": "json"} if log_format == "json" else {}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.requestlog.JsonFormatter"}},
        "filters": {"one_line": {"()": "config.requestlog.DropTraceback"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", **as_json},
            "requests": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **as_json},
            # A bad Host header is someone probing: one warning line, no traceback (config/requestlog.py).
            "disallowed_host": {"class": "logging.StreamHandler", "filters": ["one_line"], **as_json},
        },
        "loggers": {
            "django.security.DisallowedHost": {"handlers": ["disallowed_host"], "level": "WARNING", "propagate": False},
            # Django's own per-request 4xx lines would repeat what the request log says; 5xx stay.
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            "dossier.request": {"handlers": ["requests"], "level": "INFO", "propagate": False},
            # WeasyPrint (the worker's PDFs) logs every layout step at INFO and warns of every
            # screen-only CSS rule it skips (~30 lines a PDF); what it cannot fetch is an ERROR.
            "weasyprint": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            "fontTools": {"level": "WARNING"},
        },
        "root": {"handlers": ["console"], "level": level},
    }
