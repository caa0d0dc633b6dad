using System.Text;
using System.Text.Json;
using Flurl;
using Junipeer.Connectors.Http;
using Junipeer.Core.Connect;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Interactive Visma Connect (visma-net-api.md §1.3): authorization code with PKCE S256 for an
/// integration with Erp.VismaNet.Auth Interactive. The authorize URL asks for the interactive ERP
/// scopes plus offline_access (refresh tokens); the code is exchanged once, without retries, and the
/// token pair is stored encrypted in the Tokens table by <see cref="VismaConnectTokenProvider"/>,
/// which then refreshes it (rotation-safe, one refresher). The company the user chose comes back as
/// the token response's tenant_id (the Sandbox's field; Visma documents it as the access token's
/// tenant_id claim, read here when the field is absent — VERIFY against a live tenant).
/// </summary>
public sealed class VismaConnectInteractive(VismaConnectTokenProvider tokens, ISecretResolver secrets, IOptions<JunipeerOptions> options) : IOAuthConnector
{
    public const string InteractiveScopes =
        "openid offline_access vismanet_erp_interactive_api:read vismanet_erp_interactive_api:create vismanet_erp_interactive_api:update vismanet_erp_interactive_api:delete";

    public string System => VismaConnectTokenProvider.SystemName;

    public Uri AuthorizeUrl(Integration integration, string state, string codeChallenge, string redirectUri)
    {
        var settings = Interactive(integration);
        var url = VismaUrls.Authorize(settings, options.Value.VismaNet)
            .SetQueryParam("client_id", settings.ClientId)
            .SetQueryParam("response_type", "code")
            .SetQueryParam("scope", InteractiveScopes)
            .SetQueryParam("redirect_uri", redirectUri)
            .SetQueryParam("code_challenge", codeChallenge)
            .SetQueryParam("code_challenge_method", "S256")
            .SetQueryParam("state", state);
        return url.ToUri();
    }

    public async Task<OAuthConnected> ExchangeCodeAsync(Integration integration, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        var settings = Interactive(integration);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
            ["client_id"] = settings.ClientId,
            ["client_secret"] = secrets.Resolve(settings.ClientSecretName),
        };
        var token = await tokens.PostTokenFormAsync(settings, form, VismaOperation.TokenCodeExchange, cancellationToken);
        var company = token.TenantId ?? TenantClaim(token.AccessToken)
            ?? throw new VismaNetApiException(ErrorCodes.OAuthCodeRejected, "Visma Connect answered without the company (tenant_id) the user chose.", FailureKind.Malformed);
        await tokens.StoreConnectedAsync(integration, token, cancellationToken);
        return new OAuthConnected(company);
    }

    public Integration Bind(Integration integration, OAuthConnected connected) =>
        integration with { Erp = integration.Erp with { VismaNet = Interactive(integration) with { CompanyTenantId = connected.Company } } };

    private static VismaNetSettings Interactive(Integration integration)
    {
        var settings = VismaNetErp.RequireSettings(integration);
        return settings.Auth == VismaAuthMode.Interactive
            ? settings
            : throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
                $"Integration '{integration.Id}' uses Erp.VismaNet.Auth Service (client credentials); set it to Interactive to connect by signing in.");
    }

    /// <summary>The tenant_id claim of a JWT access token, if it is one.</summary>
    private static string? TenantClaim(string? accessToken)
    {
        var parts = accessToken?.Split('.');
        if (parts is not { Length: 3 })
            return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return doc.RootElement.TryGetProperty("tenant_id", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
