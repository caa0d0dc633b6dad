using Junipeer.Core.Errors;

namespace Junipeer.Connectors.VismaNet;

/// <summary>How a Visma call failed; drives the retry decision (reads vs writes) and the error code.</summary>
public enum VismaFailureKind
{
    /// <summary>400 and other 4xx business/validation errors.</summary>
    Rejected,

    /// <summary>401/403 or refused client credentials.</summary>
    Unauthorized,

    /// <summary>429 (or X-RateLimit-Remaining 0 with a long reset).</summary>
    RateLimited,

    /// <summary>5xx: the request reached Visma; a write may or may not have happened.</summary>
    ServerError,

    /// <summary>No answer in time: a write may or may not have happened.</summary>
    Timeout,

    /// <summary>The connection could not be opened (refused, DNS): the request was never sent.</summary>
    ConnectionNotSent,

    /// <summary>The connection broke; unknown whether the request arrived.</summary>
    ConnectionLost,
}

/// <summary>A failed Visma.net or Visma Connect call, with the operator-facing code of the catalogue.</summary>
public sealed class VismaNetApiException : JunipeerException
{
    public VismaNetApiException(string code, string message, VismaFailureKind kind, int? statusCode = null, Exception? inner = null)
        : base(code, message, inner)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public VismaFailureKind Kind { get; }
    public int? StatusCode { get; }

    /// <summary>Visma's own message text (message / ExceptionMessage / error), if any.</summary>
    public string? VismaMessage { get; init; }

    /// <summary>The VismaId support correlation id (or IPP ExceptionMessageID), if any.</summary>
    public string? VismaId { get; init; }

    /// <summary>IPPException fault code (e.g. 12027), if any.</summary>
    public string? FaultCode { get; init; }
}
