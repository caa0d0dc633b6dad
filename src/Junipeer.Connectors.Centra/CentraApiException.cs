using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.Centra;

/// <summary>A failed Centra call, with the operator-facing code of the catalogue.</summary>
public sealed class CentraApiException : ConnectorException
{
    public CentraApiException(string code, string message, FailureKind kind, int? statusCode = null, Exception? inner = null)
        : base(code, message, kind, statusCode, inner)
    {
    }

    /// <summary>For <see cref="ErrorCodes.ShopPermissionMissing"/>: the permissions Centra named.</summary>
    public IReadOnlyList<string> MissingPermissions { get; init; } = [];
}
