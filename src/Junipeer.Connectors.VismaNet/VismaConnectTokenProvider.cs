using System.Collections.Concurrent;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Connectors.Http;
using Junipeer.Core.Connect;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Security;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Visma Connect client-credentials tokens per integration (one token = one company). Cached in
/// memory and in <see cref="ITokenStore"/> (encrypted), refreshed TokenRefreshSkewSeconds before
/// expiry. One refresher at a time: a SemaphoreSlim per integration inside the process and an
/// ETag-guarded lease on the token record across instances. Tokens and secrets are never logged.
/// </summary>
public sealed class VismaConnectTokenProvider
{
    public const string SystemName = "vismanet";

    public const string Scopes =
        "vismanet_erp_service_api:read vismanet_erp_service_api:create vismanet_erp_service_api:update vismanet_erp_service_api:delete";

    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxLeaseWait = TimeSpan.FromSeconds(45);

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly ITokenStore _store;
    private readonly TokenProtector _protector;
    private readonly JunipeerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<VismaConnectTokenProvider> _logger;
    private readonly IConnectionStatusStore? _statuses;
    private readonly VendorHttp _http;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, CachedToken> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _rejected = new(StringComparer.Ordinal);

    public VismaConnectTokenProvider(
        IFlurlClientCache clients,
        ISecretResolver secrets,
        ITokenStore store,
        TokenProtector protector,
        IOptions<JunipeerOptions> options,
        TimeProvider time,
        ILogger<VismaConnectTokenProvider> logger,
        IConnectionStatusStore? statuses = null)
    {
        _statuses = statuses;
        _clients = clients;
        _secrets = secrets;
        _store = store;
        _protector = protector;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new VendorHttp(VismaProfile.Instance, time, TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds), logger);
    }

    private TimeSpan Skew => TimeSpan.FromSeconds(_options.VismaNet.TokenRefreshSkewSeconds);

    /// <summary>A valid access token for the integration's company.</summary>
    public async Task<string> GetAccessTokenAsync(Integration integration, CancellationToken cancellationToken)
    {
        var settings = VismaNetErp.RequireSettings(integration);
        if (TryCached(integration.Id, out var cached))
            return cached;

        var gate = _locks.GetOrAdd(integration.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (TryCached(integration.Id, out cached))
                return cached;
            return await RefreshThroughStoreAsync(integration, settings, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops a token the API refused (401), so the next call fetches a new one.</summary>
    public void Invalidate(Integration integration, string accessToken)
    {
        _rejected[integration.Id] = accessToken;
        if (_cache.TryGetValue(integration.Id, out var current) && current.Token == accessToken)
            _cache.TryRemove(new KeyValuePair<string, CachedToken>(integration.Id, current));
    }

    private bool TryCached(string integrationId, out string token)
    {
        if (_cache.TryGetValue(integrationId, out var entry) && _time.GetUtcNow() < entry.RefreshAt)
        {
            token = entry.Token;
            return true;
        }

        token = "";
        return false;
    }

    private async Task<string> RefreshThroughStoreAsync(Integration integration, VismaNetSettings settings, CancellationToken cancellationToken)
    {
        var context = $"{integration.Id}/{SystemName}";
        var started = _time.GetUtcNow();
        while (true)
        {
            var now = _time.GetUtcNow();
            var record = await _store.GetAsync(integration.Id, SystemName, cancellationToken);

            // 1. Someone (this or another instance) already holds a fresh token.
            if (record is { AccessToken: not null, ExpiresAt: { } expiresAt } && now < expiresAt - Skew)
            {
                var stored = _protector.TryUnprotect(record.AccessToken, context);
                var rejected = _rejected.TryGetValue(integration.Id, out var bad) ? bad : null;
                if (stored is not null && stored != rejected)
                {
                    _cache[integration.Id] = new CachedToken(stored, expiresAt - Skew);
                    return stored;
                }
            }

            // 2. Another instance is refreshing: wait briefly and re-read.
            var leaseHeld = record is { RefreshLeaseOwner: not null, RefreshLeaseUntil: { } until } && until > now && record.RefreshLeaseOwner != _instanceId;
            if (!leaseHeld)
            {
                var lease = (record ?? new TokenRecord { IntegrationId = integration.Id, System = SystemName }) with
                {
                    RefreshLeaseOwner = _instanceId,
                    RefreshLeaseUntil = now + LeaseDuration,
                };
                var won = await _store.TryWriteAsync(lease, cancellationToken);
                if (won is not null)
                    return await RefreshHoldingLeaseAsync(integration, settings, won, context, cancellationToken);
            }

            if (_time.GetUtcNow() - started > MaxLeaseWait)
                throw new VismaNetApiException(ErrorCodes.ErpUnavailable,
                    "Another instance held the Visma Connect token refresh lease too long; try again.", FailureKind.Timeout);

            var jitter = TimeSpan.FromMilliseconds(200 + Random.Shared.Next(0, 300));
            await Task.Delay(jitter, _time, cancellationToken);
        }
    }

    private async Task<string> RefreshHoldingLeaseAsync(Integration integration, VismaNetSettings settings, TokenRecord lease, string context, CancellationToken cancellationToken)
    {
        TokenResponseDto token;
        string? refreshToken = null;
        try
        {
            if (settings.Auth == VismaAuthMode.Interactive)
            {
                // Rotation-safe: only the lease holder refreshes, once, without retries (a retry could
                // spend a rotated token); the new pair is written with the lease's ETag.
                var stored = _protector.TryUnprotect(lease.RefreshToken, RefreshContext(integration.Id))
                    ?? throw new VismaNetApiException(ErrorCodes.ConnectionNotEstablished,
                        $"Integration '{integration.Id}' uses interactive Visma Connect and is not connected yet: open /api/connect/{SystemName}/{integration.Id} and sign in.",
                        FailureKind.Unauthorized);
                token = await RefreshTokenAsync(settings, stored, cancellationToken);
                refreshToken = string.IsNullOrEmpty(token.RefreshToken) ? stored : token.RefreshToken;
            }
            else
            {
                token = await RequestTokenAsync(settings, cancellationToken);
            }
        }
        catch (VismaNetApiException ex) when (ex.Code is ErrorCodes.ConnectionRevoked or ErrorCodes.ErpAuthFailed or ErrorCodes.ConnectionNotEstablished)
        {
            await RecordStatusAsync(integration.Id, ex.VismaMessage?.Contains("expired", StringComparison.OrdinalIgnoreCase) == true ? ConnectionState.Expired : ConnectionState.Revoked,
                ex.Code, ex.Message);
            await ReleaseLeaseAsync(integration, lease);
            throw;
        }
        catch
        {
            // Release the lease so another caller need not wait for it to expire.
            try
            {
                await _store.TryWriteAsync(lease with { RefreshLeaseOwner = null, RefreshLeaseUntil = null }, CancellationToken.None);
            }
            catch (Exception releaseError)
            {
                _logger.LogWarning(releaseError, "Could not release the Visma token refresh lease for {IntegrationId}", integration.Id);
            }

            throw;
        }

        var now = _time.GetUtcNow();
        var lifetime = TimeSpan.FromSeconds(Math.Max(1, token.ExpiresIn ?? 3600));
        var expiresAt = now + lifetime;
        var skew = Skew < lifetime / 2 ? Skew : lifetime / 2;
        _cache[integration.Id] = new CachedToken(token.AccessToken!, expiresAt - skew);
        _rejected.TryRemove(integration.Id, out _);

        var saved = await _store.TryWriteAsync(lease with
        {
            AccessToken = _protector.Protect(token.AccessToken!, context),
            RefreshToken = refreshToken is null ? lease.RefreshToken : _protector.Protect(refreshToken, RefreshContext(integration.Id)),
            ExpiresAt = expiresAt,
            RefreshLeaseOwner = null,
            RefreshLeaseUntil = null,
        }, cancellationToken);
        if (saved is null)
            _logger.LogWarning("The Visma token record for {IntegrationId} changed while this instance held the refresh lease; keeping the new token in memory only", integration.Id);
        else
            _logger.LogInformation("Fetched a Visma Connect token for {IntegrationId}, valid until {ExpiresAt}", integration.Id, expiresAt);
        if (!_connected.ContainsKey(integration.Id))
        {
            await RecordStatusAsync(integration.Id, ConnectionState.Connected, null, null);
            _connected[integration.Id] = true;
        }

        return token.AccessToken!;
    }

    private readonly ConcurrentDictionary<string, bool> _connected = new(StringComparer.Ordinal);

    /// <summary>The encryption context of an integration's refresh token (bound like the access token, so a copied row does not decrypt elsewhere).</summary>
    public static string RefreshContext(string integrationId) => $"{integrationId}/{SystemName}/refresh";

    /// <summary>The encryption context of an integration's access token.</summary>
    public static string AccessContext(string integrationId) => $"{integrationId}/{SystemName}";

    private async Task RecordStatusAsync(string integrationId, ConnectionState state, string? code, string? message)
    {
        if (state != ConnectionState.Connected)
            _connected.TryRemove(integrationId, out _);
        if (_statuses is null)
            return;
        try
        {
            await _statuses.SetAsync(new ConnectionStatus
            {
                IntegrationId = integrationId, System = SystemName, State = state, ErrorCode = code, ErrorMessage = message, At = _time.GetUtcNow(),
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Could not record the Visma connection status of {IntegrationId}", integrationId);
        }
    }

    private async Task ReleaseLeaseAsync(Integration integration, TokenRecord lease)
    {
        try
        {
            await _store.TryWriteAsync(lease with { RefreshLeaseOwner = null, RefreshLeaseUntil = null }, CancellationToken.None);
        }
        catch (Exception releaseError)
        {
            _logger.LogWarning(releaseError, "Could not release the Visma token refresh lease for {IntegrationId}", integration.Id);
        }
    }

    private async Task<TokenResponseDto> RefreshTokenAsync(VismaNetSettings settings, string refreshToken, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = settings.ClientId,
            ["client_secret"] = _secrets.Resolve(settings.ClientSecretName),
        };
        return await PostTokenFormAsync(settings, form, VismaOperation.TokenRefresh, cancellationToken);
    }

    /// <summary>POSTs a token form once (no retry: authorization codes and rotating refresh tokens are single use).</summary>
    internal async Task<TokenResponseDto> PostTokenFormAsync(VismaNetSettings settings, Dictionary<string, string> form, VismaOperation operation, CancellationToken cancellationToken)
    {
        var tokenUrl = VismaUrls.Token(settings, _options.VismaNet);
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("visma-connect " + tokenUrl, tokenUrl, builder => builder
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json")
            .WithHeader("User-Agent", VismaNetErp.UserAgent));
        var response = await _http.SendAsync(() => client.Request(), HttpMethod.Post, () => new CapturedUrlEncodedContent(EncodeForm(form)),
            operation.ToString(), idempotent: false, cancellationToken);
        var dto = VismaJson.Deserialize<TokenResponseDto>(response.Body);
        if (string.IsNullOrEmpty(dto?.AccessToken))
            throw new VismaNetApiException(ErrorCodes.ErpAuthFailed, "Visma Connect answered without an access_token.", FailureKind.Unauthorized, response.StatusCode);
        return dto;
    }

    /// <summary>
    /// Stores the token pair an authorization-code exchange produced (interactive connect), replacing
    /// whatever the integration had; written conditionally so a concurrent refresh is not overwritten blindly.
    /// </summary>
    internal async Task StoreConnectedAsync(Integration integration, TokenResponseDto token, CancellationToken cancellationToken)
    {
        var expiresAt = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(1, token.ExpiresIn ?? 3600));
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await _store.GetAsync(integration.Id, SystemName, cancellationToken);
            var record = (current ?? new TokenRecord { IntegrationId = integration.Id, System = SystemName }) with
            {
                AccessToken = _protector.Protect(token.AccessToken!, AccessContext(integration.Id)),
                RefreshToken = string.IsNullOrEmpty(token.RefreshToken) ? null : _protector.Protect(token.RefreshToken, RefreshContext(integration.Id)),
                ExpiresAt = expiresAt,
                RefreshLeaseOwner = null,
                RefreshLeaseUntil = null,
            };
            if (await _store.TryWriteAsync(record, cancellationToken) is not null)
            {
                _cache.TryRemove(integration.Id, out _);
                _rejected.TryRemove(integration.Id, out _);
                _connected[integration.Id] = true;
                return;
            }
        }

        throw new VismaNetApiException(ErrorCodes.ErpUnavailable, "The token record kept changing while the new connection was stored; connect again.", FailureKind.Timeout);
    }

    private async Task<TokenResponseDto> RequestTokenAsync(VismaNetSettings settings, CancellationToken cancellationToken)
    {
        var secret = _secrets.Resolve(settings.ClientSecretName);
        var tokenUrl = VismaUrls.Token(settings, _options.VismaNet);
        var timeout = TimeSpan.FromSeconds(_options.VismaNet.TimeoutSeconds);
        var client = _clients.GetOrAdd("visma-connect " + tokenUrl, tokenUrl, builder => builder
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json")
            .WithHeader("User-Agent", VismaNetErp.UserAgent));

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = settings.ClientId,
            ["client_secret"] = secret,
            ["scope"] = Scopes,
            ["tenant_id"] = settings.CompanyTenantId,
        };

        // Client credentials carry no refresh token to rotate, so a transient failure may be retried.
        var response = await _http.SendAsync(() => client.Request(), HttpMethod.Post, () => new CapturedUrlEncodedContent(EncodeForm(form)),
            nameof(VismaOperation.Token), idempotent: true, cancellationToken);

        var dto = VismaJson.Deserialize<TokenResponseDto>(response.Body);
        if (string.IsNullOrEmpty(dto?.AccessToken))
            throw new VismaNetApiException(ErrorCodes.ErpAuthFailed, "Visma Connect answered without an access_token.", FailureKind.Unauthorized, response.StatusCode);
        return dto;
    }

    private static string EncodeForm(Dictionary<string, string> form) =>
        string.Join("&", form.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));

    private sealed record CachedToken(string Token, DateTimeOffset RefreshAt);
}
