using Junipeer.Core.Integrations;

namespace Junipeer.Core.Connect;

/// <summary>What the identity provider returned for an authorization code: the company the user chose.</summary>
public sealed record OAuthConnected(string Company);

/// <summary>
/// Port: the vendor side of an interactive (authorization code + PKCE) connection. The connector
/// builds the authorize URL and exchanges the code; it stores the tokens it receives (encrypted)
/// itself, so no token passes through the flow.
/// </summary>
public interface IOAuthConnector
{
    /// <summary>The system name in the routes, e.g. <c>vismanet</c>.</summary>
    string System { get; }

    /// <summary>The authorize URL for this integration; throws INTEGRATION_SETTINGS_INVALID when the integration is not set up for interactive connect.</summary>
    Uri AuthorizeUrl(Integration integration, string state, string codeChallenge, string redirectUri);

    /// <summary>Exchanges the code (with the PKCE verifier), stores the tokens and returns the company chosen. Throws OAUTH_CODE_REJECTED when the provider refuses.</summary>
    Task<OAuthConnected> ExchangeCodeAsync(Integration integration, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken);

    /// <summary>The integration bound to the company the user chose (e.g. Erp.VismaNet.CompanyTenantId).</summary>
    Integration Bind(Integration integration, OAuthConnected connected);
}
