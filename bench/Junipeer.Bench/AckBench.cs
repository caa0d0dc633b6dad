using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Connectors.Centra;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Junipeer.Bench;

/// <summary>
/// Webhook acknowledgement latency over real HTTP (Kestrel on loopback) against Azurite: signed
/// Centra webhooks, one new order each, with 1 and with 16 concurrent senders. Two paths in the same
/// run on the same services:
///   baseline: the previous intake (uncached table read of the integration, inbox insert, then enqueue),
///             kept here as <see cref="LegacyIntake"/> and served by a second Kestrel app;
///   current:  the CentraWebhook function as the local Functions host serves it (cached integration,
///             signature first, one enqueue, group-committed with the webhooks that arrive while another's
///             write is in flight: see GroupCommitIntakeQueue).
/// Usage: dotnet run -c Release --project bench/Junipeer.Bench -- --mode ack [--requests 400]
/// </summary>
public static class AckBench
{
    public static async Task<int> RunAsync(int requests, CancellationToken ct)
    {
        await using var azurite = await AzuriteRunner.StartAsync(m => Console.Error.WriteLine(m), ct);
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = false, // measure the acknowledgement, not the order sync
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Error,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "a" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true",
                [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretName}"] = secret,
            },
        }, ct);
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl);
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);

        await using var legacy = await LegacyIntake.StartAsync(host.Services, ct);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var current = new Uri(host.BaseUri, $"api/webhooks/centra/{integration.Id}");
        var baseline = new Uri(legacy.BaseUri, $"api/webhooks/centra/{integration.Id}");

        var next = 1_000_000;
        int Next() => Interlocked.Increment(ref next);
        // Warm both paths (JIT, connections, tables and queue created).
        await MeasureAsync(http, baseline, secret, 50, 4, Next, ct);
        await MeasureAsync(http, current, secret, 50, 4, Next, ct);

        // The floors, measured in the same run: the same enqueue the intake does (IWorkQueue → Azurite), with no
        // HTTP; and the HTTP path with no storage (an unsigned webhook is answered 401 before any storage call).
        var workQueue = host.Services.GetRequiredService<IWorkQueue>();
        await MeasureEnqueueAsync(workQueue, integration.Id, 50, 4, Next, ct);

        var table = new Table().Title($"[bold]Webhook acknowledgement[/]: {requests} signed webhooks per row, Azurite + Kestrel on loopback, {Environment.ProcessorCount} cores")
            .AddColumns("senders", "path", "p50 ms", "p99 ms", "max ms", "requests/s", "storage writes / webhook", "p99 vs baseline");
        var intake = host.Services.GetRequiredService<GroupCommitIntakeQueue>();
        var ok = true;
        var p99s = new Dictionary<int, double>();
        foreach (var senders in new[] { 1, 16 })
        {
            foreach (var (name, uri, signed) in new[]
            {
                ("baseline (inbox + enqueue, uncached)", baseline, true),
                ("current (cached, group-committed enqueue)", current, true),
                ("floor: HTTP only (unsigned → 401, no storage)", current, false),
                ("floor: Azurite enqueue only (no HTTP)", (Uri?)null, true),
            })
            {
                var flushesBefore = intake.Flushes;
                var r = uri is null
                    ? await MeasureEnqueueAsync(workQueue, integration.Id, requests, senders, Next, ct)
                    : await MeasureAsync(http, uri, signed ? secret : null, requests, senders, Next, ct);
                if (name.StartsWith("baseline", StringComparison.Ordinal))
                    p99s[senders] = r.P99;
                // Durable writes per acknowledged webhook: the legacy intake writes an inbox row and a message; the
                // current one writes one message per flush of the group commit (one webhook, or all that waited).
                var writes = name.StartsWith("baseline", StringComparison.Ordinal) ? "2.00"
                    : name.StartsWith("current", StringComparison.Ordinal) ? ((double)(intake.Flushes - flushesBefore) / requests).ToString("0.00", CultureInfo.InvariantCulture)
                    : uri is null ? "1.00" : "0";
                table.AddRow(senders.ToString(CultureInfo.InvariantCulture), name, F(r.P50), F(r.P99), F(r.Max), F(r.PerSecond), writes, (r.P99 / p99s[senders]).ToString("0.00", CultureInfo.InvariantCulture) + "×");
                ok &= r.Failures == 0;
                if (r.Failures > 0)
                {
                    AnsiConsole.MarkupLine($"[red]{r.Failures} requests were not answered as expected on {name}[/]");
                }
            }
        }

        AnsiConsole.Write(table);
        return ok ? 0 : 1;
    }

    private sealed record Stats(double P50, double P99, double Max, double PerSecond, int Failures);

    private static async Task<Stats> MeasureAsync(HttpClient http, Uri uri, string? secret, int requests, int senders, Func<int> nextOrder, CancellationToken ct)
    {
        var latencies = new double[requests];
        var index = -1;
        var failures = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref index)) < requests)
            {
                var body = Body(nextOrder());
                var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
                if (secret is not null)
                {
                    request.Headers.Add(CentraWebhookVerifier.HeaderName, $"t={t},v1={CentraSignature.Sign(secret, t, body)}");
                }

                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                latencies[i] = clock.Elapsed.TotalMilliseconds;
                if ((int)response.StatusCode != (secret is null ? 401 : 202))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, ct)));
        var seconds = wall.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Stats(Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], requests / seconds, failures);
    }

    /// <summary>The intake's one durable write on its own: <see cref="IWorkQueue.EnqueueAsync"/> to Azurite, no HTTP in front.</summary>
    private static async Task<Stats> MeasureEnqueueAsync(IWorkQueue queue, string integrationId, int requests, int senders, Func<int> nextOrder, CancellationToken ct)
    {
        var latencies = new double[requests];
        var index = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref index)) < requests)
            {
                var clock = Stopwatch.StartNew();
                await queue.EnqueueAsync(WorkItem.ForOrder(integrationId, nextOrder().ToString(CultureInfo.InvariantCulture), WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", DateTimeOffset.UtcNow), null, ct);
                latencies[i] = clock.Elapsed.TotalMilliseconds;
            }
        }, ct)));
        var seconds = wall.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Stats(Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], requests / seconds, 0);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Body(int order) =>
        "payload=" + Uri.EscapeDataString($"{{\"events\":[{{\"type\":\"order\",\"action\":\"insert\",\"date\":\"2026-05-04 10:15:22.113000\",\"id\":{order}}}]}}");

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The intake as it was before the fast path, for the baseline only: uncached table read of the
    /// integration, signature check, inbox insert per event, then the enqueue (two durable writes,
    /// and the inbox mark came first). Served by its own Kestrel app on the same services.
    /// </summary>
    private sealed class LegacyIntake : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LegacyIntake(WebApplication app) => _app = app;

        public Uri BaseUri => new(_app.Urls.First());

        public static async Task<LegacyIntake> StartAsync(IServiceProvider services, CancellationToken ct)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var table = services.GetRequiredService<TableIntegrationStore>();
            var secrets = services.GetRequiredService<ISecretResolver>();
            var inbox = services.GetRequiredService<IInbox>();
            var queue = services.GetRequiredService<IWorkQueue>();
            var verifier = services.GetRequiredService<CentraWebhookVerifier>();
            var options = services.GetRequiredService<IOptions<JunipeerOptions>>();
            app.MapPost("/api/webhooks/centra/{integrationId}", async (HttpContext ctx, string integrationId) =>
            {
                using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
                var raw = await reader.ReadToEndAsync(ctx.RequestAborted);
                var integration = await table.GetAsync(integrationId, ctx.RequestAborted);
                if (integration?.Shop.Centra is not { } centra)
                {
                    return Results.StatusCode(404);
                }

                var check = verifier.Verify(ctx.Request.Headers[CentraWebhookVerifier.HeaderName].ToString(), raw, secrets.TryResolve(centra.WebhookSecretName) ?? "", null, options.Value.Webhooks.ToleranceSeconds);
                var parsed = CentraWebhookPayload.Parse(raw);
                if (!check.IsValid || !parsed.Success)
                {
                    return Results.StatusCode(check.IsValid ? 400 : 401);
                }

                var enqueued = 0;
                foreach (var e in parsed.Events)
                {
                    if (await inbox.TryAcceptAsync(integration.Id, InboxSources.CentraWebhook, $"order|{e.Id}|{e.Action}|{e.Date}", ctx.RequestAborted))
                    {
                        await queue.EnqueueAsync(WorkItem.ForOrder(integration.Id, e.Id, WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", DateTimeOffset.UtcNow), null, ctx.RequestAborted);
                        enqueued++;
                    }
                }

                return Results.Json(new { events = parsed.Events.Count, enqueued }, statusCode: 202);
            });
            await app.StartAsync(ct);
            return new LegacyIntake(app);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
