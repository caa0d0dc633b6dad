using Junipeer.Core.Errors;

namespace Junipeer.Connectors.Centra;

public enum CentraFailureKind
{
    Unauthorized,
    RateLimited,
    ServerError,
    Timeout,
    Connection,
    QueryFailed,
}

/// <summary>A failed Centra call, with the operator-facing code of the catalogue.</summary>
public sealed class CentraApiException : JunipeerException
{
    public CentraApiException(string code, string message, CentraFailureKind kind, int? statusCode = null, Exception? inner = null)
        : base(code, message, inner)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public CentraFailureKind Kind { get; }
    public int? StatusCode { get; }

    /// <summary>For <see cref="ErrorCodes.ShopPermissionMissing"/>: the permissions Centra named.</summary>
    public IReadOnlyList<string> MissingPermissions { get; init; } = [];
}
