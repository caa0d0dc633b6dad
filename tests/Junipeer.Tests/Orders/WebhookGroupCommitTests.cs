using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Functions.Webhooks;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>
/// Webhooks acknowledged together are written together (one intake message), fanned out to their
/// work queues, and every order is still invoiced exactly once. Azurite + the Sandbox.
/// </summary>
public class WebhookGroupCommitTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sixteen_concurrent_webhooks_cost_two_writes_and_every_order_is_invoiced_once()
    {
        var gate = new GatedQueue.Gate();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Services = s =>
            {
                s.AddSingleton(gate);
                s.AddSingleton<IWorkQueue>(sp => new GatedQueue(sp.GetRequiredService<QueueWorkQueue>(), gate));
            },
        });
        var numbers = Enumerable.Range(5101, 16).ToList();
        foreach (var n in numbers)
        {
            h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(n));
        }

        var intake = h.Services.GetRequiredService<GroupCommitIntakeQueue>();
        Task<WebhookResponse> Post(int n)
        {
            var body = EngineHarness.WebhookBody(n);
            return Task.Run(() => h.PostWebhookAsync(body, h.Sign(body)), Ct);
        }

        // The first webhook's write is held in flight (a slow storage round trip); the other 15 arrive meanwhile.
        var first = Post(numbers[0]);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var others = numbers.Skip(1).Select(Post).ToList();
        while (intake.Waiting < 15)
        {
            await Task.Delay(5, Ct); // synchronisation only: wait until all 15 are parked behind the held write
        }

        Assert.False(first.IsCompleted); // nobody is answered before their write
        Assert.All(others, t => Assert.False(t.IsCompleted));
        gate.Release.SetResult();
        var answers = await Task.WhenAll(others.Prepend(first));

        Assert.All(answers, a => Assert.Equal(202, a.Status));
        Assert.Equal(2, intake.Flushes);
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.OrdersQueue)); // the lone first webhook: straight to its queue
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.IntakeQueue)); // the 15 that waited: one message

        Assert.Equal(1, await h.FanOutIntakeAsync());
        Assert.Equal(16, await h.QueueLengthAsync(StorageNames.OrdersQueue));
        await h.DrainAsync();
        Assert.Equal(numbers.Select(n => $"CENTRA-{n}").Order(), h.Invoices.Select(i => i.CustomerRefNumber).Order());
    }

    [Fact]
    public async Task A_failed_batch_write_fails_every_webhook_in_it_and_their_retries_are_accepted()
    {
        var gate = new GatedQueue.Gate();
        var batchFaults = new FailingBatches.Switch { FailNext = 1 };
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Services = s =>
            {
                s.AddSingleton<IWorkQueue>(sp => new GatedQueue(sp.GetRequiredService<QueueWorkQueue>(), gate));
                s.AddSingleton<IWorkBatchQueue>(sp => new FailingBatches(sp.GetRequiredService<QueueWorkQueue>(), batchFaults));
            },
        });
        var intake = h.Services.GetRequiredService<GroupCommitIntakeQueue>();
        var numbers = new[] { 5201, 5202, 5203 };
        foreach (var n in numbers)
        {
            h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(n));
        }

        var bodies = numbers.Select(n => EngineHarness.WebhookBody(n)).ToList();
        var first = Task.Run(() => h.PostWebhookAsync(bodies[0], h.Sign(bodies[0])), Ct);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var second = Task.Run(() => h.PostWebhookAsync(bodies[1], h.Sign(bodies[1])), Ct);
        var third = Task.Run(() => h.PostWebhookAsync(bodies[2], h.Sign(bodies[2])), Ct);
        while (intake.Waiting < 2)
        {
            await Task.Delay(5, Ct); // synchronisation only
        }

        gate.Release.SetResult();
        Assert.Equal(202, (await first).Status);
        // Their shared write failed: neither is acknowledged (the host answers 500), so Centra retries both.
        await Assert.ThrowsAnyAsync<IOException>(() => second);
        await Assert.ThrowsAnyAsync<IOException>(() => third);
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.IntakeQueue));

        Assert.Equal(202, (await h.PostWebhookAsync(bodies[1], h.Sign(bodies[1]))).Status);
        Assert.Equal(202, (await h.PostWebhookAsync(bodies[2], h.Sign(bodies[2]))).Status);
        await h.DrainAsync();
        Assert.Equal(numbers.Select(n => $"CENTRA-{n}"), h.Invoices.Select(i => i.CustomerRefNumber).Order());
    }

    /// <summary>The real batch writer; the next N batch writes throw, as a storage outage would.</summary>
    private sealed class FailingBatches(IWorkBatchQueue inner, FailingBatches.Switch faults) : IWorkBatchQueue
    {
        public sealed class Switch
        {
            public int FailNext { get; set; }
        }

        public Task SendBatchAsync(WorkBatch batch, CancellationToken cancellationToken)
        {
            if (faults.FailNext > 0)
            {
                faults.FailNext--;
                throw new IOException("queue unavailable (injected)");
            }

            return inner.SendBatchAsync(batch, cancellationToken);
        }
    }

    [Fact]
    public async Task The_fan_out_hands_every_item_on_with_its_delay_and_the_poison_trigger_does_the_same()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var id = h.Integration.Id;
        var now = DateTimeOffset.UtcNow;
        var batch = new WorkBatch
        {
            Items =
            [
                new IntakeItem(WorkItem.ForOrder(id, "5301", WorkReasons.Webhook, "c1", now)),
                new IntakeItem(WorkItem.ForRefunds(id, "5301", WorkReasons.Webhook, "c2", now)),
                new IntakeItem(Junipeer.Core.Stock.StockHintHandler.Item(id, "c3", now), TimeSpan.FromMinutes(10)),
            ],
        };
        var body = System.Text.Json.JsonSerializer.Serialize(batch, Junipeer.Core.JunipeerJson.Options);

        await h.Function<IntakeFanOutFunction>().Run(body, Ct);
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.OrdersQueue));
        Assert.Equal(1, await h.QueueLengthAsync("refunds"));
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.StockHintsQueue)); // there, but invisible for its 10-minute delay
        Assert.Equal(1, (await h.Queue(StorageNames.StockHintsQueue).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);

        await h.Function<IntakePoisonFunction>().Run(body, Ct);
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task An_unreadable_intake_message_is_logged_with_its_code_and_completed()
    {
        var logs = new ListLoggerProvider();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Logs = logs });
        var handed = await IntakeFanOutFunction.FanOutAsync(h.Services.GetRequiredService<IWorkQueue>(),
            logs.CreateLogger<IntakeFanOutFunction>(), "{\"v\":1,\"kind\":\"order\"}", StorageNames.IntakeQueue, Ct);
        Assert.Equal(0, handed);
        Assert.Contains(logs.Messages, m => m.Contains(ErrorCodes.QueueMessageInvalid, StringComparison.Ordinal) && m.Contains("intake", StringComparison.Ordinal));
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    /// <summary>The real queue whose first enqueue is held in flight until the test releases it (a slow storage round trip).</summary>
    private sealed class GatedQueue(IWorkQueue inner, GatedQueue.Gate gate) : IWorkQueue
    {
        public sealed class Gate
        {
            private int _entered;

            public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public bool TakeFirst() => Interlocked.Exchange(ref _entered, 1) == 0;
        }

        public async Task EnqueueAsync(WorkItem item, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
        {
            if (gate.TakeFirst())
            {
                gate.Entered.SetResult();
                await gate.Release.Task;
            }

            await inner.EnqueueAsync(item, visibilityDelay, cancellationToken);
        }
    }
}
