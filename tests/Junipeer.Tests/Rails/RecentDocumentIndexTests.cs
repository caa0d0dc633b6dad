using Junipeer.Core.Sync;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junipeer.Tests.Rails;

public sealed class RecentDocumentIndexTests
{
    private static readonly IndexPolicy Policy = new(TimeSpan.FromSeconds(15), TimeSpan.FromDays(35), TimeSpan.FromSeconds(60));
    private readonly VirtualTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLedger _ledger = new();
    private readonly List<IndexedDocument> _erp = [];
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private int _deltaCalls;

    private RecentDocumentIndex Index() => new(_ledger, _time, NullLogger<RecentDocumentIndex>.Instance);

    private Task<(IndexAnswer Answer, string? Number)> LookupAsync(RecentDocumentIndex index, string reference, DateTimeOffset? orderDate = null) =>
        index.LookupAsync("acme", "invoice", reference, orderDate ?? _time.GetUtcNow().AddHours(-1), Policy, (since, _) =>
        {
            _deltaCalls++;
            return Task.FromResult<IReadOnlyList<IndexedDocument>>(_erp.Where(d => d.LastModified >= since).ToList());
        }, _ct);

    [Fact]
    public async Task In_an_established_epoch_one_delta_read_answers_many_orders()
    {
        await StorageEpoch.SetAsync(_ledger, "acme", _time.GetUtcNow().AddDays(-3), _ct);
        _erp.Add(new("CENTRA-1", "000001", _time.GetUtcNow().AddDays(-1)));
        var index = Index();

        Assert.Equal((IndexAnswer.Found, "000001"), await LookupAsync(index, "CENTRA-1"));
        for (var i = 2; i < 50; i++)
            Assert.Equal(IndexAnswer.Absent, (await LookupAsync(index, $"CENTRA-{i}")).Answer);
        Assert.Equal(1, _deltaCalls);

        _time.Advance(TimeSpan.FromSeconds(16));
        _erp.Add(new("CENTRA-77", "000077", _time.GetUtcNow()));
        Assert.Equal((IndexAnswer.Found, "000077"), await LookupAsync(index, "CENTRA-77"));
        Assert.Equal(2, _deltaCalls);
    }

    [Fact]
    public async Task Right_after_storage_is_lost_the_index_cannot_vouch_until_a_create_sent_before_the_loss_must_have_landed()
    {
        var index = Index();
        // No epoch: storage is new or was lost. A create sent before the loss may still land.
        Assert.Equal(IndexAnswer.Unknown, (await LookupAsync(index, "CENTRA-5")).Answer);
        _erp.Add(new("CENTRA-5", "000005", _time.GetUtcNow().AddSeconds(20)));

        _time.Advance(Policy.WriteTimeout + RecentDocumentIndex.Skew + TimeSpan.FromSeconds(1));
        Assert.Equal((IndexAnswer.Found, "000005"), await LookupAsync(index, "CENTRA-5"));
        Assert.Equal(IndexAnswer.Absent, (await LookupAsync(index, "CENTRA-6")).Answer);
    }

    [Fact]
    public async Task Orders_older_than_the_window_are_unknown_so_the_caller_asks_the_erp()
    {
        await StorageEpoch.SetAsync(_ledger, "acme", _time.GetUtcNow().AddDays(-100), _ct);
        var index = Index();
        Assert.Equal(IndexAnswer.Unknown, (await LookupAsync(index, "CENTRA-9", _time.GetUtcNow().AddDays(-40))).Answer);
        Assert.Equal(IndexAnswer.Absent, (await LookupAsync(index, "CENTRA-9", _time.GetUtcNow().AddDays(-2))).Answer);
    }

    [Fact]
    public async Task Losing_the_ledger_table_alone_starts_a_new_epoch_so_absent_is_not_trusted()
    {
        await StorageEpoch.SetAsync(_ledger, "acme", _time.GetUtcNow().AddDays(-3), _ct);
        Assert.Equal(IndexAnswer.Absent, (await LookupAsync(Index(), "CENTRA-1")).Answer);

        _ledger.Wipe(); // the Ledger table is lost; checkpoints and everything else survive
        Assert.Equal(IndexAnswer.Unknown, (await LookupAsync(Index(), "CENTRA-1")).Answer);
    }

    [Fact]
    public async Task A_delta_that_could_not_be_read_completely_answers_unknown_and_is_read_again_from_the_same_point()
    {
        await StorageEpoch.SetAsync(_ledger, "acme", _time.GetUtcNow().AddDays(-3), _ct);
        var index = Index();
        var sinces = new List<DateTimeOffset>();
        var fail = true;
        Task<IReadOnlyList<IndexedDocument>> Delta(DateTimeOffset since, CancellationToken _)
        {
            sinces.Add(since);
            if (fail)
                throw new Junipeer.Core.Errors.JunipeerException(Junipeer.Core.Errors.ErrorCodes.ErpLookupIncomplete, "the total changed while paging");
            return Task.FromResult<IReadOnlyList<IndexedDocument>>([]);
        }

        var first = await index.LookupAsync("acme", "invoice", "CENTRA-1", _time.GetUtcNow().AddHours(-1), Policy, Delta, _ct);
        Assert.Equal(IndexAnswer.Unknown, first.Answer);

        fail = false;
        var second = await index.LookupAsync("acme", "invoice", "CENTRA-1", _time.GetUtcNow().AddHours(-1), Policy, Delta, _ct);
        Assert.Equal(IndexAnswer.Absent, second.Answer);
        Assert.Equal(2, sinces.Count);
        Assert.Equal(sinces[0], sinces[1]); // the failed read did not move the window on
    }
}
