using System.Text.Json;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <summary>
/// <c>junipeer demo --chaos</c>: the demo with every fault turned up — 500 orders (with their shipments
/// and the stock movements), 5 % Visma and Centra 5xx, 2 % committed-but-response-lost writes in both,
/// a 429 burst every few seconds, 30 % of webhooks and Visma signals dropped and 10 % sent twice, the
/// host SIGKILLed and restarted twice, storage wiped once. Counted afterwards in the emulators, like the
/// demo; <c>faults.injected</c> says how often each fault actually fired.
/// </summary>
public static class DemoChaos
{
    public static DemoOptions Apply(DemoOptions options) => options with
    {
        OrderCount = 500,
        WebhookDropRate = 0.30,
        WebhookDuplicateRate = 0.10,
        ShipmentSignalDropRate = 0.30,
        ShipmentSignalDuplicateRate = 0.10,
        Visma5xxRate = 0.05,
        VismaCommitThenDropRate = 0.02,
        Centra5xxRate = 0.05,
        CentraCommitThenDropRate = 0.02,
        Visma429Burst = 6,
        Visma429BurstEverySeconds = 10,
        HostKills = 2,
        StorageWipes = 1,
        Timeout = options.Timeout < TimeSpan.FromMinutes(15) ? TimeSpan.FromMinutes(15) : options.Timeout,
    };

    /// <summary>The demo's orders cycled to <paramref name="count"/>, each copy with its own number (the buyers repeat: known customers).</summary>
    public static List<CentraOrderSpec> Scale(List<CentraOrderSpec> template, int count)
    {
        if (count <= template.Count)
            return template.Take(Math.Max(1, count)).ToList();
        var next = template.Max(s => s.Number!.Value) + 1;
        var list = new List<CentraOrderSpec>(template);
        for (var i = template.Count; i < count; i++)
        {
            var copy = JsonSerializer.Deserialize<CentraOrderSpec>(JsonSerializer.Serialize(template[i % template.Count]))!;
            copy.Number = next++;
            copy.Id = null;
            list.Add(copy);
        }

        return list;
    }

    /// <summary>A 429 burst every <see cref="DemoOptions.Visma429BurstEverySeconds"/> until <paramref name="ct"/> ends (none when 0).</summary>
    public static async Task BurstsAsync(SandboxHost sandbox, DemoOptions options, CancellationToken ct)
    {
        if (options.Visma429BurstEverySeconds <= 0 || options.Visma429Burst <= 0)
            return;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Visma429BurstEverySeconds), ct);
                sandbox.State.Faults.Visma429Burst = options.Visma429Burst;
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    /// <summary>Counts per injected fault kind: what the emulators fired, plus the webhooks and signals dropped and duplicated.</summary>
    public static IReadOnlyDictionary<string, long> Injected(SandboxHost sandbox, WebhookResult webhooks, VismaWebhookResult signals, int hostKills, int storageWipes)
    {
        var counts = new SortedDictionary<string, long>(sandbox.State.Faults.Injected.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)
        {
            ["webhooksDropped"] = webhooks.Dropped.Count,
            ["webhooksDuplicated"] = webhooks.Duplicated.Count,
            ["signalsDropped"] = signals.Dropped.Count,
            ["signalsDuplicated"] = signals.Duplicated.Count,
            ["hostKills"] = hostKills,
            ["storageWipes"] = storageWipes,
        };
        return counts;
    }
}
