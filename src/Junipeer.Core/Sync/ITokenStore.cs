namespace Junipeer.Core.Sync;

/// <summary>A cached access token for one integration and system; the connector encrypts AccessToken before it is stored.</summary>
public sealed record TokenRecord
{
    public required string IntegrationId { get; init; }
    public required string System { get; init; }
    public string? AccessToken { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Refresh token of an interactive connection (encrypted like AccessToken); rotated on every refresh.</summary>
    public string? RefreshToken { get; init; }
    public string? RefreshLeaseOwner { get; init; }
    public DateTimeOffset? RefreshLeaseUntil { get; init; }
    public string? ETag { get; init; }
}

/// <summary>Port: token cache with an ETag-guarded refresh lease (one refresher at a time).</summary>
public interface ITokenStore
{
    Task<TokenRecord?> GetAsync(string integrationId, string system, CancellationToken cancellationToken);

    /// <summary>Conditional write (insert when ETag is null). False when someone else wrote first.</summary>
    Task<TokenRecord?> TryWriteAsync(TokenRecord record, CancellationToken cancellationToken);
}
