using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using Flurl.Http;
using Junipeer.Core.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Junipeer.Connectors.VismaNet;

/// <summary>A successful Visma response, read fully.</summary>
internal sealed record VismaHttpResponse(int StatusCode, string Body, string? Location, int? RateLimitRemaining, int? RateLimitResetSeconds)
{
    /// <summary>The ETag header (version of the resource), when sent.</summary>
    public string? ETag { get; init; }
}

/// <summary>
/// One HTTP attempt plus the resilience pipelines around it (Polly wraps the Flurl call: option C).
/// Reads retry on 5xx, timeouts, connection failures and short 429s. Writes retry only on short 429s
/// and on connections that were never opened: a timeout or 5xx on a create is never retried, the
/// caller looks the document up by reference on its next attempt.
/// </summary>
internal sealed class VismaHttp
{
    /// <summary>Largest Retry-After kept on an exception (the queue's re-enqueue delay).</summary>
    public static readonly TimeSpan MaxReportedRetryAfter = TimeSpan.FromHours(1);

    /// <summary>Used when a 429 carries no Retry-After.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public VismaHttp(TimeProvider time, TimeSpan maxInProcessWait, ILogger logger)
    {
        _time = time;
        _logger = logger;
        MaxInProcessWait = maxInProcessWait;
        ReadPipeline = Build(idempotent: true);
        WritePipeline = Build(idempotent: false);
    }

    public TimeSpan MaxInProcessWait { get; }
    public ResiliencePipeline ReadPipeline { get; }
    public ResiliencePipeline WritePipeline { get; }

    public bool ShouldRetry(VismaNetApiException ex, bool idempotent) => ex.Kind switch
    {
        VismaFailureKind.RateLimited => (ex.RetryAfter ?? DefaultRetryAfter) <= MaxInProcessWait,
        VismaFailureKind.ConnectionNotSent => true,
        VismaFailureKind.ServerError or VismaFailureKind.Timeout or VismaFailureKind.ConnectionLost => idempotent,
        _ => false,
    };

    private ResiliencePipeline Build(bool idempotent) =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(400),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is VismaNetApiException ex && ShouldRetry(ex, idempotent)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is VismaNetApiException { Kind: VismaFailureKind.RateLimited } rl
                        ? rl.RetryAfter ?? DefaultRetryAfter
                        : (TimeSpan?)null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is VismaNetApiException ex)
                        _logger.LogWarning("Visma.net call failed ({Kind}, HTTP {Status}); retry {Attempt} in {Delay}", ex.Kind, ex.StatusCode, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>Sends once; non-2xx answers and transport failures become <see cref="VismaNetApiException"/>.</summary>
    public async Task<VismaHttpResponse> SendOnceAsync(IFlurlRequest request, HttpMethod method, HttpContent? content, VismaOperation operation, CancellationToken cancellationToken, Action<int?, int?>? onRateLimitHeaders = null)
    {
        IFlurlResponse response;
        try
        {
            response = await request.AllowAnyHttpStatus().SendAsync(method, content, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (FlurlHttpTimeoutException ex)
        {
            throw VismaNetErrors.Timeout(operation, ex);
        }
        catch (FlurlHttpException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw VismaNetErrors.Connection(operation, WasNeverSent(ex), ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw VismaNetErrors.Connection(operation, WasNeverSent(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw VismaNetErrors.Timeout(operation, ex);
        }

        using (response)
        {
            var status = response.StatusCode;
            var body = await response.GetStringAsync() ?? "";
            var remaining = HeaderInt(response, "X-RateLimit-Remaining");
            var reset = HeaderInt(response, "X-RateLimit-Reset");
            if (remaining is not null || reset is not null)
            {
                _logger.LogDebug("Visma.net rate limit: remaining {Remaining}, reset in {Reset} s", remaining, reset);
                onRateLimitHeaders?.Invoke(remaining, reset);
            }

            if (status is >= 200 and < 300)
                return new VismaHttpResponse(status, body, Header(response, "Location"), remaining, reset) { ETag = Header(response, "ETag") };

            TimeSpan? retryAfter = null;
            if (status == 429)
                retryAfter = RetryAfter.Parse(Header(response, "Retry-After"), _time.GetUtcNow(), MaxReportedRetryAfter) ?? DefaultRetryAfter;
            var error = VismaNetErrors.FromStatus(operation, status, body, retryAfter);
            _logger.LogDebug("Visma.net {Operation} answered {Status} (VismaId {VismaId})", operation, status, error.VismaId);
            throw error;
        }
    }

    public static string? Header(IFlurlResponse response, string name) =>
        response.Headers.TryGetFirst(name, out var value) ? value : null;

    private static int? HeaderInt(IFlurlResponse response, string name) =>
        int.TryParse(Header(response, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>True when the failure happened while opening the connection, so nothing reached the server.</summary>
    internal static bool WasNeverSent(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
                return true;
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                return true;
        }

        return false;
    }
}
