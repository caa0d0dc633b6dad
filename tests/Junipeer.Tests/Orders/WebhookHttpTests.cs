using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Functions.Orders;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Orders;

/// <summary>The webhook over real HTTP (Kestrel in the local host): chunked bodies and the body limit.</summary>
public class WebhookHttpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_413_without_the_server_waiting_for_the_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var env = await Env.StartAsync(azurite, ct);

        // Send the limit + 64 KiB as chunks, then stall without the final chunk. A server that reads
        // the whole body would wait for the rest forever; one that stops at the limit answers now.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(env.Host.BaseUri.Host, env.Host.BaseUri.Port, ct);
        var stream = tcp.GetStream();
        var head = $"POST /api/webhooks/centra/{env.Integration.Id} HTTP/1.1\r\nHost: {env.Host.BaseUri.Authority}\r\n"
                   + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                   + $"X-Centra-Signature: t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1=00\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        var payload = new byte[64 * 1024];
        payload.AsSpan().Fill((byte)'a');
        var chunk = Encoding.ASCII.GetBytes($"{payload.Length:x}\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        var sent = 0;
        while (sent <= CentraWebhookFunction.MaxBodyBytes + payload.Length)
        {
            await stream.WriteAsync(chunk, ct);
            sent += payload.Length;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var response = await ReadResponseAsync(stream, timeout.Token);
        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
        Assert.Contains($"\"code\":\"{ErrorCodes.WebhookBodyTooLarge}\"", response, StringComparison.Ordinal);
        Assert.Equal(0, await env.QueueLengthAsync());
    }

    [Fact]
    public async Task A_signed_chunked_body_under_the_limit_is_accepted_and_an_unknown_integration_looks_like_a_bad_signature()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var env = await Env.StartAsync(azurite, ct);
        var body = EngineHarness.WebhookBody(7101);
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body)> Post(string integrationId, string secret)
        {
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            // StreamContent without a length: HttpClient sends Transfer-Encoding: chunked.
            using var content = new StreamContent(new NonSeekable(Encoding.UTF8.GetBytes(body)));
            content.Headers.ContentType = new("application/x-www-form-urlencoded");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(env.Host.BaseUri, $"api/webhooks/centra/{integrationId}")) { Content = content };
            request.Headers.Add("X-Centra-Signature", $"t={t},v1={CentraSignature.Sign(secret, t, body)}");
            using var response = await http.SendAsync(request, ct);
            Assert.Null(request.Content.Headers.ContentLength);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        var accepted = await Post(env.Integration.Id, env.Secret);
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Contains("\"enqueued\":1", accepted.Body, StringComparison.Ordinal);

        var unknown = await Post("no-such-integration", env.Secret);
        var badSignature = await Post(env.Integration.Id, "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Equal(unknown, badSignature);
        Assert.Contains(ErrorCodes.WebhookSignatureInvalid, unknown.Body, StringComparison.Ordinal);
        Assert.Equal(1, await env.QueueLengthAsync());
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        while (true)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                return text.ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var s = text.ToString();
            var end = s.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 && s.IndexOf('}', end) >= 0)
            {
                return s;
            }
        }
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    private sealed class Env : IAsyncDisposable
    {
        public required SandboxHost Sandbox { get; init; }
        public required LocalFunctionsHost Host { get; init; }
        public required Integration Integration { get; init; }
        public required string Secret { get; init; }

        public static async Task<Env> StartAsync(AzuriteFixture azurite, CancellationToken ct)
        {
            var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
            var tenant = Guid.NewGuid().ToString();
            sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var id = "wh-" + Guid.NewGuid().ToString("N")[..10];
            var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                Port = 0,
                EnableQueues = false,
                EnableTimers = false,
                MinimumLogLevel = LogLevel.Warning,
                Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
                {
                    ["AzureWebJobsStorage"] = azurite.ConnectionString,
                    ["Junipeer:Storage:Prefix"] = "wh" + Guid.NewGuid().ToString("N")[..8],
                    ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                    [IntegrationRules.AllowLoopbackHttpKey] = "true",
                    [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
                    [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
                    [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = secret,
                },
            }, ct);
            var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant);
            await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
            return new Env { Sandbox = sandbox, Host = host, Integration = integration, Secret = secret };
        }

        public async Task<int> QueueLengthAsync()
        {
            var q = Host.Services.GetRequiredService<StorageClients>().Queue(StorageNames.OrdersQueue);
            await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
            return (await q.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value.Length;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Sandbox.DisposeAsync();
        }
    }
}
