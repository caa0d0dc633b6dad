using System.Text.Json;
using Azure.Storage.Queues;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.LocalHost;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junipeer.Tests.Cli;

/// <summary>A queue function whose every invocation waits for the test to let it finish.</summary>
public sealed class SlowQueueFunction(SlowGate gate)
{
    [Function("Slow")]
    public async Task Run([QueueTrigger("slow")] string message, CancellationToken cancellationToken)
    {
        gate.Started(message);
        await gate.Release.WaitAsync(cancellationToken);
    }
}

public sealed class SlowGate
{
    private int _started;

    public SemaphoreSlim Release { get; } = new(0);

    public int StartedCount => Volatile.Read(ref _started);

    public void Started(string message) => Interlocked.Increment(ref _started);
}

/// <summary>The local host's pieces against Azurite: queue refill per host.json, NCRONTAB schedules, the Functions build output.</summary>
public class LocalHostPartsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Queue_pump_fetches_the_next_batch_when_in_flight_drops_to_newBatchThreshold_not_after_the_whole_batch()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = "qp" + Guid.NewGuid().ToString("N")[..8];
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix,
        }).Build();
        var clients = new StorageClients(config);
        var queue = clients.Queue("slow");
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        for (var i = 0; i < 10; i++)
        {
            await queue.SendMessageAsync($"m{i}", ct);
        }

        var gate = new SlowGate();
        await using var services = new ServiceCollection().AddSingleton(gate).BuildServiceProvider();
        var method = typeof(SlowQueueFunction).GetMethod(nameof(SlowQueueFunction.Run))!;
        var function = new FunctionDescriptor("Slow", typeof(SlowQueueFunction), method, TriggerKind.Queue, "slow", []);
        var settings = new QueueHostSettings { BatchSize = 4, NewBatchThreshold = 2, MaxPollingInterval = TimeSpan.FromMilliseconds(200) };
        using var pump = new QueuePump(function, clients, settings, services, TimeProvider.System, NullLogger<QueuePump>.Instance, config);
        await pump.StartAsync(ct);
        try
        {
            await Eventually.TrueAsync(() => gate.StartedCount == 4, TimeSpan.FromSeconds(20));
            Assert.Equal(4, pump.InFlight);

            // One finishes: 3 in flight > threshold 2, so nothing new is fetched.
            gate.Release.Release();
            await Eventually.TrueAsync(() => pump.Processed == 1, TimeSpan.FromSeconds(20));
            Assert.Equal(1, pump.Fetches);
            Assert.Equal(4, gate.StartedCount);

            // A second finishes: 2 in flight = threshold, the next batch comes while two of the first still run.
            gate.Release.Release();
            await Eventually.TrueAsync(() => gate.StartedCount == 8, TimeSpan.FromSeconds(20));
            Assert.Equal(2, pump.Fetches);
            Assert.Equal(6, pump.InFlight);

            gate.Release.Release(8);
            await Eventually.TrueAsync(() => pump.Processed == 10, TimeSpan.FromSeconds(30));
            Assert.Equal(6, pump.MaxInFlight); // never more than batchSize + newBatchThreshold
            Assert.Equal(2, pump.NewBatchThreshold);
        }
        finally
        {
            gate.Release.Release(100);
            await pump.StopAsync(CancellationToken.None);
        }

        Assert.Equal(2, new QueuePump(function, clients, new QueueHostSettings { BatchSize = 4 }, services, TimeProvider.System, NullLogger<QueuePump>.Instance).NewBatchThreshold);
        Assert.Equal(2, QueueHostSettings.Load(Path.Combine(AzuriteRunner.RepositoryRoot(), "host.json")).NewBatchThreshold);
    }

    [Fact]
    public void Timer_schedules_are_six_field_NCRONTAB_like_the_host_and_five_fields_are_refused()
    {
        var every5s = TimerPump.Parse("*/5 * * * * *");
        var from = new DateTime(2026, 3, 1, 12, 0, 2, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 3, 1, 12, 0, 5, DateTimeKind.Utc), every5s.GetNextOccurrence(from));
        Assert.Equal(new DateTime(2026, 3, 1, 12, 5, 0, DateTimeKind.Utc), TimerPump.Parse("0 */5 * * * *").GetNextOccurrence(from));
        Assert.Contains("six fields", Assert.Throws<InvalidOperationException>(() => TimerPump.Parse("*/5 * * * *")).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid", Assert.Throws<InvalidOperationException>(() => TimerPump.Parse("61 * * * * *")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_build_output_holds_host_json_and_local_settings_for_func_start_script_root()
    {
        var output = Directory.GetDirectories(Path.Combine(AzuriteRunner.RepositoryRoot(), "src", "Junipeer.Functions", "bin"))
            .Select(c => Path.Combine(c, "net10.0")).First(Directory.Exists);
        var root = AzuriteRunner.RepositoryRoot();
        Assert.Equal(File.ReadAllText(Path.Combine(root, "host.json")), File.ReadAllText(Path.Combine(output, "host.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(root, "local.settings.sample.json")), File.ReadAllText(Path.Combine(output, "local.settings.sample.json")));
        var expected = File.Exists(Path.Combine(root, "local.settings.json")) ? "local.settings.json" : "local.settings.sample.json";
        Assert.Equal(File.ReadAllText(Path.Combine(root, expected)), File.ReadAllText(Path.Combine(output, "local.settings.json")));

        // What Core Tools loads from a script root: the worker config and the function metadata the Worker SDK generated.
        Assert.True(File.Exists(Path.Combine(output, "worker.config.json")));
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "functions.metadata")));
        Assert.Equal(["CentraWebhook", "ConsoleBackfill", "ConsoleEntity", "ConsoleEvents", "ConsoleFailed", "ConsoleIntegrations", "ConsoleOverview", "ConsolePage", "ConsoleReplayPoison", "ConsoleRetry", "ConsoleRetryFailed", "ConsoleScript", "ConsoleSession", "ConsoleSignIn", "ConsoleSignOut", "OrderPoison", "OrderSweep", "OrderSync", "PayoutSync", "ShipmentPoison", "ShipmentSweep", "ShipmentSync", "StockSync", "VismaWebhook"],
            metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }
}
