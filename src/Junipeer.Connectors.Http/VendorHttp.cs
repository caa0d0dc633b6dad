using System.Net.Http;
using System.Net.Sockets;
using Flurl.Http;
using Junipeer.Core.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Junipeer.Connectors.Http;

/// <summary>
/// The HTTP plumbing every connector shares: one attempt (Flurl) mapped to <see cref="VendorResponse"/>
/// or <see cref="ConnectorException"/>, wrapped in Polly retry pipelines with one set of rules:
/// <list type="bullet">
/// <item>reads (idempotent) retry on 5xx, timeouts, broken connections and short 429s;</item>
/// <item>writes retry only when the request provably did not take effect: a short 429 or a connection
/// that never opened. A timeout or 5xx on a create is never retried here; the flow resolves it by a
/// deterministic key or the document's status on its next attempt;</item>
/// <item>a 429's Retry-After (seconds, HTTP date, ISO or Unix time) is the delay; a wait longer than
/// <see cref="MaxInProcessWait"/> is not slept out but surfaces (the queue re-enqueues with it);</item>
/// <item>rate-limit headers, when the vendor sends them, close a <see cref="RateLimitWindow"/> per key.</item>
/// </list>
/// </summary>
public sealed class VendorHttp
{
    private readonly VendorProfile _profile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _reads;
    private readonly ResiliencePipeline _writes;

    public VendorHttp(VendorProfile profile, TimeProvider time, TimeSpan maxInProcessWait, ILogger logger, int maxRetryAttempts = 3)
    {
        _profile = profile;
        _time = time;
        _logger = logger;
        MaxInProcessWait = maxInProcessWait;
        Window = new RateLimitWindow(time);
        _reads = Build(idempotent: true, maxRetryAttempts);
        _writes = Build(idempotent: false, maxRetryAttempts);
    }

    public VendorProfile Profile => _profile;

    /// <summary>Longest wait slept out in process (Retry-After or a closed window).</summary>
    public TimeSpan MaxInProcessWait { get; }

    public RateLimitWindow Window { get; }

    public bool ShouldRetry(ConnectorException ex, bool idempotent) => ex.Kind switch
    {
        FailureKind.RateLimited => (ex.RetryAfter ?? _profile.DefaultRetryAfter) <= MaxInProcessWait,
        FailureKind.ConnectionNotSent => true,
        FailureKind.ServerError or FailureKind.Timeout or FailureKind.ConnectionLost => idempotent,
        _ => false,
    };

    public ResiliencePipeline Pipeline(bool idempotent) => idempotent ? _reads : _writes;

    /// <summary>
    /// Sends with the retry rules. <paramref name="request"/> builds a fresh request per attempt
    /// (headers such as a bearer token may change), <paramref name="content"/> a fresh body.
    /// <paramref name="windowKey"/> names the rate-limit window the call counts against, if any.
    /// </summary>
    public Task<VendorResponse> SendAsync(
        Func<IFlurlRequest> request,
        HttpMethod method,
        Func<HttpContent?> content,
        string operation,
        bool idempotent,
        CancellationToken cancellationToken,
        string? windowKey = null) =>
        Pipeline(idempotent).ExecuteAsync(async ct =>
        {
            if (windowKey is not null)
                await WaitForWindowAsync(windowKey, operation, ct);
            return await SendOnceAsync(request(), method, content(), operation, ct, windowKey);
        }, cancellationToken).AsTask();

    /// <summary>
    /// A read whose body is consumed as a stream (large files: reports), never held whole: the
    /// request is sent with response-headers-read, a non-success answer is read and mapped like any
    /// other, a success hands the open body to <paramref name="consume"/>. The whole read (send and
    /// consume) is retried by the read rules; a connection that breaks while the body streams is
    /// <see cref="FailureKind.ConnectionLost"/>.
    /// </summary>
    public Task<T> ReadStreamAsync<T>(Func<IFlurlRequest> request, string operation, Func<Stream, CancellationToken, Task<T>> consume, CancellationToken cancellationToken) =>
        _reads.ExecuteAsync(async ct =>
        {
            using var response = await SendCoreAsync(request(), HttpMethod.Get, null, HttpCompletionOption.ResponseHeadersRead, operation, ct);
            if (response.StatusCode is < 200 or >= 300)
                throw await MapFailureAsync(response, operation);
            try
            {
                await using var body = await response.GetStreamAsync();
                return await consume(body, ct);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw _profile.Transport(operation, FailureKind.ConnectionLost, ex);
            }
        }, cancellationToken).AsTask();

