using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Junipeer.Tests.Storage;

/// <summary>Table/queue adapters against Azurite: ETag leases, dedupe, key escaping, Base64 queue bodies.</summary>
public class StorageTests(AzuriteFixture azurite)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly string _integration = $"it-{Guid.NewGuid():N}"[..20];

    private StorageClients Clients() => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        [StorageClients.ConnectionName] = azurite.ConnectionString,
        [StorageClients.PrefixKey] = "t" + Guid.NewGuid().ToString("N")[..8],
    }).Build());

    private enum P
    {
        New,
        Attempted,
    }

    private ExactlyOnce Once(TableLedger ledger) => new(ledger, _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<ExactlyOnce>.Instance);

    [Fact]
    public async Task Only_one_of_many_concurrent_fences_wins_the_lease()
    {
        var ledger = new TableLedger(Clients());
        var key = new LedgerKey(_integration, Flows.Orders, "1001");
        var works = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Once(ledger).OpenAsync<P>(key, $"worker-{i}", "c", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken)));
        var results = await Task.WhenAll(works.Select(async w =>
        {
            try
            {
                await w.FenceAsync(P.Attempted, TestContext.Current.CancellationToken);
                return "won";
            }
            catch (LeaseHeldException)
            {
                return "held";
            }
        }));
        Assert.Equal(1, results.Count(r => r == "won"));
        Assert.Equal(9, results.Count(r => r == "held"));
    }

    [Fact]
    public async Task Expired_lease_can_be_taken_over_the_stale_owner_never_overwrites_and_done_rows_stay_done()
    {
        var ledger = new TableLedger(Clients());
        var key = new LedgerKey(_integration, Flows.Orders, "1002");
        var a = await Once(ledger).OpenAsync<P>(key, "a", "c1", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        await a.FenceAsync(P.Attempted, TestContext.Current.CancellationToken);
        var b = await Once(ledger).OpenAsync<P>(key, "b", "c2", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.True(b.HeldByOther);
        await Assert.ThrowsAsync<LeaseHeldException>(() => b.FenceAsync(P.Attempted, TestContext.Current.CancellationToken));

        _time.Advance(TimeSpan.FromMinutes(6));
        b = await Once(ledger).OpenAsync<P>(key, "b", "c2", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.False(b.HeldByOther);
        await b.FenceAsync(P.Attempted, TestContext.Current.CancellationToken);
        Assert.Equal(2, b.Entry.Attempts);

        // The first owner lost the row: its fence, its release and its fail write nothing.
        await Assert.ThrowsAsync<LeaseHeldException>(() => a.FenceAsync(P.Attempted, TestContext.Current.CancellationToken));
        await a.ReleaseAsync("X", "stale", TestContext.Current.CancellationToken);
        Assert.False(await a.FailAsync("X", "stale", TestContext.Current.CancellationToken));
        Assert.Equal("b", (await ledger.GetAsync(key, TestContext.Current.CancellationToken))!.LeaseOwner);

        b.Remember("invoice", "000123");
        await b.CompleteAsync(LedgerStatus.Done, TestContext.Current.CancellationToken);
        var again = await Once(ledger).OpenAsync<P>(key, "c", "c3", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.True(again.IsDone);
        Assert.Equal("000123", again.Document("invoice"));
    }

    [Fact]
    public async Task A_row_wiped_under_a_worker_is_not_recreated_by_its_stale_writes()
    {
        var clients = Clients();
        var ledger = new TableLedger(clients);
        var key = new LedgerKey(_integration, Flows.Orders, "1003");
        var a = await Once(ledger).OpenAsync<P>(key, "a", "c1", TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        await a.FenceAsync(P.Attempted, TestContext.Current.CancellationToken);

        await clients.Table(StorageNames.Ledger).DeleteEntityAsync(TableKeys.Partition(_integration, Flows.Orders), TableKeys.Encode("1003"), cancellationToken: TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<LeaseLostException>(() => a.CompleteAsync(LedgerStatus.Done, TestContext.Current.CancellationToken));
        Assert.Null(await ledger.GetAsync(key, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Inbox_accepts_an_event_once_and_keys_with_odd_characters_round_trip()
    {
        var clients = Clients();
        var inbox = new TableInbox(clients, _time);
        Assert.True(await inbox.TryAcceptAsync(_integration, "centra", "order|1|insert|2026", TestContext.Current.CancellationToken));
        Assert.False(await inbox.TryAcceptAsync(_integration, "centra", "order|1|insert|2026", TestContext.Current.CancellationToken));
        Assert.True(await inbox.TryAcceptAsync(_integration, "centra", "order|1|update|2026", TestContext.Current.CancellationToken));

        var mappings = new TableMappingStore(clients);
        const string odd = "a/b\\c#d?e~f@example.com";
        await mappings.SetAsync(_integration, MappingKinds.CustomerByEmail, odd, "10001", TestContext.Current.CancellationToken);
        Assert.Equal("10001", await mappings.GetAsync(_integration, MappingKinds.CustomerByEmail, odd, TestContext.Current.CancellationToken));
        Assert.Null(await mappings.GetAsync(_integration, MappingKinds.CustomerByEmail, "a/b", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Queue_bodies_are_Base64_as_the_Functions_trigger_expects()
    {
        var clients = Clients();
        var queue = new QueueWorkQueue(clients);
        await queue.EnqueueAsync(new WorkItem { Kind = WorkKinds.Order, IntegrationId = _integration, EntityKey = "7", Reason = "test", CorrelationId = "c" }, null, TestContext.Current.CancellationToken);

        var raw = clients.Queue(StorageNames.OrdersQueue, Azure.Storage.Queues.QueueMessageEncoding.None);
        var message = (await raw.ReceiveMessageAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;
        var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        var item = QueueWorkQueue.TryParse(decoded);
        Assert.NotNull(item);
        Assert.Equal("7", item.EntityKey);
        Assert.Null(QueueWorkQueue.TryParse("{\"v\":2}"));
        Assert.Null(QueueWorkQueue.TryParse("not json"));
    }

    [Fact]
    public async Task Token_store_writes_are_conditional()
    {
        var store = new TableTokenStore(Clients());
        var created = await store.TryWriteAsync(new TokenRecord { IntegrationId = _integration, System = "visma", AccessToken = "enc" }, TestContext.Current.CancellationToken);
        Assert.NotNull(created);
        Assert.Null(await store.TryWriteAsync(new TokenRecord { IntegrationId = _integration, System = "visma" }, TestContext.Current.CancellationToken)); // insert again: 409
        var updated = await store.TryWriteAsync(created with { RefreshLeaseOwner = "me" }, TestContext.Current.CancellationToken);
        Assert.NotNull(updated);
        Assert.Null(await store.TryWriteAsync(created with { RefreshLeaseOwner = "other" }, TestContext.Current.CancellationToken)); // stale ETag: 412
        Assert.Equal("me", (await store.GetAsync(_integration, "visma", TestContext.Current.CancellationToken))!.RefreshLeaseOwner);
    }

    [Fact]
    public async Task Inbox_purge_removes_only_old_dedupe_rows_of_that_integration()
    {
        var clients = Clients();
        var inbox = new TableInbox(clients, _time);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 120; i++)
        {
            Assert.True(await inbox.TryAcceptAsync(_integration, InboxSources.CentraWebhook, $"old-{i}", ct));
        }

        Assert.True(await inbox.TryAcceptAsync("other-integration", InboxSources.CentraWebhook, "old-0", ct));
        _time.Advance(TimeSpan.FromDays(8));
        Assert.True(await inbox.TryAcceptAsync(_integration, InboxSources.CentraWebhook, "new", ct));

        Assert.Equal(120, await inbox.PurgeAsync(_integration, InboxSources.CentraWebhook, _time.GetUtcNow() - InboxSources.Retention, ct));
        Assert.False(await inbox.TryAcceptAsync(_integration, InboxSources.CentraWebhook, "new", ct)); // recent row kept
        Assert.False(await inbox.TryAcceptAsync("other-integration", InboxSources.CentraWebhook, "old-0", ct)); // other integration untouched
        Assert.True(await inbox.TryAcceptAsync(_integration, InboxSources.CentraWebhook, "old-5", ct)); // purged, accepted again
    }
}
