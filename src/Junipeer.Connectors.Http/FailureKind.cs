namespace Junipeer.Connectors.Http;

/// <summary>
/// How a vendor call failed, the same for every connector. It decides whether a call may be retried
/// in process (reads vs writes) and whether a non-idempotent write may have been applied.
/// </summary>
public enum FailureKind
{
    /// <summary>The vendor refused the request (4xx validation or business rule). Retrying the same request fails again.</summary>
    Rejected,

    /// <summary>401/403, refused credentials or a missing permission.</summary>
    Unauthorized,

    /// <summary>429 (or the client's own rate-limit window): refused before processing, never applied.</summary>
    RateLimited,

    /// <summary>5xx: the request reached the vendor; a write may or may not have been applied.</summary>
    ServerError,

    /// <summary>No answer in time: a write may or may not have been applied.</summary>
    Timeout,

    /// <summary>The connection could not be opened (refused, DNS): the request was never sent.</summary>
    ConnectionNotSent,

    /// <summary>The connection broke after it was opened: unknown whether the request arrived.</summary>
    ConnectionLost,

    /// <summary>A success status whose body could not be read as the documented shape.</summary>
    Malformed,
}
