using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>Visma Connect: client-credentials tokens, token validation and the per-(tenant, client) rate-limit window.</summary>
public sealed partial class VismaState
{
    // ---------------------------------------------------------------- Visma Connect

    internal (int Status, JsonObject Body) IssueToken(string? grantType, string? clientId, string? clientSecret, string? scope, string? tenantId)
    {
        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            return (400, new JsonObject { ["error"] = "unsupported_grant_type" });
        }

        lock (_gate)
        {
            if (clientId is null || !_clientSecrets.TryGetValue(clientId, out var secret) || !string.Equals(secret, clientSecret, StringComparison.Ordinal))
            {
                return (400, new JsonObject { ["error"] = "invalid_client" });
            }

            var requested = string.IsNullOrWhiteSpace(scope) ? AllScopes : scope.Trim();
            if (requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => !KnownScopes.Contains(s)))
            {
                return (400, new JsonObject { ["error"] = "invalid_scope" });
            }

            if (tenantId is null || !_companies.TryGetValue(tenantId, out var company) ||
                !string.Equals(company.Spec.ClientId, clientId, StringComparison.Ordinal))
            {
                return (400, new JsonObject { ["error"] = "invalid_tenant" });
            }

            var token = NewToken(company.TenantId, clientId, requested);
            return (200, new JsonObject
            {
                ["access_token"] = token,
                ["expires_in"] = TokenExpiresInSeconds,
                ["token_type"] = "Bearer",
                ["scope"] = requested,
            });
        }
    }

    private string NewToken(string tenantId, string clientId, string scope)
    {
        var token = "sbx." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = new TokenInfo(tenantId, clientId, Now.AddSeconds(TokenExpiresInSeconds), scope);
        _issuedTokens.Add(token);
        _root.Stats.TokenIssued(tenantId);
        return token;
    }

    internal TokenInfo? ValidateToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        lock (_gate)
        {
            return _tokens.TryGetValue(token, out var info) && info.ExpiresAt > Now && _companies.ContainsKey(info.TenantId) ? info : null;
        }
    }

    /// <summary>Counts one call against the (tenant, client) fixed window.</summary>
    internal RateDecision CountCall(string tenantId, string clientId, bool consume = true)
    {
        lock (_gate)
        {
            var now = Now;
            var len = RateWindow <= TimeSpan.Zero ? TimeSpan.FromHours(1) : RateWindow;
            var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % len.Ticks), TimeSpan.Zero);
            var key = (tenantId, clientId);
            if (!_windows.TryGetValue(key, out var w) || w.Start != start)
            {
                w = (start, 0);
            }

            var reset = (int)Math.Ceiling((start + len - now).TotalSeconds);
            if (w.Count >= RateLimit)
            {
                _windows[key] = w;
                return new RateDecision(false, RateLimit, 0, Math.Max(reset, 1));
            }

            if (consume)
            {
                w.Count++;
            }

            _windows[key] = w;
            return new RateDecision(true, RateLimit, RateLimit - w.Count, reset);
        }
    }
}
