using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Visma;

/// <summary>
/// Interactive Visma Connect: <c>/connect/authorize</c> (authorization code + PKCE S256) and the
/// token grants <c>authorization_code</c> and <c>refresh_token</c>. Strict like a real authorization
/// server: a code works once and only with the verifier of its challenge and the same redirect URI;
/// refresh tokens rotate (one-time use), a spent one is refused with <c>invalid_grant</c>. The
/// company picker of the real sign-in is a page listing the client's companies; choosing one (query
/// <c>tenant_id</c>, the Sandbox's stand-in for the click) redirects back with the code.
/// </summary>
public sealed partial class VismaState
{
    public const string InteractiveScopes =
        "vismanet_erp_interactive_api:read vismanet_erp_interactive_api:create vismanet_erp_interactive_api:update vismanet_erp_interactive_api:delete";

    private static readonly HashSet<string> KnownInteractiveScopes =
        new([.. InteractiveScopes.Split(' '), "openid", "email", "profile", "offline_access", "vismanet_erp_interactive_api:ui-extension"], StringComparer.Ordinal);

    /// <summary>Authorization codes live this long (RFC 6749 recommends at most 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, AuthCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);

    private sealed record AuthCode(string ClientId, string TenantId, string RedirectUri, string Challenge, string Scope, DateTimeOffset ExpiresAt)
    {
        public bool Used { get; set; }
    }

    private sealed record RefreshGrant(string ClientId, string TenantId, string Scope)
    {
        public bool Used { get; set; }
        public bool Revoked { get; set; }
    }

    /// <summary>Companies the client may connect to (the picker's list).</summary>
    internal IReadOnlyList<(string TenantId, string Name)> CompaniesOf(string clientId)
    {
        lock (_gate)
        {
            return [.. _companies.Values.Where(c => c.Spec.ClientId == clientId).Select(c => (c.TenantId, c.Spec.Name)).OrderBy(c => c.TenantId, StringComparer.Ordinal)];
        }
    }

    /// <summary>Validates an authorize request; with a chosen company, issues a code. Error: (400, OAuth error).</summary>
    internal (int Status, string? Error, string? Code) Authorize(string? clientId, string? responseType, string? redirectUri, string? scope,
        string? challenge, string? challengeMethod, string? tenantId)
    {
        lock (_gate)
        {
            if (clientId is null || !_clientSecrets.ContainsKey(clientId))
                return (400, "invalid_client", null);
            if (responseType != "code")
                return (400, "unsupported_response_type", null);
            if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
                return (400, "invalid_request", null);
            if (string.IsNullOrEmpty(challenge) || challengeMethod != "S256")
                return (400, "invalid_request", null); // PKCE required, S256 only
            var scopes = (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (scopes.Length == 0 || scopes.Any(s => !KnownInteractiveScopes.Contains(s)))
                return (400, "invalid_scope", null);
            if (tenantId is null)
                return (200, null, null); // show the picker
            if (!_companies.TryGetValue(tenantId, out var company) || company.Spec.ClientId != clientId)
                return (400, "access_denied", null);

            var code = "sbxcode." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _codes[code] = new AuthCode(clientId, company.TenantId, redirectUri!, challenge, string.Join(' ', scopes), Now + AuthorizationCodeLifetime);
            return (302, null, code);
        }
    }

    internal (int Status, JsonObject Body) ExchangeCode(string? clientId, string? clientSecret, string? code, string? redirectUri, string? verifier)
    {
        lock (_gate)
        {
            if (clientId is null || !_clientSecrets.TryGetValue(clientId, out var secret) || secret != clientSecret)
                return (400, OAuthError("invalid_client", "unknown client or wrong secret"));
            if (code is null || !_codes.TryGetValue(code, out var grant) || grant.ClientId != clientId)
                return (400, OAuthError("invalid_grant", "unknown authorization code"));
            if (grant.Used)
                return (400, OAuthError("invalid_grant", "authorization code already used"));
            grant.Used = true; // spent by any attempt, right or wrong
            if (grant.ExpiresAt <= Now)
                return (400, OAuthError("invalid_grant", "authorization code expired"));
            if (!string.Equals(grant.RedirectUri, redirectUri, StringComparison.Ordinal))
                return (400, OAuthError("invalid_grant", "redirect_uri does not match the authorize request"));
            if (verifier is null || !string.Equals(S256(verifier), grant.Challenge, StringComparison.Ordinal))
                return (400, OAuthError("invalid_grant", "code_verifier does not match the code_challenge"));
            return (200, IssuePair(grant.TenantId, clientId, grant.Scope));
        }
    }

    internal (int Status, JsonObject Body) Refresh(string? clientId, string? clientSecret, string? refreshToken)
    {
        lock (_gate)
        {
            if (clientId is null || !_clientSecrets.TryGetValue(clientId, out var secret) || secret != clientSecret)
                return (400, OAuthError("invalid_client", "unknown client or wrong secret"));
            if (refreshToken is null || !_refreshTokens.TryGetValue(refreshToken, out var grant) || grant.ClientId != clientId)
                return (400, OAuthError("invalid_grant", "unknown refresh token"));
            if (grant.Revoked)
                return (400, OAuthError("invalid_grant", "refresh token revoked"));
            if (grant.Used)
                return (400, OAuthError("invalid_grant", "refresh token already used (one-time refresh tokens rotate)"));
            grant.Used = true;
            return (200, IssuePair(grant.TenantId, clientId, grant.Scope));
        }
    }

    /// <summary>Control plane: revokes every refresh token of the tenant (the admin disconnected the app).</summary>
    public int RevokeRefreshTokens(string tenantId)
    {
        lock (_gate)
        {
            var n = 0;
            foreach (var g in _refreshTokens.Values.Where(g => string.Equals(g.TenantId, tenantId, StringComparison.OrdinalIgnoreCase) && !g.Revoked))
            {
                g.Revoked = true;
                n++;
            }

            return n;
        }
    }

    /// <summary>Ground truth: refresh-token exchanges that were accepted for the tenant.</summary>
    public int RefreshesAccepted(string tenantId)
    {
        lock (_gate)
        {
            return _refreshTokens.Values.Count(g => g.Used && string.Equals(g.TenantId, tenantId, StringComparison.OrdinalIgnoreCase));
        }
    }

    private JsonObject IssuePair(string tenantId, string clientId, string scope)
    {
        var access = NewToken(tenantId, clientId, scope);
        var refresh = "sbxrt." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _refreshTokens[refresh] = new RefreshGrant(clientId, tenantId, scope);
        return new JsonObject
        {
            ["access_token"] = access,
            ["refresh_token"] = refresh,
            ["expires_in"] = TokenExpiresInSeconds,
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["tenant_id"] = tenantId,
        };
    }

    private void ResetInteractive()
    {
        _codes.Clear();
        _refreshTokens.Clear();
        AuthorizationCodeLifetime = TimeSpan.FromMinutes(5);
    }

    private static JsonObject OAuthError(string error, string description) => new() { ["error"] = error, ["error_description"] = description };

    private static string S256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
