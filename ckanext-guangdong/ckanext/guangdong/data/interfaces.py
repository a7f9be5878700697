"""What other features may do with a file this feature's job has fetched and parsed (the safety
feature scans it for personal data before anything of it is public)."""
from __future__ import annotations

from typing import Any

from ckan.plugins.interfaces import Interface


class IDataFile(Interface):
    """Called by the load job (job.py) in the worker, in this order: ``data_file_prepared``
    when the file was parsed (before the DataStore load), ``data_file_unchanged`` when it is the
    file loaded last time, ``data_file_failed`` when it could not be fetched or parsed. An
    exception raised here is logged; the load goes on."""

    def data_file_prepared(self, resource: dict[str, Any], package: dict[str, Any],
                           prepared: Any, digest: str, source_path: str = "") -> None:
        """``prepared`` is data.prepare.Prepared: a UTF-8 CSV at ``prepared.path`` with the
        header row first (``prepared.names``); ``digest`` the MD5 of the fetched file, which is
        at ``source_path`` (a workbook's other sheets are not in ``prepared``)."""

    def data_file_unchanged(self, resource: dict[str, Any], package: dict[str, Any],
                            source_path: str, digest: str) -> None:
        """The fetched file (``source_path``, not parsed) is the one loaded last time."""

    def data_file_failed(self, resource: dict[str, Any], package: dict[str, Any],
                         error: str, source_path: str = "",
                         message: dict[str, Any] | None = None) -> None:
        """The file could not be fetched or parsed; ``error`` says why (English), ``message``
        the same as a message id and its parameters (messages.py, to translate where shown);
        ``source_path`` is the fetched file when the fetch succeeded and the parse failed
        (a ZIP declared CSV), empty otherwise."""
