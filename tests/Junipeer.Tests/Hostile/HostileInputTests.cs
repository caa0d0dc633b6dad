using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Hostile;

/// <summary>
/// The hostile-input suite: every row of <see cref="HostileCases"/> against the running host over real
/// HTTP (webhooks), the handlers (emulator garbage, hostile order contents, forged queue messages), the
/// settings store and the CLI. Each row must give its documented outcome and code, enqueue exactly what
/// it documents (nothing for a rejection), create nothing in the emulators unless the row says so, and
/// leave B's rows untouched. <see cref="Good_traffic_completes_while_hostile_traffic_runs"/> shows the
/// system keeps processing other work meanwhile.
/// </summary>
public sealed class HostileInputTests(HostileEnv env) : IClassFixture<HostileEnv>
{
    public static TheoryData<string> CaseNames => new(HostileCases.All.Select(c => c.Name));

    [Fact]
    public void The_suite_has_at_least_sixty_distinct_cases_across_every_surface()
    {
        Assert.True(HostileCases.All.Count >= 60, $"{HostileCases.All.Count} cases");
        Assert.Equal(HostileCases.All.Count, HostileCases.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        var surfaces = HostileCases.All.Select(c => c.Surface).ToHashSet(StringComparer.Ordinal);
        foreach (var s in new[] { "Centra webhook", "Visma webhook", "Visma responses", "Centra responses", "Order contents", "Settings", "CLI", "Queue messages", "Tenant isolation" })
            Assert.Contains(s, surfaces);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_hostile_input_gets_its_documented_answer_and_creates_nothing(string name)
    {
        var hostile = HostileCases.All.Single(c => c.Name == name);
        await env.ClearQueuesAsync();
        var invoicesBefore = env.AllInvoices;
        var customersBefore = env.State.Visma.Customers(env.A.Tenant).Count + env.State.Visma.Customers(env.B.Tenant).Count;
        var bLedgerBefore = (await env.RowsAsync(StorageNames.Ledger, env.B)).Count;

        var observed = await hostile.Act(env);

        Assert.Equal((hostile.Outcome, hostile.Code), (observed.Outcome, observed.Code));
        if (hostile.Orders is { } orders)
            Assert.Equal(orders, await env.QueueLengthAsync(StorageNames.OrdersQueue));
        if (hostile.Shipments is { } shipments)
            Assert.Equal(shipments, await env.QueueLengthAsync(StorageNames.ShipmentsQueue));
        Assert.Equal(invoicesBefore + hostile.Invoices, env.AllInvoices);
        if (hostile.Invoices == 0)
            Assert.Equal(customersBefore, env.State.Visma.Customers(env.A.Tenant).Count + env.State.Visma.Customers(env.B.Tenant).Count);
        if (hostile.Surface != "Tenant isolation")
            Assert.Equal(bLedgerBefore, (await env.RowsAsync(StorageNames.Ledger, env.B)).Count);
        Assert.Empty(env.State.NShift.Bookings);
        Assert.Equal(0, await env.QueueLengthAsync(StorageNames.OrdersPoisonQueue));
    }

    [Fact]
    public async Task Good_traffic_completes_while_hostile_traffic_runs()
    {
        var ct = TestContext.Current.CancellationToken;
        var good = Enumerable.Range(0, 12).Select(_ => env.AddOrder()).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // Hostile senders: every HTTP row of the table, over and over, from 4 concurrent loops.
        var http = HostileCases.All.Where(c => c.Surface is "Centra webhook" or "Visma webhook" && c.Outcome != "202").ToList();
        var rejected = 0;
        var hostile = Enumerable.Range(0, 4).Select(k => Task.Run(async () =>
        {
            var i = k;
            while (!stop.IsCancellationRequested)
            {
                var c = http[i++ % http.Count];
                var o = await c.Act(env);
                Assert.Equal((c.Outcome, c.Code), (o.Outcome, o.Code));
                Interlocked.Increment(ref rejected);
            }
        }, ct)).ToList();

        // Good work: signed webhooks for the good orders, then each enqueued order handled.
        await env.ClearQueuesAsync();
        foreach (var n in good)
        {
            var body = EngineHarness.WebhookBody(n);
            var accepted = await env.CentraWebhookAsync(env.A, body, HostileEnv.CentraSign(env.A.CentraSecret, body));
            Assert.Equal("202", accepted.Outcome);
        }

        var messages = await env.QueueMessagesAsync(StorageNames.OrdersQueue);
        var keys = messages.Select(m => QueueWorkQueue.TryParse(m)!).Where(w => w.IntegrationId == env.A.Id).Select(w => w.EntityKey).ToHashSet(StringComparer.Ordinal);
        Assert.All(good, n => Assert.Contains(n.ToString(System.Globalization.CultureInfo.InvariantCulture), keys));
        foreach (var n in good)
            Assert.Equal("Done", (await env.HandleOrderAsync(env.A, n)).Outcome);

        await stop.CancelAsync();
        await Task.WhenAll(hostile);
        Assert.All(good, n => Assert.Equal(1, env.InvoicesFor(env.A, n)));
        Assert.True(rejected >= http.Count, $"only {rejected} hostile requests were sent");
    }
}
