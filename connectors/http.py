"""The HTTP client every source shares: auth, timeouts, retries, errors.

Status retries (429 and 5xx, honouring Retry-After) and connection retries are
urllib3's `Retry` on the requests session. A body that breaks off after the
headers is outside urllib3's reach, so the page fetch retries that with tenacity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential
from urllib3.util.retry import Retry

from connectors import CLIENT_VERSION
from connectors.errors import (
    AuthRejected,
    BadRequest,
    FeedError,
    SnapshotExpired,
    TransientFailure,
)
from mujun.logs import event, register_secrets

log = logging.getLogger("mujun.connectors.http")

RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0


@dataclass
class FeedClient:
    """Talks to one source's base URL with its bearer token."""

    base_url: str
    token: str = field(repr=False)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    session: requests.Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        register_secrets([self.token])
        self.base_url = self.base_url.rstrip("/")
        retry_policy = Retry(
            total=self.policy.attempts,
            connect=self.policy.attempts,
            read=self.policy.attempts,
            status=self.policy.attempts,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.policy.backoff_seconds,
            backoff_max=self.policy.backoff_max_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry_policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({
            "Authorization": f"Bearer {self.token}",
            "User-Agent": CLIENT_VERSION,
            "Accept": "application/json",
        })

    def get_page(self, dataset: str, period: str, limit: int, cursor: str | None) -> dict:
        """One page as the decoded JSON body; raises a FeedError subclass otherwise."""
        params: dict[str, str | int] = {"period": period, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._get_with_body_retry(f"{self.base_url}/v1/{dataset}", params)

    def _get_with_body_retry(self, url: str, params: dict) -> dict:
        fetch = retry(
            retry=retry_if_exception_type(_BrokenBody),
            stop=stop_after_attempt(self.policy.attempts),
            wait=wait_exponential(multiplier=self.policy.backoff_seconds,
                                  max=self.policy.backoff_max_seconds),
            reraise=True,
        )(self._get_once)
        try:
            return fetch(url, params)
        except _BrokenBody as exc:
            raise TransientFailure(f"{url}: {exc}") from None

    def _get_once(self, url: str, params: dict) -> dict:
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        try:
            response = self.session.get(url, params=params, timeout=timeout)
            body = response.content  # a body cut short raises here, after urllib3's retries
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            event(log, "broken body, retrying", logging.WARNING, url=url)
            raise _BrokenBody(type(exc).__name__) from None
        except requests.exceptions.RetryError as exc:
            raise TransientFailure(f"{url}: retries exhausted ({type(exc).__name__})") from None
        except requests.exceptions.RequestException as exc:
            # connection refused or timed out beyond urllib3's retries
            raise TransientFailure(f"{url}: {type(exc).__name__}") from None
        status = response.status_code
        if status == 200:
            try:
                return response.json() if body else {}
            except ValueError:
                event(log, "unparseable body, retrying", logging.WARNING, url=url)
                raise _BrokenBody("body is not JSON") from None
        message = _error_text(response)
        if status == 401:
            raise AuthRejected(f"{url}: 401 {message}")
        if status == 410:
            raise SnapshotExpired(f"{url}: 410 {message}")
        if status in (400, 404):
            raise BadRequest(f"{url}: {status} {message}")
        if status in RETRY_STATUSES:
            raise TransientFailure(f"{url}: {status} after {self.policy.attempts} retries")
        raise FeedError(f"{url}: unexpected status {status} {message}")

    def close(self) -> None:
        self.session.close()


class _BrokenBody(Exception):
    pass


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))[:200]
    except (ValueError, AttributeError):
        return response.text[:200]
