using Junipeer.Core.Errors;

namespace Junipeer.Connectors.Http;

/// <summary>
/// A failed vendor call with the operator-facing code of the catalogue. Every connector's exception
/// derives from it, so flows and the exactly-once machinery judge every vendor the same way.
/// </summary>
public class ConnectorException : JunipeerException
{
    public ConnectorException(string code, string message, FailureKind kind, int? statusCode = null, Exception? inner = null)
        : base(code, message, inner)
    {
        Kind = kind;
        StatusCode = statusCode;
        RequestNotSent = kind is FailureKind.RateLimited or FailureKind.ConnectionNotSent;
        MayLandLater = kind is FailureKind.Timeout or FailureKind.ConnectionLost;
    }

    public FailureKind Kind { get; }

    public int? StatusCode { get; }

    /// <summary>True when a write may have been applied although no success answer arrived.</summary>
    public bool OutcomeUnknown => Kind is FailureKind.ServerError or FailureKind.Timeout or FailureKind.ConnectionLost;
}