    private async Task<IFlurlResponse> SendCoreAsync(IFlurlRequest request, HttpMethod method, HttpContent? content, HttpCompletionOption completion, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await request.AllowAnyHttpStatus().SendAsync(method, content, completion, cancellationToken);
        }
        catch (FlurlHttpTimeoutException ex)
        {
            throw _profile.Transport(operation, FailureKind.Timeout, ex);
        }
        catch (FlurlHttpException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _profile.Transport(operation, WasNeverSent(ex) ? FailureKind.ConnectionNotSent : FailureKind.ConnectionLost, ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _profile.Transport(operation, WasNeverSent(ex) ? FailureKind.ConnectionNotSent : FailureKind.ConnectionLost, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw _profile.Transport(operation, FailureKind.Timeout, ex);
        }
    }

    private async Task<ConnectorException> MapFailureAsync(IFlurlResponse response, string operation)
    {
        var answer = new VendorResponse(response.StatusCode, await response.GetStringAsync() ?? "", response.Headers.Select(h => (h.Name, h.Value)).ToList());
        TimeSpan? retryAfter = null;
        if (answer.StatusCode == 429)
            retryAfter = RetryAfter.Parse(answer.Header("Retry-After"), _time.GetUtcNow(), _profile.MaxRetryAfter) ?? _profile.DefaultRetryAfter;
        var error = _profile.FromResponse(operation, answer, retryAfter);
        _logger.LogDebug("{Vendor} {Operation} answered {Status} ({Code})", _profile.Name, operation, answer.StatusCode, error.Code);
        return error;
    }

    /// <summary>Sends once. Non-success answers go through the profile's mapping; transport failures are classified here.</summary>
    public async Task<VendorResponse> SendOnceAsync(IFlurlRequest request, HttpMethod method, HttpContent? content, string operation, CancellationToken cancellationToken, string? windowKey = null)
    {
        var response = await SendCoreAsync(request, method, content, HttpCompletionOption.ResponseContentRead, operation, cancellationToken);
        VendorResponse answer;
        using (response)
        {
            var body = await response.GetStringAsync() ?? "";
            var headers = response.Headers.Select(h => (h.Name, h.Value)).ToList();
            answer = new VendorResponse(response.StatusCode, body, headers);
        }

        if (_profile.RateLimitHeaders is var (remainingHeader, resetHeader) && windowKey is not null)
        {
            var remaining = answer.HeaderInt(remainingHeader);
            var reset = answer.HeaderInt(resetHeader);
            if (remaining is not null || reset is not null)
            {
                _logger.LogDebug("{Vendor} rate limit: remaining {Remaining}, reset in {Reset} s", _profile.Name, remaining, reset);
                Window.Observe(windowKey, remaining, reset);
            }
        }

        if (answer.IsSuccess)
            return answer;

        TimeSpan? retryAfter = null;
        if (answer.StatusCode == 429)
            retryAfter = RetryAfter.Parse(answer.Header("Retry-After"), _time.GetUtcNow(), _profile.MaxRetryAfter) ?? _profile.DefaultRetryAfter;
        var error = _profile.FromResponse(operation, answer, retryAfter);
        _logger.LogDebug("{Vendor} {Operation} answered {Status} ({Code})", _profile.Name, operation, answer.StatusCode, error.Code);
        throw error;
    }

    /// <summary>True when the failure happened while opening the connection, so nothing reached the server.</summary>
    public static bool WasNeverSent(Exception ex)
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

    private async Task WaitForWindowAsync(string key, string operation, CancellationToken cancellationToken)
    {
        var wait = Window.Wait(key);
        if (wait <= TimeSpan.Zero)
            return;
        if (wait > MaxInProcessWait)
            throw _profile.WindowUsedUp(operation, wait);
        _logger.LogDebug("{Vendor} rate-limit window used up; waiting {Wait} for the reset", _profile.Name, wait);
        await Task.Delay(wait, _time, cancellationToken);
    }

    private ResiliencePipeline Build(bool idempotent, int maxRetryAttempts) =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(400),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is ConnectorException ex && ShouldRetry(ex, idempotent)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ConnectorException { Kind: FailureKind.RateLimited } rl
                        ? rl.RetryAfter ?? _profile.DefaultRetryAfter
                        : (TimeSpan?)null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is ConnectorException ex)
                        _logger.LogWarning("{Vendor} call failed ({Kind}, HTTP {Status}); retry {Attempt} in {Delay}", _profile.Name, ex.Kind, ex.StatusCode, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
}
