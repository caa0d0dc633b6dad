namespace Junipeer.Core.Errors;

/// <summary>A failure with a stable operator-facing code.</summary>
public class JunipeerException : Exception
{
    public JunipeerException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Retryable = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Retryable ?? false;
    }

    public string Code { get; }

    /// <summary>True when trying again later may succeed without anyone changing anything.</summary>
    public bool Retryable { get; init; }

    /// <summary>How long the remote side asked us to wait (429 Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
