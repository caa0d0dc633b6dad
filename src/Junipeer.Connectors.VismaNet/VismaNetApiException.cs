using Junipeer.Connectors.Http;

namespace Junipeer.Connectors.VismaNet;

/// <summary>A failed Visma.net or Visma Connect call, with the operator-facing code of the catalogue.</summary>
public sealed class VismaNetApiException : ConnectorException
{
    public VismaNetApiException(string code, string message, FailureKind kind, int? statusCode = null, Exception? inner = null)
        : base(code, message, kind, statusCode, inner)
    {
    }

    /// <summary>Visma's own message text (message / ExceptionMessage / error), if any.</summary>
    public string? VismaMessage { get; init; }

    /// <summary>The VismaId support correlation id (or IPP ExceptionMessageID), if any.</summary>
    public string? VismaId { get; init; }

    /// <summary>IPPException fault code (e.g. 12027), if any.</summary>
    public string? FaultCode { get; init; }
}
