using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Security;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Connect;

/// <summary>The result of an HTTP step of the connect flow: a redirect, or a status with a code.</summary>
public sealed record ConnectResult(int StatusCode, Uri? Redirect, string? Code, string Message, string? IntegrationId = null, string? Company = null)
{
    public static ConnectResult Fail(int status, string code, string message) => new(status, null, code, message);
}

/// <summary>
/// Interactive connection of a system (authorization code + PKCE S256). <see cref="StartAsync"/>
/// stores a one-time state (32 random bytes) with the encrypted PKCE verifier for
/// <see cref="StateLifetime"/> and answers the authorize URL; <see cref="CompleteAsync"/> takes
/// (deletes) the state, so a second callback with it fails, checks system and expiry, lets the
/// connector exchange the code with the verifier, binds the company the user chose to the
/// integration the state was made for (never one named by the caller) and records the connection
/// status. Nothing of the state, the verifier, the code or a token is logged or answered.
/// </summary>
public sealed class ConnectFlow(
    IEnumerable<IOAuthConnector> connectors,
    IIntegrationStore integrations,
    IOAuthStateStore states,
    IConnectionStatusStore statuses,
    TokenProtector protector,
    TimeProvider time,
    ILogger<ConnectFlow> logger)
{
    /// <summary>How long a state (and so a started connect) is accepted.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    private static string VerifierContext(string state) => "oauth-state|" + state;

    public async Task<ConnectResult> StartAsync(string system, string integrationId, string redirectUri, CancellationToken cancellationToken)
    {
        var connector = connectors.FirstOrDefault(c => string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase));
        if (connector is null)
            return ConnectResult.Fail(404, ErrorCodes.ConnectSystemUnknown, $"No system '{system}' can be connected interactively (known: {string.Join(", ", connectors.Select(c => c.System))}).");

        var integration = Integration.IsValidId(integrationId) ? await integrations.GetAsync(integrationId, cancellationToken) : null;
        if (integration is null)
            return ConnectResult.Fail(404, ErrorCodes.IntegrationNotFound, $"No integration '{integrationId}'.");

        var state = Pkce.NewState();
        var verifier = Pkce.NewVerifier();
        Uri url;
        try
        {
            url = connector.AuthorizeUrl(integration, state, Pkce.Challenge(verifier), redirectUri);
        }
        catch (JunipeerException ex)
        {
            return ConnectResult.Fail(400, ex.Code, ex.Message);
        }

        await states.AddAsync(new OAuthPending
        {
            State = state,
            IntegrationId = integration.Id,
            System = connector.System,
            ProtectedVerifier = protector.Protect(verifier, VerifierContext(state)),
            RedirectUri = redirectUri,
            ExpiresAt = time.GetUtcNow() + StateLifetime,
        }, cancellationToken);
        logger.LogInformation("Started an interactive {System} connection for integration {IntegrationId}", connector.System, integration.Id);
        return new ConnectResult(302, url, null, "Redirecting to the identity provider.", integration.Id);
    }

    public async Task<ConnectResult> CompleteAsync(string system, string? state, string? code, string? error, CancellationToken cancellationToken)
    {
        var connector = connectors.FirstOrDefault(c => string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase));
        if (connector is null)
            return ConnectResult.Fail(404, ErrorCodes.ConnectSystemUnknown, $"No system '{system}' can be connected interactively.");

        if (string.IsNullOrEmpty(state))
            return ConnectResult.Fail(400, ErrorCodes.OAuthStateInvalid, "The callback carries no state.");

        // Taking the state deletes it: whatever happens next, it cannot be used again.
        var pending = await states.TakeAsync(state, cancellationToken);
        if (pending is null || !string.Equals(pending.System, connector.System, StringComparison.Ordinal))
        {
            logger.LogWarning("OAuth callback for {System} with an unknown, used or foreign state", connector.System);
            return ConnectResult.Fail(400, ErrorCodes.OAuthStateInvalid, "The state is unknown or was already used; start the connection again.");
        }

        if (time.GetUtcNow() > pending.ExpiresAt)
            return ConnectResult.Fail(400, ErrorCodes.OAuthStateExpired,
                $"The connection was started more than {StateLifetime.TotalMinutes:0} minutes ago; start it again.") with { IntegrationId = pending.IntegrationId };

        if (!string.IsNullOrEmpty(error) || string.IsNullOrEmpty(code))
            return ConnectResult.Fail(400, ErrorCodes.OAuthCodeRejected,
                $"The identity provider returned no authorization code ({(string.IsNullOrEmpty(error) ? "no code" : Clip(error))}).") with { IntegrationId = pending.IntegrationId };

        var integration = await integrations.GetAsync(pending.IntegrationId, cancellationToken);
        if (integration is null)
            return ConnectResult.Fail(404, ErrorCodes.IntegrationNotFound, $"The integration '{pending.IntegrationId}' this connection was started for no longer exists.");

        var verifier = protector.TryUnprotect(pending.ProtectedVerifier, VerifierContext(state));
        if (verifier is null)
            return ConnectResult.Fail(400, ErrorCodes.OAuthStateInvalid, "The stored state could not be read (another encryption key?); start the connection again.");

        OAuthConnected connected;
        try
        {
            connected = await connector.ExchangeCodeAsync(integration, code, verifier, pending.RedirectUri, cancellationToken);
        }
        catch (JunipeerException ex)
        {
            await statuses.SetAsync(new ConnectionStatus
            {
                IntegrationId = integration.Id, System = connector.System, State = ConnectionState.Revoked,
                ErrorCode = ex.Code, ErrorMessage = ex.Message, At = time.GetUtcNow(),
            }, cancellationToken);
            return ConnectResult.Fail(ex.Code == ErrorCodes.OAuthCodeRejected ? 400 : 502, ex.Code, ex.Message) with { IntegrationId = integration.Id };
        }

        await integrations.SaveAsync(connector.Bind(integration, connected), cancellationToken);
        await statuses.SetAsync(new ConnectionStatus
        {
            IntegrationId = integration.Id, System = connector.System, State = ConnectionState.Connected, Company = connected.Company, At = time.GetUtcNow(),
        }, cancellationToken);
        logger.LogInformation("Connected {System} for integration {IntegrationId} to company {Company}", connector.System, integration.Id, connected.Company);
        return new ConnectResult(200, null, null, $"Connected {connector.System} for integration '{integration.Id}' to company {connected.Company}.", integration.Id, connected.Company);
    }

    private static string Clip(string s) => s.Length > 100 ? s[..100] : s;
}
