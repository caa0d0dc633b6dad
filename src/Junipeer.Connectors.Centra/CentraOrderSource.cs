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
/// GetOrder → one OrderByNumber call; GetOrdersChangedSince → OrdersChangedSince pages until an
/// empty page. Reads are retried on 5xx, timeouts, connection failures and short 429s.
/// </summary>
public sealed class CentraOrderSource : IShopOrderSource
{
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

    public async IAsyncEnumerable<ShopOrderRef> GetOrdersChangedSinceAsync(Integration integration, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = since.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        for (var page = 1; page <= MaxPages; page++)
        {
            var data = await QueryAsync(integration, CentraQueries.OrdersChangedSinceOperation, CentraQueries.OrdersChangedSince,
                new Dictionary<string, object> { ["from"] = from, ["limit"] = _options.Centra.PageSize, ["page"] = page }, cancellationToken);
            var orders = data.Orders ?? [];
            if (orders.Count == 0)
                yield break;
            foreach (var order in orders)
            {
                if (order.Number is { } n)
                    yield return new ShopOrderRef(n.ToString(CultureInfo.InvariantCulture), CentraOrderMapper.ParseDate(order.UpdatedAt) ?? since);
            }
        }
    }

    private bool ShouldRetry(CentraApiException ex) => ex.Kind switch
    {
        CentraFailureKind.RateLimited => (ex.RetryAfter ?? DefaultRetryAfter) <= _maxInProcessWait,
        CentraFailureKind.ServerError or CentraFailureKind.Timeout or CentraFailureKind.Connection => true,
        _ => false,
    };

    private async Task<OrdersData> QueryAsync(Integration integration, string operationName, string query, Dictionary<string, object> variables, CancellationToken cancellationToken)
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
            return await SendOnceAsync(request, body, operationName, ct);
        }, cancellationToken);
    }

    private async Task<OrdersData> SendOnceAsync(IFlurlRequest request, string body, string operationName, CancellationToken cancellationToken)
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
            GraphQlResponse<OrdersData>? parsed = null;
            try
            {
                parsed = string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<GraphQlResponse<OrdersData>>(text, Json);
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

            if (status is 401 or 403 || parsed?.Errors?.Any(e => e.Extensions?.Category is "authentication" or "authorization") == true)
                throw new CentraApiException(ErrorCodes.ShopAuthFailed,
                    $"Centra refused the API token for {operationName} (HTTP {status}): {messages}. The Integration API token may have expired (default 30 days), been revoked, or lack Order:read.",
                    CentraFailureKind.Unauthorized, status);

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
