namespace Junipeer.Connectors.Http;

/// <summary>
/// What differs between vendors, and nothing else: their name in messages, their error codes, how
/// their error bodies read, and (optionally) their rate-limit headers. The sending, the transport
/// failure mapping and the retry rules are shared (<see cref="VendorHttp"/>).
/// </summary>
public abstract class VendorProfile
{
    /// <summary>The vendor as operators know it ("Visma.net", "Centra", "Stripe").</summary>
    public abstract string Name { get; }

    /// <summary>Catalogue code for "the vendor could not be reached or failed" (5xx, timeout, connection).</summary>
    public abstract string UnavailableCode { get; }

    /// <summary>Used when a 429 carries no usable Retry-After.</summary>
    public virtual TimeSpan DefaultRetryAfter => TimeSpan.FromSeconds(2);

    /// <summary>Largest Retry-After kept (it becomes a queue re-enqueue delay).</summary>
    public virtual TimeSpan MaxRetryAfter => TimeSpan.FromHours(1);

    /// <summary>Headers announcing the remaining calls and the seconds to the window's reset, if the vendor sends them.</summary>
    public virtual (string Remaining, string ResetSeconds)? RateLimitHeaders => null;

    /// <summary>Maps a non-success answer (or a success carrying errors, for vendors such as GraphQL APIs).</summary>
    public abstract ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter);

    /// <summary>Maps a transport failure. Override to return the vendor's own exception type.</summary>
    public virtual ConnectorException Transport(string operation, FailureKind kind, Exception inner) => new(UnavailableCode, TransportMessage(operation, kind, inner), kind, null, inner);

    /// <summary>Builds the client's own "window used up" refusal (the request is not sent).</summary>
    public virtual ConnectorException WindowUsedUp(string operation, TimeSpan wait) =>
        new(UnavailableCode, $"The {Name} rate-limit window is used up before {operation}; it resets in {FormatWait(wait)}.", FailureKind.RateLimited) { RetryAfter = wait };

    public string TransportMessage(string operation, FailureKind kind, Exception inner) => kind switch
    {
        FailureKind.Timeout => $"{Name} did not answer {operation} in time.",
        FailureKind.ConnectionNotSent => $"Could not connect to {Name} for {operation}: {inner.InnerException?.Message ?? inner.Message}",
        _ => $"The connection to {Name} broke during {operation}: {inner.InnerException?.Message ?? inner.Message}",
    };

    public static string FormatWait(TimeSpan? wait) => wait is null ? "an unspecified time" : $"{Math.Ceiling(wait.Value.TotalSeconds)} s";
}
