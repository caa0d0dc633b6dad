using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junipeer.Tests.Rails;

/// <summary>The exactly-once mechanism on its own: in-memory ledger, fake time, a fake remote side.</summary>
public sealed class ExactlyOnceTests
{
    private enum Phase
    {
        New,
        CreateAttempted,
        ReleaseAttempted,
        Released,
    }

    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(300);
    private readonly VirtualTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLedger _ledger = new();
    private readonly LedgerKey _key = new("acme", Flows.Orders, "1001");
    private readonly List<string> _documents = [];
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public ExactlyOnceTests()
    {
        // An established ledger (the storage epoch is a day old); the tests about a lost ledger remove it.
        StorageEpoch.SetAsync(_ledger, "acme", _time.GetUtcNow().AddDays(-1), _ct).GetAwaiter().GetResult();
        _ledger.ResetWrites();
    }

    private ExactlyOnce Once => new(_ledger, _time, NullLogger<ExactlyOnce>.Instance);

    private Task<Work<Phase>> OpenAsync(string owner) => Once.OpenAsync<Phase>(_key, owner, "corr", Hold, _ct);

    private Task<CreateOutcome> CreateAsync(Work<Phase> work, Func<Task<string>>? create = null) => work.CreateOnceAsync(
        "doc",
        Phase.CreateAttempted,
        findExisting: () => Task.FromResult<IReadOnlyList<string>>(_documents.ToList()),
        create: create ?? (() =>
        {
            var id = "D" + (_documents.Count + 1);
            _documents.Add(id);
            return Task.FromResult(id);
        }),
        duplicates: found => new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder, $"{found.Count} documents"),
        _ct);

    [Fact]
    public async Task On_a_ledger_lost_moments_ago_a_fresh_row_creates_nothing_until_a_lease_has_passed_but_adopts_what_it_finds()
    {
        _ledger.Remove(StorageEpoch.Key("acme")); // the ledger was lost

        var a = await OpenAsync("A");
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => CreateAsync(a));
        Assert.Equal(ErrorCodes.LedgerEpochUnsettled, ex.Code);
        Assert.Equal(Hold, ex.RetryAfter);
        Assert.Empty(_documents);

        _documents.Add("D-LATE"); // the create sent before the loss lands
        var b = await OpenAsync("B");
        Assert.Equal(new CreateOutcome("D-LATE", Recovered: true), await CreateAsync(b));

        _documents.Clear();
        _time.Advance(Hold);
        var c = await OpenAsync("C");
        Assert.Equal(new CreateOutcome("D1", Recovered: false), await CreateAsync(c));
    }

    [Fact]
    public async Task A_row_born_after_storage_was_lost_still_looks_up_first_on_its_next_attempt_after_a_release_before_the_create()
    {
        // Found by the chaos run: after a wipe, a shipment's new row was released (Centra 5xx) before the booking;
        // the retry saw an existing row, trusted it and booked with nShift a second time.
        _documents.Add("D-BEFORE-THE-WIPE");
        var a = await OpenAsync("A");
        Assert.True(a.IsFresh);
        await a.FenceAsync(null, _ct);
        await a.ReleaseAsync(ErrorCodes.ShopUnavailable, "Centra answered 503 before anything was sent", _ct);

        var b = await OpenAsync("B");
        Assert.True(b.IsFresh); // the row exists now, but it still cannot vouch for the remote side
        var outcome = await b.CreateOnceAsync("doc", Phase.CreateAttempted,
            findExisting: () => Task.FromResult<IReadOnlyList<string>>(_documents.ToList()),
            create: () => throw new InvalidOperationException("must not create"),
            duplicates: f => new InvalidOperationException(), _ct,
            precheck: b.IsFresh ? () => Task.FromResult<IReadOnlyList<string>?>(null) : null);
        Assert.Equal(new CreateOutcome("D-BEFORE-THE-WIPE", Recovered: true), outcome);
        Assert.Single(_documents);
    }

    [Fact]
    public async Task On_a_young_ledger_a_row_released_before_its_create_still_adopts_what_landed()
    {
        _ledger.Remove(StorageEpoch.Key("acme")); // the ledger was lost
        var a = await OpenAsync("A");
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => CreateAsync(a));
        Assert.Equal(ErrorCodes.LedgerEpochUnsettled, ex.Code);
        await a.ReleaseAsync(ex.Code, ex.Message, _ct);

        _documents.Add("D-LATE"); // the create sent before the loss lands
        var b = await OpenAsync("B");
        Assert.Equal(new CreateOutcome("D-LATE", Recovered: true), await CreateAsync(b));
        Assert.Single(_documents);
    }

    [Fact]
    public async Task A_worker_whose_lease_lapsed_before_its_write_is_fenced_off_and_never_sends()
    {
        // Worker A opens the row and is slow before its create (e.g. a slow customer step).
        var a = await OpenAsync("A");
        await a.FenceAsync(null, _ct);
        _time.Advance(Hold + TimeSpan.FromSeconds(1));

        // Worker B finds the lease lapsed, takes the row and creates the document.
        var b = await OpenAsync("B");
        Assert.False(b.HeldByOther);
        await CreateAsync(b);
        await b.CompleteAsync(LedgerStatus.Done, _ct);

        // A's fence before its create fails: it sends nothing and writes nothing.
        var sent = false;
        await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync(a, () => { sent = true; return Task.FromResult("X"); }));
        Assert.False(sent);
        Assert.Single(_documents);
        var row = (await _ledger.GetAsync(_key, _ct))!;
        Assert.Equal(LedgerStatus.Done, row.Status);
        Assert.Equal("D1", row.Document("doc"));
        await a.ReleaseAsync("X", "late", _ct);
        Assert.False(await a.FailAsync("X", "late", _ct));
        Assert.Equal(LedgerStatus.Done, (await _ledger.GetAsync(_key, _ct))!.Status);
    }

    [Fact]
    public async Task The_fence_right_before_a_slow_write_holds_the_row_past_the_original_lease()
    {
        var a = await OpenAsync("A");
        await a.FenceAsync(null, _ct);
        _time.Advance(TimeSpan.FromSeconds(290)); // slow work before the write

        // The create's own fence renews the lease for longer than the write's timeout; the write is slow.
        var b = default(Work<Phase>);
        await CreateAsync(a, async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(60)); // the POST takes a minute: the first lease (300 s) has lapsed
            b = await OpenAsync("B");
            return "D1";
        });
        Assert.True(b!.HeldByOther);
        await Assert.ThrowsAsync<LeaseHeldException>(() => CreateAsync(b));
        Assert.Empty(_documents);
        await a.CompleteAsync(LedgerStatus.Done, _ct);
        Assert.Equal("D1", (await _ledger.GetAsync(_key, _ct))!.Document("doc"));
    }

    [Fact]
    public async Task A_create_whose_response_was_lost_is_found_by_its_key_not_created_again()
    {
        var a = await OpenAsync("A");
        await Assert.ThrowsAsync<TimeoutException>(() => CreateAsync(a, () =>
        {
            _documents.Add("D1"); // committed remotely, response lost
            throw new TimeoutException();
        }));
        await a.ReleaseAsync(ErrorCodes.ErpUnavailable, "timeout", _ct);
        Assert.Equal(nameof(Phase.CreateAttempted), (await _ledger.GetAsync(_key, _ct))!.Phase);

        var b = await OpenAsync("B");
        var outcome = await CreateAsync(b);
        Assert.Equal(new CreateOutcome("D1", Recovered: true), outcome);
        Assert.Single(_documents);
    }

    [Fact]
    public async Task A_release_whose_response_was_lost_is_resolved_by_the_documents_status_whatever_the_error_says()
    {
        var released = 0;
        var statusReads = 0;
        var a = await OpenAsync("A");
        await CreateAsync(a);
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => throw new JunipeerException(ErrorCodes.ErpUnavailable, "the status read fails too"),
            act: () =>
            {
                released++;
                throw new InvalidOperationException("some wording nobody has confirmed");
            }, _ct));
        await a.ReleaseAsync(ErrorCodes.ErpUnavailable, "lost", _ct);

        var b = await OpenAsync("B");
        await b.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => { statusReads++; return Task.FromResult(released > 0); },
            act: () => { released++; return Task.CompletedTask; }, _ct);
        Assert.Equal(1, released);
        Assert.Equal(1, statusReads);
        Assert.True(b.Reached(Phase.Released));
    }

    [Fact]
    public async Task A_refused_action_whose_document_status_shows_it_done_is_accepted_in_the_same_attempt()
    {
        var released = 0;
        var a = await OpenAsync("A");
        await CreateAsync(a);
        await a.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => Task.FromResult(released > 0),
            act: () =>
            {
                released++; // it happened, then the answer said otherwise in words nobody has confirmed
                throw new JunipeerException(ErrorCodes.ErpRequestRejected, "Document is in a state that does not allow this");
            }, _ct);
        Assert.True(a.Reached(Phase.Released));
        Assert.Equal(1, released);
    }

    [Fact]
    public async Task A_refused_action_whose_document_is_not_done_fails_with_the_vendors_error()
    {
        var a = await OpenAsync("A");
        await CreateAsync(a);
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => a.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => Task.FromResult(false),
            act: () => throw new JunipeerException(ErrorCodes.ErpRequestRejected, "Document is out of balance."), _ct));
        Assert.Equal(ErrorCodes.ErpRequestRejected, ex.Code);
        Assert.False(a.Reached(Phase.Released));
    }

    [Fact]
    public async Task A_release_that_did_not_happen_is_sent_again_after_the_status_check()
    {
        var released = 0;
        var a = await OpenAsync("A");
        await CreateAsync(a);
        await Assert.ThrowsAsync<TimeoutException>(() => a.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => Task.FromResult(released > 0), act: () => throw new TimeoutException(), _ct));
        await a.ReleaseAsync(ErrorCodes.ErpUnavailable, "timeout", _ct);

        var b = await OpenAsync("B");
        await b.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released,
            isDone: () => Task.FromResult(released > 0), act: () => { released++; return Task.CompletedTask; }, _ct);
        Assert.Equal(1, released);
    }

    [Fact]
    public async Task A_request_refused_before_sending_takes_its_attempted_phase_back_and_costs_no_lookup_later()
    {
        var lookups = 0;
        var a = await OpenAsync("A");
        await Assert.ThrowsAsync<JunipeerException>(() => a.CreateOnceAsync("doc", Phase.CreateAttempted,
            findExisting: () => { lookups++; return Task.FromResult<IReadOnlyList<string>>([]); },
            create: () => throw new JunipeerException(ErrorCodes.ErpRateLimited, "budget used up") { RetryAfter = TimeSpan.FromSeconds(30) },
            duplicates: f => new InvalidOperationException(), _ct));
        await a.ReleaseAsync(ErrorCodes.ErpRateLimited, "later", _ct);
        Assert.Equal(nameof(Phase.New), (await _ledger.GetAsync(_key, _ct))!.Phase);

        var b = await OpenAsync("B");
        await b.CreateOnceAsync("doc", Phase.CreateAttempted,
            findExisting: () => { lookups++; return Task.FromResult<IReadOnlyList<string>>([]); },
            create: () => Task.FromResult("D1"), duplicates: f => new InvalidOperationException(), _ct);
        Assert.Equal(0, lookups);
    }

    [Fact]
    public async Task An_unknown_stored_phase_is_an_error_not_before()
    {
        var a = await OpenAsync("A");
        await a.FenceAsync(Phase.CreateAttempted, _ct);
        _ledger.SetPhase(_key, "InvoiceSentToMars");
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => OpenAsync("B"));
        Assert.Equal(ErrorCodes.LedgerPhaseUnknown, ex.Code);
        Assert.Contains("InvoiceSentToMars", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_ride_on_the_next_write_so_create_and_release_cost_three_ledger_writes()
    {
        var a = await OpenAsync("A");
        await CreateAsync(a);
        await a.ActOnceAsync(Phase.ReleaseAttempted, Phase.Released, () => Task.FromResult(false), () => Task.CompletedTask, _ct);
        await a.CompleteAsync(LedgerStatus.Done, _ct);
        Assert.Equal(3, _ledger.Writes); // create attempted (takes the lease), release attempted (+ the id), done
        var row = (await _ledger.GetAsync(_key, _ct))!;
        Assert.Equal("D1", row.Document("doc"));
        Assert.Equal(nameof(Phase.Released), row.Phase);
        Assert.Null(row.LeaseOwner);
    }

    [Fact]
    public async Task Poison_never_overwrites_a_row_another_worker_holds_or_a_done_row()
    {
        var a = await OpenAsync("A");
        await a.FenceAsync(Phase.CreateAttempted, _ct);
        var (entry, written) = await Once.FailUnheldAsync(_key, ErrorCodes.PoisonMessage, _ => "poison", _ct);
        Assert.False(written);
        Assert.Equal(LedgerStatus.InProgress, entry!.Status);

        await a.CompleteAsync(LedgerStatus.Done, _ct);
        (entry, written) = await Once.FailUnheldAsync(_key, ErrorCodes.PoisonMessage, _ => "poison", _ct);
        Assert.False(written);
        Assert.Equal(LedgerStatus.Done, entry!.Status);
    }
}
