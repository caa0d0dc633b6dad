namespace Junipeer.Core.Errors;

/// <summary>A failure with a stable operator-facing code.</summary>
public class JunipeerException : Exception
{
    public JunipeerException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Retryable = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Retryable ?? false;
        RequestNotSent = code == ErrorCodes.ErpRateLimited;
    }

    public string Code { get; }

    /// <summary>True when trying again later may succeed without anyone changing anything.</summary>
    public bool Retryable { get; init; }

    /// <summary>
    /// True when the request provably never reached the remote side: refused by the client's own
    /// rate-limit budget, or answered 429 (refused before processing). An "attempted" phase written
    /// for it is taken back, so the next attempt pays no lookup.
    /// </summary>
    public bool RequestNotSent { get; init; }

    /// <summary>
    /// True when a write got no answer in time or its connection broke after sending: the vendor may
    /// still be processing it and commit it later, so an empty lookup right after proves nothing.
    /// </summary>
    public bool MayLandLater { get; init; }

    /// <summary>How long the remote side asked us to wait (429 Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
