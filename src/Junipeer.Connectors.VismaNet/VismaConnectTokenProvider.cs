using System.Collections.Concurrent;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Connectors.Http;
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
        ILogger<VismaConnectTokenProvider> logger)
    {
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
        try
        {
            token = await RequestTokenAsync(settings, cancellationToken);
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
            ExpiresAt = expiresAt,
            RefreshLeaseOwner = null,
            RefreshLeaseUntil = null,
        }, cancellationToken);
        if (saved is null)
            _logger.LogWarning("The Visma token record for {IntegrationId} changed while this instance held the refresh lease; keeping the new token in memory only", integration.Id);
        else
            _logger.LogInformation("Fetched a Visma Connect token for {IntegrationId}, valid until {ExpiresAt}", integration.Id, expiresAt);
        return token.AccessToken!;
    }

    private async Task<TokenResponseDto> RequestTokenAsync(VismaNetSettings settings, CancellationToken cancellationToken)
    {
        var secret = _secrets.Resolve(settings.ClientSecretName);
        var tokenUrl = string.IsNullOrWhiteSpace(settings.TokenUrl) ? _options.VismaNet.TokenUrl : settings.TokenUrl;
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
