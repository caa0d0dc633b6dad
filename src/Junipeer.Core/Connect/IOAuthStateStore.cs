namespace Junipeer.Core.Connect;

/// <summary>
/// One pending authorization: the one-time <c>state</c> sent to the identity provider, the PKCE
/// verifier (encrypted by the flow before it is stored), which integration and system it is for,
/// the redirect URI used, and when it stops being accepted.
/// </summary>
public sealed record OAuthPending
{
    public required string State { get; init; }
    public required string IntegrationId { get; init; }
    public required string System { get; init; }
    public required string ProtectedVerifier { get; init; }
    public required string RedirectUri { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>Port: pending OAuth states (table OAuthState). Taking a state deletes it, so it works once.</summary>
public interface IOAuthStateStore
{
    Task AddAsync(OAuthPending pending, CancellationToken cancellationToken);

    /// <summary>Deletes and returns the pending state; null when unknown or already taken (a second take of the same state gets null).</summary>
    Task<OAuthPending?> TakeAsync(string state, CancellationToken cancellationToken);
}
