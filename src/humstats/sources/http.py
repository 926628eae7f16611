"""The one HTTP client every live source uses: polite, patient and quiet about secrets.

- a per-host request rate (shared by every source of a run that asks the same host);
- timeouts on connecting and on every read;
- retries with exponential backoff on 429 and 5xx answers, timeouts and dropped connections,
  waiting as long as the server's ``Retry-After`` asks (capped);
- conditional requests are the caller's (``If-None-Match`` / ``If-Modified-Since`` headers):
  a ``304`` is an answer, not an error.

``sleep`` and ``clock`` are injectable, so tests check the waits without waiting. Secrets go in
headers or in ``params`` listed as ``secret``: neither ever appears in a message.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import importlib.metadata
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from humstats.errors import HumstatsError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 600.0
"""A server asking to wait longer than ten minutes is treated as down for this run."""


def _user_agent() -> str:
    try:
        return f"humstats/{importlib.metadata.version('humstats')}"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "humstats"


USER_AGENT = _user_agent()


class FetchError(HumstatsError):
    """A live source could not be read; the message names the URL (without secrets)."""

    transient = True

    def __init__(self, url: str, problem: str, status: int | None = None) -> None:
        self.url, self.problem, self.status = url, problem, status
        super().__init__(f"cannot fetch {url}: {problem}")


def public_url(url: httpx.URL | str, secret: Iterable[str] = ()) -> str:
    """``url`` with the values of its secret query parameters replaced by ``***``."""
    url = httpx.URL(str(url))
    hidden = set(secret)
    if not hidden or not url.params:
        return str(url)
    params = [(k, "***" if k in hidden else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params))


class HttpClient:
    """``httpx.Client`` with rate limiting and retries; use as a context manager."""

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 120.0,
        requests_per_second: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        transport: httpx.BaseTransport | None = None,
        slots: dict[str, float] | None = None,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.interval = 1.0 / requests_per_second
        self.sleep, self.clock, self.now = sleep, clock, now
        self._next_slot: dict[str, float] = {} if slots is None else slots
        """Host → earliest time of its next request; shared by the clients of one run."""
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )
        self.requests = 0

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- politeness ------------------------------------------------------------------------

    def _wait_turn(self, url: httpx.URL, interval: float) -> None:
        """Space requests to one host ``interval`` seconds apart (a token bucket of one)."""
        host = url.host
        now = self.clock()
        slot = max(now, self._next_slot.get(host, now))
        if slot > now:
            self.sleep(slot - now)
        self._next_slot[host] = slot + interval

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - self.now()).total_seconds())

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2**attempt)

    # -- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        secret: Iterable[str] = (),
        interval: float | None = None,
        target: Path | None = None,
    ) -> httpx.Response:
        """One request, retried as the module docstring says; raises ``FetchError``.

        With ``target`` the body is streamed into that file (for large resources) and the
        returned response has no content. Any status below 400, and 304, is returned.
        """
        request = self._client.build_request(method, url, params=params, headers=headers, json=json)
        shown = public_url(request.url, secret)
        attempt = 0
        while True:
            self._wait_turn(request.url, self.interval if interval is None else interval)
            self.requests += 1
            wait: float | None
            try:
                response = self._send(request, target)
            except httpx.TimeoutException as error:
                problem, wait = f"timed out after {self.timeout:g}s ({type(error).__name__})", None
                status = None
            except httpx.TransportError as error:
                problem, wait, status = f"connection failed ({type(error).__name__})", None, None
            else:
                if response.status_code < 400:
                    return response
                status = response.status_code
                problem = f"HTTP {status} {response.reason_phrase}".rstrip()
                if status not in RETRY_STATUSES:
                    raise FetchError(shown, problem, status)
                wait = self._retry_after(response)
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise FetchError(shown, f"{problem}; asked to retry after {wait:.0f}s", status)
            if attempt >= self.retries:
                tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                raise FetchError(shown, f"{problem} ({tries})", status)
            self.sleep(self._backoff(attempt) if wait is None else wait)
            attempt += 1

    def _send(self, request: httpx.Request, target: Path | None) -> httpx.Response:
        response = self._client.send(request, stream=True)
        try:
            if target is None or response.status_code != 200:
                response.read()
                return response
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
            return response
        finally:
            response.close()

    def get_json(self, url: str, **kwargs: Any) -> Any:
        """GET (or ``method=``) and parse JSON; a body that is not JSON is a ``FetchError``."""
        method = kwargs.pop("method", "GET")
        secret = kwargs.get("secret", ())
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as error:
            shown = public_url(response.request.url, secret)
            problem = f"the answer is not JSON ({error})"
            raise FetchError(shown, problem, response.status_code) from error
