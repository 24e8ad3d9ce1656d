"""HTTP through atlassian-python-api's session and raw ``request``, with our own retries.

The library's own retry paths are switched off (``backoff_and_retry=False`` and
``retry_with_header=False``: it would sleep on the event loop's worker thread and repeat
POSTs), so every retry decision is made here, where the method's idempotency is known.
Each blocking call runs on the client's own thread pool, sized to its concurrency cap (a
semaphore caps calls per client): the event loop's default pool has only ``cpu + 4`` threads
and is shared with everything else in the process, which would starve upstream calls.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import time
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from confluence_client._atlassian import AtlassianRestAPI, HTTPAdapter, requests
from confluence_client._config import (
    Auth,
    BasicAuth,
    Clock,
    OAuthToken,
    PersonalAccessToken,
    RetryPolicy,
    Timeouts,
)
from confluence_client._encoding import check_encodable
from confluence_client._errors import (
    BadRequestError,
    ConfluenceError,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    DownloadTooLargeError,
    MalformedResponseError,
    TransportError,
)
from confluence_client._events import RequestEvent, RequestObserver, notify
from confluence_client._http_errors import error_for_status
from confluence_client._retry import (
    IDEMPOTENT_METHODS,
    backoff_delay,
    is_retryable_status,
    parse_retry_after,
    server_requested_wait,
)

__all__ = ["HttpResponse", "Transport"]

_JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A received response, fully read."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    path: str

    def json(self) -> Any:
        """The body as JSON; :class:`MalformedResponseError` if it is not."""
        try:
            return json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise MalformedResponseError(
                "Confluence sent a body that is not valid JSON",
                status_code=self.status,
                method=self.method,
                path=self.path,
            ) from exc


class Transport:
    """Sends requests relative to ``api_base_url`` (or to absolute same-origin URLs)."""

    def __init__(
        self,
        *,
        api_base_url: str,
        auth: Auth,
        timeouts: Timeouts,
        retry: RetryPolicy,
        max_concurrency: int,
        verify_ssl: bool,
        clock: Clock,
        on_request: RequestObserver | None = None,
    ) -> None:
        self.api_base_url = api_base_url
        self._observer = on_request
        self._origin = _origin(api_base_url)
        self._retry = retry
        self._clock = clock
        self._timeout = (timeouts.connect, timeouts.read)
        self._verify = verify_ssl
        self._max_concurrency = max_concurrency
        # One semaphore per event loop: a client built at import time or reused across
        # loops (test suites, sync wrappers) must not trip over a loop-bound primitive.
        self._limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._limits = weakref.WeakKeyDictionary()
        self._pool: ThreadPoolExecutor | None = None
        options: dict[str, Any] = {
            "url": api_base_url,
            "verify_ssl": verify_ssl,
            "backoff_and_retry": False,
            "retry_with_header": False,
            "advanced_mode": True,
        }
        if isinstance(auth, BasicAuth):
            options.update(username=auth.username, password=auth.api_token)
        elif isinstance(auth, PersonalAccessToken):
            options["token"] = auth.token
        elif isinstance(auth, OAuthToken):
            options["token"] = auth.access_token
        self._api = AtlassianRestAPI(**options)
        # The library truncates timeouts to int; requests takes a (connect, read) pair.
        self._api.timeout = self._timeout  # type: ignore[assignment]  # annotated int, used as requests' timeout
        # One kept-alive connection per concurrent call: a smaller pool would open and drop
        # connections under load (urllib3 discards what does not fit back in the pool).
        adapter = HTTPAdapter(pool_maxsize=max_concurrency, max_retries=0)
        session: requests.Session = self._api.session
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    async def aclose(self) -> None:
        """Close pooled connections and let the worker threads end."""
        pool, self._pool = self._pool, None
        if pool is not None:
            # Calls already handed to a thread finish; a straggler after this gets a new pool.
            pool.shutdown(wait=False)
        self._api.close()

    def resolve(self, target: str) -> tuple[str, bool]:
        """``(url_or_path, absolute)`` for a relative API path or a same-origin URL."""
        if target.startswith(("http://", "https://")):
            if _origin(target) != self._origin:
                raise MalformedResponseError(
                    "Confluence returned a link to another host; refusing to send credentials there"
                )
            return target, True
        return target.lstrip("/"), False

    @property
    def clock(self) -> Clock:
        """The time source and sleeper (long-task polling waits through it too)."""
        return self._clock

    async def request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, str | int | list[str]] | None = None,
        json_body: Any = None,
        # A list sends several parts under one field name (several files in one upload).
        files: dict[str, tuple[str, bytes, str]]
        | list[tuple[str, tuple[str, bytes, str]]]
        | None = None,
        form: dict[str, str] | None = None,
        idempotent: bool | None = None,
        bad_request: type[BadRequestError] = BadRequestError,
    ) -> HttpResponse:
        """Send one logical request (retrying when safe); raise a mapped error on failure."""
        check_encodable(target, "path")
        check_encodable(params, "query string")
        check_encodable(form, "form")
        check_encodable(json_body, "body")
        url, absolute = self.resolve(target)
        path = self._path_of(url, absolute)
        if files is not None:
            headers = {"Accept": "application/json", "X-Atlassian-Token": "nocheck"}
        else:
            headers = dict(_JSON_HEADERS)

        def send() -> HttpResponse:
            if isinstance(files, list):
                # Several parts under one field name: atlassian-python-api only takes a dict,
                # so this goes through its session (same auth, TLS and pool) directly.
                full = url if absolute else f"{self.api_base_url}/{url}"
                raw = self._api.session.request(
                    method,
                    full,
                    params=dict(params) if params else None,
                    data=form,
                    files=files,
                    headers=headers,
                    timeout=self._timeout,
                    verify=self._verify,
                )
                return HttpResponse(raw.status_code, raw.headers, raw.content, method, path)
            response = self._api.request(
                method,
                path=url,
                data=form if files is not None else json_body,
                params=dict(params) if params else None,
                headers=headers,
                files=files,
                absolute=absolute,
                advanced_mode=True,
            )
            return HttpResponse(
                response.status_code, response.headers, response.content, method, path
            )

        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        return await self._with_retries(method, path, safe, send, bad_request)

    async def download(self, target: str, max_bytes: int) -> bytes:
        """GET a binary resource, streaming it so a body over ``max_bytes`` is never buffered."""
        check_encodable(target, "path")
        url, absolute = self.resolve(target)
        full = url if absolute else f"{self.api_base_url}/{url}"
        path = self._path_of(url, absolute)

        def send() -> HttpResponse:
            session: requests.Session = self._api.session
            with self._get_following_own_redirects(session, full, path) as response:
                if response.status_code >= 400:
                    return HttpResponse(
                        response.status_code, response.headers, response.content, "GET", path
                    )
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(max_bytes, int(declared), response.status_code, path)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(max_bytes, size, response.status_code, path)
                    chunks.append(chunk)
                return HttpResponse(
                    response.status_code, response.headers, b"".join(chunks), "GET", path
                )

        response = await self._with_retries("GET", path, True, send, BadRequestError)
        return response.content

    def _get_following_own_redirects(
        self, session: requests.Session, url: str, path: str
    ) -> requests.Response:
        """GET ``url``, following redirects only within Confluence's own hosts.

        Cloud sends attachment bytes from Atlassian's media service (another host under
        ``atlassian.com``); any other host would hand the caller a stranger's bytes as the
        attachment, so such a redirect is refused (credentials are never sent there).
        """
        site = (urlsplit(self.api_base_url).hostname or "").lower()
        for _ in range(_MAX_REDIRECTS + 1):
            # Another host gets a bare request: the session's credentials stay with Confluence.
            same_host = (urlsplit(url).hostname or "").lower() == site
            response = (session.get if same_host else requests.get)(
                url, stream=True, timeout=self._timeout, verify=self._verify, allow_redirects=False
            )
            location = response.headers.get("Location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            response.close()
            url = urljoin(url, location)
            if not self._own_host(urlsplit(url).hostname or ""):
                raise MalformedResponseError(
                    "attachment download redirected to a host outside Confluence; refused",
                    method="GET",
                    path=path,
                )
        raise MalformedResponseError("too many redirects", method="GET", path=path)

    def _own_host(self, host: str) -> bool:
        site = (urlsplit(self.api_base_url).hostname or "").lower()
        host = host.lower()
        if host == site:
            return True
        atlassian = ("atlassian.net", "atlassian.com")
        in_atlassian = [
            name == root or name.endswith("." + root) for name in (site, host) for root in atlassian
        ]
        return any(in_atlassian[:2]) and any(in_atlassian[2:])

    # --- internals ---------------------------------------------------------------------
    def _limit(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        limit = self._limits.get(loop)
        if limit is None:
            limit = self._limits[loop] = asyncio.Semaphore(self._max_concurrency)
        return limit

    async def _run_blocking(self, send: Callable[[], HttpResponse]) -> HttpResponse:
        pool = self._pool
        if pool is None:
            pool = self._pool = ThreadPoolExecutor(
                self._max_concurrency, thread_name_prefix="confluence-client"
            )
        # Like asyncio.to_thread: the call sees the caller's context variables (tracing).
        call = functools.partial(contextvars.copy_context().run, send)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    def _path_of(self, url: str, absolute: bool) -> str:
        full = url if absolute else f"{self.api_base_url}/{url}"
        return urlsplit(full).path

    async def _send_once(
        self, method: str, path: str, send: Callable[[], HttpResponse], attempt: int
    ) -> HttpResponse:
        async with self._limit():
            started_ns = time.time_ns()
            began = time.perf_counter()
            status: int | None = None
            error: str | None = None
            try:
                response = await self._run_blocking(send)
                status = response.status
                return response
            except DownloadTooLargeError as exc:
                status = exc.status_code
                raise
            except ConfluenceError as exc:
                error = type(exc).__name__
                raise
            except requests.exceptions.Timeout as exc:
                error = ConfluenceTimeoutError.__name__
                raise ConfluenceTimeoutError(
                    "Confluence did not answer in time", method=method, path=path
                ) from exc
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                error = ConnectionFailedError.__name__
                raise ConnectionFailedError(
                    "connection to Confluence failed", method=method, path=path
                ) from exc
            except requests.exceptions.RequestException as exc:
                error = TransportError.__name__
                raise TransportError(
                    f"request to Confluence failed ({type(exc).__name__})", method=method, path=path
                ) from exc
            finally:
                event = RequestEvent(
                    method=method,
                    path=path,
                    status=status,
                    error=error,
                    start_time_ns=started_ns,
                    duration_s=time.perf_counter() - began,
                    attempt=attempt,
                )
                notify(self._observer, event)

    async def _with_retries(
        self,
        method: str,
        path: str,
        idempotent: bool,
        send: Callable[[], HttpResponse],
        bad_request: type[BadRequestError],
    ) -> HttpResponse:
        policy = self._retry
        started = self._clock.monotonic()
        retries = 0
        while True:
            failure: ConfluenceError
            try:
                response = await self._send_once(method, path, send, retries + 1)
            except (ConfluenceTimeoutError, ConnectionFailedError) as exc:
                failure = exc
                delay = backoff_delay(policy, retries) if idempotent else None
            else:
                if response.status < 400:
                    return response
                requested = server_requested_wait(response.headers, self._clock.now())
                failure = error_for_status(
                    response.status,
                    response.content,
                    method=method,
                    path=path,
                    retry_after=requested,
                    bad_request=bad_request,
                )
                delay = None
                throttled = parse_retry_after(response.headers, self._clock.now()) is not None
                if is_retryable_status(policy, response.status, idempotent, throttled=throttled):
                    delay = requested if requested is not None else backoff_delay(policy, retries)
            if delay is None or retries >= policy.max_retries:
                raise failure
            elapsed = self._clock.monotonic() - started
            if elapsed + delay > policy.max_total_wait:
                raise failure
            await self._clock.sleep(delay)
            retries += 1


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _too_large(max_bytes: int, size: int, status: int, path: str) -> DownloadTooLargeError:
    return DownloadTooLargeError(
        f"attachment is larger than the {max_bytes}-byte cap",
        max_bytes=max_bytes,
        size=size,
        status_code=status,
        method="GET",
        path=path,
    )
