"""The app's log during a run: every record at ERROR or above (CKAN logs each unhandled
exception with its traceback there before answering 500), from every logger the ini sets up
(ckan and ckanext do not propagate to the root logger).

Loading the ini with logging.config.fileConfig disables every logger that existed before it
(``ckan.views.api`` among them), so a test run would otherwise never see those records; they
are enabled for the run and put back afterwards."""
from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

LOGGERS = ("", "ckan", "ckanext", "werkzeug")


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The test server's own request-line errors (werkzeug: "code 414, message
        # Request-URI Too Long") are answers it gave, not faults of the app. An exception that
        # escaped the app (raised while a streamed body was read) is logged by werkzeug as
        # "Error on request:" with the traceback in the text, no exc_info: kept (a 500 of the
        # leak suite had no log at all without it).
        if record.name == "werkzeug" and not record.exc_info \
                and not record.getMessage().startswith("Error on request"):
            return
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        out = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info and r.exc_info[0] is not None:
                text += "\n" + "".join(traceback.format_exception(*r.exc_info))
            out.append(text)
        return out


@contextmanager
def collect_errors() -> Iterator[Collector]:
    collector = Collector()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    disabled = [lg for name, lg in logging.Logger.manager.loggerDict.items()
                if isinstance(lg, logging.Logger) and lg.disabled
                and name.split(".")[0] in ("ckan", "ckanext", "werkzeug", "flask")]
    for logger in disabled:
        logger.disabled = False
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
        for logger in disabled:
            logger.disabled = True
