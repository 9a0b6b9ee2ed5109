"""A requests adapter whose HTTPS connections start on those :mod:`plexlogin.preconnect`
opened ahead, when there is one for their host; otherwise they connect as usual.

urllib3 makes a pool's connections with the pool's ``ConnectionCls``; this one's
``connect()`` first asks :func:`plexlogin.preconnect.take`. A connection through a proxy
never adopts (its host is the proxy's, and :mod:`plexlogin.preconnect` opens none when a
proxy is set), nor one with client certificates or a trust of its own.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool

from plexlogin import preconnect


class _AdoptingConnection(HTTPSConnection):
    def connect(self) -> None:
        ready = None
        if self._plain():
            ready = preconnect.take(self.host, self.port, self.ca_certs or self.ca_cert_dir)
        if ready is None:
            super().connect()
            return
        # verified by preconnect as this connection would have verified it
        self.sock = ready
        self.is_verified = True

    def _plain(self) -> bool:
        """No proxy, client certificate, own TLS context, pinned fingerprint or other
        name to check than the host's: preconnect verified the host name, nothing more."""
        return (
            self.proxy is None
            and self.cert_file is None
            and self.ssl_context is None
            and self.assert_fingerprint is None
            and self.assert_hostname is None
            and self.server_hostname is None
        )


class _AdoptingPool(HTTPSConnectionPool):
    ConnectionCls = _AdoptingConnection


class AdoptingAdapter(HTTPAdapter):
    """requests' HTTPAdapter, its HTTPS pools adopting connections opened ahead."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            **self.poolmanager.pool_classes_by_scheme,
            "https": _AdoptingPool,
        }
