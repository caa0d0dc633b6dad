using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Sandbox;

public class WebhookSandboxTests
{
    [Fact]
    public void Sign_matches_the_documented_known_answer()
    {
        const string body = "payload=%7B%22x%22%3A%22test%22%7D";
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("test123"), Encoding.UTF8.GetBytes("12345678." + body)));

        Assert.Equal(expected, CentraSignature.Sign("test123", 12345678, body));
        Assert.Equal(64, expected.Length);
        Assert.True(CentraSignature.Verify("test123", "t=12345678,v1=" + expected, body));
        Assert.False(CentraSignature.Verify("other", "t=12345678,v1=" + expected, body));
        Assert.False(CentraSignature.Verify("test123", "t=12345679,v1=" + expected, body));
    }

    [Fact]
    public async Task Sender_posts_signed_form_webhooks_with_deterministic_drops_and_duplicates()
    {
        await using var kit = await StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var numbers = Enumerable.Range(100, 20).ToList();

        using var response = await kit.Http.PostAsJsonAsync("_sandbox/centra/webhooks", new
        {
            targetUrl = receiver.Url,
            secret = "whsec",
            orderNumbers = numbers,
            action = "insert",
            dropRate = 0.3,
            duplicateRate = 0.3,
            seed = 7,
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ObjectAsync(response);
        var delivered = result["delivered"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();
        var dropped = result["dropped"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();
        var duplicated = result["duplicated"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();
        var statuses = result["statuses"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();

        Assert.Equal(20, delivered.Count + dropped.Count);
        Assert.NotEmpty(dropped);
        Assert.NotEmpty(duplicated);
        Assert.Empty(delivered.Intersect(dropped));
        Assert.Equal(delivered.Count + duplicated.Count, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(200, s));

        // The receiver saw exactly those posts, each correctly signed over the raw body at the fake clock's t.
        var received = receiver.Received.ToList();
        Assert.Equal(statuses.Count, received.Count);
        var t = kit.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.All(received, r =>
        {
            Assert.Equal("application/x-www-form-urlencoded", r.ContentType);
            Assert.StartsWith("payload=", r.Body, StringComparison.Ordinal);
            Assert.Equal($"t={t.ToString(CultureInfo.InvariantCulture)},v1={CentraSignature.Sign("whsec", t, r.Body)}", r.Signature);
        });
        var ids = received.Select(r => JsonNode.Parse(Uri.UnescapeDataString(r.Body["payload=".Length..]))!["events"]![0]!)
            .Select(e => (Type: e["type"]!.GetValue<string>(), Action: e["action"]!.GetValue<string>(), Id: e["id"]!.GetValue<int>()))
            .ToList();
        Assert.All(ids, e => Assert.Equal(("order", "insert"), (e.Type, e.Action)));
        Assert.Equal(delivered.Concat(duplicated).Order(), ids.Select(e => e.Id).Order());

        // Same seed, same outcome (typed API).
        var again = await kit.Host.SendWebhooksAsync(new WebhookRequest
        {
            TargetUrl = receiver.Url,
            Secret = "whsec",
            OrderNumbers = numbers,
            DropRate = 0.3,
            DuplicateRate = 0.3,
            Seed = 7,
        }, Ct);
        Assert.Equal(dropped, again.Dropped);
        Assert.Equal(duplicated, again.Duplicated);
    }

    [Fact]
    public async Task Sender_reports_receiver_statuses_and_unreachable_targets()
    {
        await using var kit = await StartAsync();
        await using var receiver = await Receiver.StartAsync(status: 503);
        var failing = await kit.Host.SendWebhooksAsync(new WebhookRequest { TargetUrl = receiver.Url, Secret = "s", OrderNumbers = [1, 2] }, Ct);
        Assert.Equal([503, 503], failing.Statuses);
        Assert.Empty(failing.Dropped);

        var unreachable = await kit.Host.SendWebhooksAsync(new WebhookRequest { TargetUrl = "http://127.0.0.1:1/hook", Secret = "s", OrderNumbers = [3] }, Ct);
        var only = Assert.Single(unreachable.Deliveries);
        Assert.Equal(0, only.Status);
        Assert.NotNull(only.Error);
    }

    private sealed record Received(string Body, string? Signature, string? ContentType);

    /// <summary>A throwaway loopback endpoint recording what the sender posts.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public ConcurrentQueue<Received> Received { get; } = new();

        public static async Task<Receiver> StartAsync(int status = 200)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            Receiver? self = null;
            app.MapPost("/hook", async ctx =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                var body = await reader.ReadToEndAsync(ctx.RequestAborted);
                self!.Received.Enqueue(new Received(body, ctx.Request.Headers["X-Centra-Signature"], ctx.Request.ContentType));
                ctx.Response.StatusCode = status;
            });
            await app.StartAsync(Ct);
            var address = app.Urls.First();
            self = new Receiver(app, address.TrimEnd('/') + "/hook");
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
