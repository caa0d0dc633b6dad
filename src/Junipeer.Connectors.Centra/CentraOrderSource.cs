using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.Centra.Dtos;
using Junipeer.Core.Errors;
using Junipeer.Core.Http;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Shop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Reads orders from Centra's Integration API (GraphQL, POST CentraSettings.GraphQlUrl).
/// GetOrder → one OrderByNumber call; GetOrdersChangedSince → OrdersChangedSince pages (keyset on
/// updatedAt, see there). Reads are retried on 5xx, timeouts, connection failures and short 429s.
/// </summary>
public sealed partial class CentraOrderSource : IShopOrderSource
{
    [System.Text.RegularExpressions.GeneratedRegex(@"You need (\S+) permission")]
    private static partial System.Text.RegularExpressions.Regex PermissionInMessage();

    public const string UserAgent = "Junipeer/1.0";

    private static readonly TimeSpan MaxReportedRetryAfter = TimeSpan.FromHours(1);
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(2);
    private const int MaxPages = 10_000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IFlurlClientCache _clients;
    private readonly ISecretResolver _secrets;
    private readonly JunipeerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CentraOrderSource> _logger;
    private readonly TimeSpan _maxInProcessWait;
    private readonly ResiliencePipeline _pipeline;

    public CentraOrderSource(
        IFlurlClientCache clients,
        ISecretResolver secrets,
        IOptions<JunipeerOptions> options,
        TimeProvider time,
        ILogger<CentraOrderSource> logger)
    {
        _clients = clients;
        _secrets = secrets;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _maxInProcessWait = TimeSpan.FromSeconds(_options.Orders.MaxInProcessWaitSeconds);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(400),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is CentraApiException ex && ShouldRetry(ex)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is CentraApiException { Kind: CentraFailureKind.RateLimited } rl ? rl.RetryAfter ?? DefaultRetryAfter : (TimeSpan?)null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is CentraApiException ex)
                        _logger.LogWarning("Centra call failed ({Kind}, HTTP {Status}); retry {Attempt} in {Delay}", ex.Kind, ex.StatusCode, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public async Task<ShopOrder?> GetOrderAsync(Integration integration, string orderNumber, CancellationToken cancellationToken)
    {
        if (!int.TryParse(orderNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            _logger.LogWarning("'{OrderNumber}' is not a Centra order number", orderNumber);
            return null;
        }

        var data = await QueryAsync(integration, CentraQueries.OrderByNumberOperation, CentraQueries.OrderByNumber,
            new Dictionary<string, object> { ["number"] = number }, cancellationToken);
        var order = data.Orders?.FirstOrDefault(o => o.Number == number);
        return order is null ? null : CentraOrderMapper.Map(order);
    }

    /// <summary>
    /// Keyset paging on updatedAt. Centra's OrderFilter can say "updatedAt from t" (a DateRange) but
    /// not "(updatedAt, id) &gt; (t, n)", and its page numbers shift when an order changes mid-read
    /// (the changed order moves to the end, so the next page would skip one). So each request asks for
    /// updatedAt &gt;= the highest updatedAt read so far, page 1, sorted updatedAt_ASC then id_ASC, and
    /// skips client side what this read already returned (same number and updatedAt). Only when a whole
    /// page shares one updatedAt (the keyset cannot advance) does the page number grow. A page's
    /// checkpoint is the highest updatedAt on it: every order before that instant has been returned.
    /// </summary>
    public async IAsyncEnumerable<ShopOrderPage> GetOrdersChangedSinceAsync(Integration integration, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = integration.Shop.Centra?.OrderFilter;
        var storeIds = Ints(filter?.StoreIds);
        var marketIds = Ints(filter?.MarketIds);
        var query = CentraQueries.OrdersChangedSince(storeIds.Count > 0, marketIds.Count > 0);
        var limit = Math.Max(1, _options.Centra.PageSize);
        var seen = new HashSet<(long, DateTimeOffset)>();
        var from = since;
        var page = 1;
        for (var request = 0; request < MaxPages; request++)
        {
            var variables = new Dictionary<string, object>
            {
                ["from"] = from.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                ["limit"] = limit,
                ["page"] = page,
            };
            if (storeIds.Count > 0)
                variables["storeIds"] = storeIds;
            if (marketIds.Count > 0)
                variables["marketIds"] = marketIds;
            var data = await QueryAsync(integration, CentraQueries.OrdersChangedSinceOperation, query, variables, cancellationToken);
            var orders = data.Orders ?? [];
            if (orders.Count == 0)
                yield break;

            var refs = new List<ShopOrderRef>();
            var max = from;
            foreach (var order in orders)
            {
                if (order.Number is not { } n)
                    continue;
                var updated = CentraOrderMapper.ParseDate(order.UpdatedAt) ?? from;
                if (updated > max)
                    max = updated;
                if (seen.Add((n, updated)))
                {
                    refs.Add(new ShopOrderRef(n.ToString(CultureInfo.InvariantCulture), updated, order.Store?.Id, order.Market?.Id,
                        order.ShippingAddress?.Country?.Code?.Trim().ToUpperInvariant()));
                }
            }

            yield return new ShopOrderPage(refs, max);
            if (orders.Count < limit)
                yield break;

            if (max > from)
            {
                from = max;
                page = 1;
            }
            else
            {
                page++;
            }
        }

        throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra kept returning full pages after {MaxPages} requests; the sweep stops here and resumes from its checkpoint.", CentraFailureKind.QueryFailed);
    }

    private static List<int> Ints(IReadOnlyList<string>? values) =>
        [.. (values ?? []).Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? (int?)i : null).OfType<int>()];

    private bool ShouldRetry(CentraApiException ex) => ex.Kind switch
    {
        CentraFailureKind.RateLimited => (ex.RetryAfter ?? DefaultRetryAfter) <= _maxInProcessWait,
        CentraFailureKind.ServerError or CentraFailureKind.Timeout or CentraFailureKind.Connection => true,
        _ => false,
    };

    private Task<OrdersData> QueryAsync(Integration integration, string operationName, string query, Dictionary<string, object> variables, CancellationToken cancellationToken) =>
        QueryAsync<OrdersData>(integration, operationName, query, variables, cancellationToken);

    /// <summary>
    /// One GraphQL request (query or mutation) with the connector's retry pipeline and error mapping; shared
    /// by the order source and the catalogue (stock) client. Only idempotent operations may use it: a
    /// request whose response was lost is sent again.
    /// </summary>
    internal async Task<TData> QueryAsync<TData>(Integration integration, string operationName, string query, Dictionary<string, object> variables, CancellationToken cancellationToken)
        where TData : class
    {
        var settings = integration.Shop.Centra
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Shop.Centra settings.");
        var token = _secrets.Resolve(settings.TokenSecretName);
        var timeout = TimeSpan.FromSeconds(_options.Centra.TimeoutSeconds);
        var client = _clients.GetOrAdd("centra " + settings.GraphQlUrl, settings.GraphQlUrl, builder => builder
            .WithTimeout(timeout)
            .WithHeader("Accept", "application/json")
            .WithHeader("User-Agent", UserAgent));
        var body = JsonSerializer.Serialize(new GraphQlRequest(query, variables, operationName), Json);

        return await _pipeline.ExecuteAsync(async ct =>
        {
            var request = client.Request().WithOAuthBearerToken(token).AllowAnyHttpStatus();
            return await SendOnceAsync<TData>(request, body, operationName, ct);
        }, cancellationToken);
    }

    private async Task<TData> SendOnceAsync<TData>(IFlurlRequest request, string body, string operationName, CancellationToken cancellationToken)
        where TData : class
    {
        IFlurlResponse response;
        try
        {
            response = await request.SendAsync(HttpMethod.Post, new CapturedJsonContent(body), HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (FlurlHttpTimeoutException ex)
        {
            throw new CentraApiException(ErrorCodes.ShopUnavailable, $"Centra did not answer {operationName} in time.", CentraFailureKind.Timeout, null, ex);
        }
        catch (FlurlHttpException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CentraApiException(ErrorCodes.ShopUnavailable, $"Could not reach Centra for {operationName}: {ex.InnerException?.Message ?? ex.Message}", CentraFailureKind.Connection, null, ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CentraApiException(ErrorCodes.ShopUnavailable, $"Could not reach Centra for {operationName}: {ex.Message}", CentraFailureKind.Connection, null, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CentraApiException(ErrorCodes.ShopUnavailable, $"Centra did not answer {operationName} in time.", CentraFailureKind.Timeout, null, ex);
        }

        using (response)
        {
            var status = response.StatusCode;
            var text = await response.GetStringAsync() ?? "";
            GraphQlResponse<TData>? parsed = null;
            try
            {
                parsed = string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<GraphQlResponse<TData>>(text, Json);
            }
            catch (JsonException) when (status is < 200 or >= 300)
            {
                // Error pages need not be JSON.
            }
            catch (JsonException ex)
            {
                throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered {operationName} with a body that is not GraphQL JSON: {ex.Message}", CentraFailureKind.QueryFailed, status, ex);
            }

            var messages = parsed?.Errors is { Count: > 0 } errors
                ? string.Join("; ", errors.Select(e => e.Message).Where(m => !string.IsNullOrWhiteSpace(m)))
                : Trim(text);

            if (status is 401 || parsed?.Errors?.Any(e => e.Extensions?.Category is "authentication") == true)
                throw new CentraApiException(ErrorCodes.ShopAuthFailed,
                    $"Centra refused the API token for {operationName} (HTTP {status}): {messages}. The Integration API token may have expired (default 30 days) or been revoked.",
                    CentraFailureKind.Unauthorized, status);

            // Centra answers a field the token may not read with an "authorization" error naming the permission
            // ("You need Voucher:read permission to access voucher."), and null in its place. Never read on with
            // the hole: the order would be invoiced without the data.
            if (status is 403 || parsed?.Errors?.Any(e => e.Extensions?.Category is "authorization") == true)
            {
                var denied = (parsed?.Errors ?? []).Where(e => e.Extensions?.Category is "authorization").ToList();
                var permissions = denied.Select(e => PermissionInMessage().Match(e.Message ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
                var fields = denied.Select(e => e.Path is { Count: > 0 } p ? string.Join('.', p.Select(x => x.ToString())) : null).OfType<string>().Distinct(StringComparer.Ordinal).Take(5).ToList();
                var named = permissions.Count > 0 ? string.Join(", ", permissions) : "(not named by Centra)";
                throw new CentraApiException(ErrorCodes.ShopPermissionMissing,
                    $"The Centra API token lacks the permission {named} needed by {operationName}" + (fields.Count > 0 ? $" (fields: {string.Join(", ", fields)})" : "") +
                    $". Add it to the integration's Integration API token in Centra AMS (System → API Tokens); docs/configuration.md lists every permission Junipeer needs. Centra said: {messages}",
                    CentraFailureKind.Unauthorized, status)
                {
                    MissingPermissions = permissions,
                };
            }

            if (status == 429)
            {
                var retryAfter = RetryAfter.Parse(response.Headers.TryGetFirst("Retry-After", out var raw) ? raw : null, _time.GetUtcNow(), MaxReportedRetryAfter) ?? DefaultRetryAfter;
                throw new CentraApiException(ErrorCodes.ShopRateLimited,
                    $"Centra rate limit reached during {operationName}; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.", CentraFailureKind.RateLimited, status)
                { RetryAfter = retryAfter };
            }

            if (status >= 500)
                throw new CentraApiException(ErrorCodes.ShopUnavailable, $"Centra answered HTTP {status} to {operationName}: {messages}", CentraFailureKind.ServerError, status);

            if (status is < 200 or >= 300 || parsed?.Errors is { Count: > 0 })
                throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered {operationName} with errors (HTTP {status}): {messages}", CentraFailureKind.QueryFailed, status);

            return parsed?.Data ?? throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered {operationName} without data.", CentraFailureKind.QueryFailed, status);
        }
    }

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length > 500 ? text[..500] + "…" : text;
    }
}
