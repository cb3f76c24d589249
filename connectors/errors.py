"""One exception tree for everything a feed can do wrong."""


class FeedError(Exception):
    """A pull failed; nothing was landed."""


class AuthRejected(FeedError):
    """The source answered 401: the token is missing or wrong."""


class BadRequest(FeedError):
    """The source answered 400 or 404: the request itself is wrong."""


class SnapshotExpired(FeedError):
    """A cursor's snapshot expired (410) more often than the pull may restart."""


class IncompletePull(FeedError):
    """The records received differ from `total`, or the snapshot changed mid-pull."""


class SchemaMismatch(FeedError):
    """The source speaks a schema version, dataset or period other than asked."""


class TransientFailure(FeedError):
    """Retries on 429/5xx, timeouts or dropped connections ran out."""


class NotConfigured(FeedError):
    """The source's base URL or token is not set."""
