using Junipeer.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>
/// The exactly-once mechanism every flow uses. A flow opens its ledger row, then runs its external
/// writes through <see cref="Work{TPhase}"/>:
/// <list type="number">
/// <item>the lease is taken lazily by the first <em>fence</em> and renewed by every later one: a
/// conditional write on the held ETag right before each external write, holding the row for longer
/// than that write's timeout; a 412 aborts without writing anything;</item>
/// <item>the fence also persists the "attempted" phase, so after an uncertain outcome the next
/// attempt resolves it by a deterministic key (lookup) or the document's status — never by error
/// wording, never by a blind second POST;</item>
/// <item>a request that was provably not sent (refused by the client's own rate-limit budget, or
/// answered 429) puts the phase back, so it costs no lookup later;</item>
/// <item>results are kept in memory and written with the next fence or the completion (a crash in
/// between is resolved by the attempted phase), so a step costs one ledger write, not two;</item>
/// <item>every ledger write, including release, fail and poison, is conditional: a worker that lost
/// the row never overwrites it.</item>
/// </list>
/// </summary>
public sealed class ExactlyOnce(ISyncLedger ledger, TimeProvider time, ILogger<ExactlyOnce> logger)
{
    /// <summary>
    /// Reads the row (or starts an unsaved one). Does not lease it: the first fence does, so a work
    /// item that only reads never writes the ledger.
    /// </summary>
    public async Task<Work<TPhase>> OpenAsync<TPhase>(LedgerKey key, string owner, string? correlationId, TimeSpan hold, CancellationToken ct)
        where TPhase : struct, Enum
    {
        var entry = await ledger.GetAsync(key, ct) ?? new LedgerEntry { Key = key, Phase = "", CorrelationId = correlationId };
        return new Work<TPhase>(ledger, time, logger, entry, owner, correlationId, hold);
    }

    /// <summary>
    /// Marks a row Failed from outside any worker (the poison path), conditionally: a Done row, a row
    /// whose live lease another worker holds, or a row that changes while we look is left as it is.
    /// Returns the row as it ends up (null when there is none), and whether this call wrote it.
    /// </summary>
    public async Task<(LedgerEntry? Entry, bool Written)> FailUnheldAsync(LedgerKey key, string code, Func<LedgerEntry, string> message, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.GetUtcNow();
            var entry = await ledger.GetAsync(key, ct) ?? new LedgerEntry { Key = key, Phase = "", UpdatedAt = now };
            if (entry.Status == LedgerStatus.Done || entry.LeasedByOther("", now))
                return (entry, false);
            try
            {
                var text = message(entry);
                var saved = await ledger.SaveAsync(entry with
                {
                    Status = LedgerStatus.Failed,
                    LeaseOwner = null,
                    LeaseUntil = null,
                    ErrorCode = code,
                    ErrorMessage = text.Length <= 2000 ? text : text[..2000],
                    UpdatedAt = now,
                }, ct);
                return (saved, true);
            }
            catch (LedgerConflictException)
            {
                logger.LogInformation("{Flow} {EntityKey} changed while being marked failed; reading it again", key.Flow, key.EntityKey);
            }
        }

        return (await ledger.GetAsync(key, ct), false);
    }
}

/// <summary>The id of a document <see cref="Work{TPhase}.CreateOnceAsync"/> made sure of; Recovered when it was found, not created.</summary>
public sealed record CreateOutcome(string Id, bool Recovered);

/// <summary>Another worker holds a live lease on the row; come back after <see cref="LeaseUntil"/>.</summary>
public sealed class LeaseHeldException(LedgerKey key, DateTimeOffset? leaseUntil)
    : Exception($"{key.Flow} {key.EntityKey} is being synced by another worker until {leaseUntil:O}.")
{
    public LedgerKey Key { get; } = key;
    public DateTimeOffset? LeaseUntil { get; } = leaseUntil;
}

/// <summary>The row changed under this worker (another worker took it over, or storage was wiped): stop without writing.</summary>
public sealed class LeaseLostException(LedgerKey key, string why)
    : Exception($"Lost the ledger row of {key.Flow} {key.EntityKey}: {why}. Nothing more is written by this attempt.")
{
    public LedgerKey Key { get; } = key;
}

/// <summary>
/// One work item's ledger row while a worker acts on it. <typeparamref name="TPhase"/> is the flow's
/// phase sequence (an enum in order); an unknown stored phase is an error, never "before".
/// </summary>
public sealed class Work<TPhase>
    where TPhase : struct, Enum
{
    private readonly ISyncLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly string? _correlationId;
    private readonly TimeSpan _hold;
    private readonly bool _openedFresh;

    internal Work(ISyncLedger ledger, TimeProvider time, ILogger logger, LedgerEntry entry, string owner, string? correlationId, TimeSpan hold)
    {
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _owner = owner;
        _correlationId = correlationId;
        _hold = hold;
        // A row that did not exist cannot vouch that nothing was sent for its item (first attempt, or storage
        // lost). That stays true for its later attempts too: the row keeps a fact saying so (written with its
        // first write), so a retry after a release that came before any create still looks up first.
        _openedFresh = entry.ETag is null || entry.Facts.ContainsKey(BornUnvouchedFact);
        if (entry.ETag is null)
            entry = entry with { Facts = new Dictionary<string, string>(entry.Facts, StringComparer.Ordinal) { [BornUnvouchedFact] = "1" } };
        Entry = entry;
        Phase = Parse(entry);
    }

    /// <summary>The row as this worker knows it (in-memory results included).</summary>
    public LedgerEntry Entry { get; private set; }

    public LedgerKey Key => Entry.Key;

    /// <summary>How far the effect got.</summary>
    public TPhase Phase { get; private set; }

    /// <summary>Fact kept on a row that was new when first opened: it cannot vouch for what the remote side holds.</summary>
    public const string BornUnvouchedFact = "bornUnvouched";

    /// <summary>
    /// True when the row cannot vouch that nothing was sent for the item: no row existed when it was first opened
    /// (first attempt, or storage lost), also on the row's later attempts. Callers look the document up before a create.
    /// </summary>
    public bool IsFresh => _openedFresh;

    public bool IsDone => Entry.Status == LedgerStatus.Done;

    /// <summary>True when this worker holds the lease (it fenced at least once and has not lost the row).</summary>
    public bool IsLeased { get; private set; }

    public bool Reached(TPhase phase) => Compare(Phase, phase) >= 0;

    /// <summary>Another worker holds a live lease right now.</summary>
    public bool HeldByOther => Entry.LeasedByOther(_owner, _time.GetUtcNow());

    public string? Document(string step) => Entry.Document(step);

    /// <summary>Keeps a fact (written with the next ledger write).</summary>
    public void Note(string key, string value) =>
        Entry = Entry with { Facts = new Dictionary<string, string>(Entry.Facts, StringComparer.Ordinal) { [key] = value } };

    /// <summary>Keeps several facts (written with the next ledger write).</summary>
    public void Note(IReadOnlyDictionary<string, string> facts)
    {
        var merged = new Dictionary<string, string>(Entry.Facts, StringComparer.Ordinal);
        foreach (var (k, v) in facts)
            merged[k] = v;
        Entry = Entry with { Facts = merged };
    }

    /// <summary>Keeps a document id known from elsewhere (written with the next ledger write).</summary>
    public void Remember(string step, string id) => Entry = Entry.WithDocument(step, id);

    /// <summary>Records a phase reached in memory (written with the next ledger write).</summary>
    public void Advance(TPhase phase)
    {
        if (Compare(phase, Phase) > 0)
        {
            Phase = phase;
            Entry = Entry with { Phase = phase.ToString() };
        }
    }

    /// <summary>
    /// The fence: a conditional write on the held ETag that (re)takes the lease for
    /// <c>hold</c> (longer than any single external write's timeout — validated at start-up) and
    /// persists <paramref name="attempted"/> plus everything kept in memory. Call it right before
    /// an external write. Throws <see cref="LeaseHeldException"/> when another worker holds a live
    /// lease and <see cref="LeaseLostException"/> when the row changed under this worker.
    /// </summary>
    public async Task FenceAsync(TPhase? attempted, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (!IsLeased && Entry.LeasedByOther(_owner, now))
            throw new LeaseHeldException(Key, Entry.LeaseUntil);
        if (Entry.Status == LedgerStatus.Done)
            throw new LeaseLostException(Key, "the row is already Done");

        var next = Entry with
        {
            Status = LedgerStatus.InProgress,
            LeaseOwner = _owner,
            LeaseUntil = now + _hold,
            Attempts = IsLeased ? Entry.Attempts : Entry.Attempts + 1,
            CorrelationId = _correlationId ?? Entry.CorrelationId,
            UpdatedAt = now,
        };
        if (attempted is { } a && Compare(a, Phase) > 0)
            next = next with { Phase = a.ToString() };

        await WriteAsync(next, ct);
        IsLeased = true;
        if (attempted is { } p)
            Advance(p);
    }

    /// <summary>
    /// One non-idempotent create, exactly once. When the document is already known, returns it.
    /// When an earlier attempt may have reached the ERP (phase is <paramref name="attempted"/>) it
    /// looks the document up by its deterministic key first. Otherwise <paramref name="precheck"/>
    /// (when given) answers from cheaper knowledge — e.g. an index of recent ERP documents for a
    /// row that cannot vouch for the ERP because storage was lost — or returns null to ask for the
    /// authoritative lookup. An empty answer from it vouches for absence, including creates that were
    /// in flight when storage was lost (the index answers so only once a lease has passed since the
    /// storage epoch began), so it needs no second epoch check. One match is adopted,
    /// several are reported by <paramref name="duplicates"/>. Otherwise fences with the attempted
    /// phase and creates. The new id is kept in memory under <paramref name="step"/>.
    /// </summary>
    public async Task<CreateOutcome> CreateOnceAsync(
        string step,
        TPhase attempted,
        Func<Task<IReadOnlyList<string>>> findExisting,
        Func<Task<string>> create,
        Func<IReadOnlyList<string>, Exception> duplicates,
        CancellationToken ct,
        Func<Task<IReadOnlyList<string>?>>? precheck = null)
    {
        if (Document(step) is { } known)
            return new CreateOutcome(known, Recovered: false);

        IReadOnlyList<string>? found = null;
        DateTimeOffset? youngUntil = null;
        var vouchedAbsent = false;
        if (Equals(Phase, attempted))
        {
            found = await findExisting();
        }
        else if (precheck is not null)
        {
            var cheap = await precheck();
            vouchedAbsent = cheap is { Count: 0 };
            found = cheap ?? await findExisting();
        }
        else if (_openedFresh && (youngUntil = await YoungEpochUntilAsync(ct)) is not null)
        {
            found = await findExisting(); // storage was lost: the ERP may hold the document already
        }

        if (found is { Count: > 1 })
            throw duplicates(found);
        if (found is { Count: 1 })
        {
            _logger.LogInformation("Recovered {Step} {Id} for {Flow} {EntityKey} by its key; no second create", step, found[0], Key.Flow, Key.EntityKey);
            Record(step, found[0], attempted);
            return new CreateOutcome(found[0], Recovered: true);
        }

        if (Equals(Phase, attempted))
            ThrowIfUnsettled(step);
        else if (_openedFresh && !vouchedAbsent && (youngUntil ?? await YoungEpochUntilAsync(ct)) is { } until)
            throw StorageTooYoung(step, until);

        var before = Phase;
        await FenceAsync(attempted, ct);
        var sentAt = _time.GetUtcNow();
        string id;
        try
        {
            id = await create();
        }
        catch (JunipeerException ex) when (ex.RequestNotSent)
        {
            await UndoAttemptAsync(before, ct);
            throw;
        }
        catch (Exception ex) when (ex is JunipeerException { MayLandLater: true } or TimeoutException)
        {
            // No answer in time: the ERP may still commit this create. Until the lease this attempt
            // took has run out, an empty lookup proves nothing, so no second create before then
            // (kept with the row's next write: the release that follows this failure).
            Note(UnsettledFact(step), (sentAt + _hold).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            throw;
        }

        Record(step, id, attempted);
        return new CreateOutcome(id, Recovered: false);
    }

    /// <summary>
    /// The row did not exist and nothing was found: on storage that is new or was lost less than one
    /// lease ago, a create sent before the loss may still land where no lookup sees it yet. Wait that out.
    /// </summary>
    private async Task<DateTimeOffset?> YoungEpochUntilAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var settled = await StorageEpoch.GetOrStartAsync(_ledger, Key.IntegrationId, now, _logger, ct) + _hold;
        return now < settled ? settled : null;
    }

    private JunipeerException StorageTooYoung(string step, DateTimeOffset settled) =>
        new(ErrorCodes.LedgerEpochUnsettled,
            $"The ledger of integration {Key.IntegrationId} is new or was lost less than one lease ago; the {step} of {Key.Flow} {Key.EntityKey} is not found in the ERP, but a create sent before the loss may still land, so nothing is created before {settled:O}.")
        {
            RetryAfter = settled - _time.GetUtcNow(),
        };

    private static string UnsettledFact(string step) => "unsettledUntil:" + step;

    /// <summary>
    /// After a create that timed out, the lookup found nothing: the create may still land. Wait until
    /// the time kept with the row (the lease of that attempt) has passed before creating again.
    /// </summary>
    private void ThrowIfUnsettled(string step)
    {
        if (!Entry.Facts.TryGetValue(UnsettledFact(step), out var raw)
            || !DateTimeOffset.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var until))
            return;
        var wait = until - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
            return;
        throw new JunipeerException(ErrorCodes.ErpWriteUnconfirmed,
            $"The {step} create of {Key.Flow} {Key.EntityKey} timed out and is not visible in the ERP yet; it may still land, so it is not sent again before {until:O} (then the lookup decides).")
        {
            RetryAfter = wait,
        };
    }

    /// <summary>
    /// One non-idempotent action on an existing document (release, apply), exactly once. When an
    /// earlier attempt may have reached the ERP, <paramref name="isDone"/> reads the document's
    /// status to decide (also when <paramref name="checkFirst"/>, e.g. for a document adopted by
    /// lookup, whose state this worker did not see); otherwise fences with <paramref name="attempted"/> and acts. On success the
    /// phase becomes <paramref name="done"/> (in memory).
    /// </summary>
    public async Task ActOnceAsync(TPhase attempted, TPhase done, Func<Task<bool>> isDone, Func<Task> act, CancellationToken ct, bool checkFirst = false)
    {
        if (Reached(done))
            return;
        if ((checkFirst || Equals(Phase, attempted)) && await isDone())
        {
            _logger.LogInformation("{Flow} {EntityKey}: {Phase} confirmed by the document's status", Key.Flow, Key.EntityKey, done);
            Advance(done);
            return;
        }

        var before = Phase;
        await FenceAsync(attempted, ct);
        Exception? failure = null;
        try
        {
            await act();
        }
        catch (JunipeerException ex) when (ex.RequestNotSent)
        {
            await UndoAttemptAsync(before, ct);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
        }

        if (failure is not null)
        {
            // The action failed. If the document's status says it is done anyway (an earlier attempt
            // whose answer was lost, or someone else did it), the status decides, never the error's wording.
            if (!await IsDoneAfterFailureAsync(isDone))
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            _logger.LogInformation(failure, "{Flow} {EntityKey}: {Phase} failed but the document's status shows it done", Key.Flow, Key.EntityKey, done);
        }

        Advance(done);
    }

    private static async Task<bool> IsDoneAfterFailureAsync(Func<Task<bool>> isDone)
    {
        try
        {
            return await isDone();
        }
        catch (JunipeerException)
        {
            return false;
        }
    }

    /// <summary>Ends the work item (Done or Skipped) and gives up the lease; conditional on the held ETag.</summary>
    public async Task CompleteAsync(LedgerStatus status, CancellationToken ct, string? note = null)
    {
        var next = Entry with
        {
            Status = status,
            LeaseOwner = null,
            LeaseUntil = null,
            ErrorCode = null,
            ErrorMessage = note,
            UpdatedAt = _time.GetUtcNow(),
        };
        await WriteAsync(next, ct);
        IsLeased = false;
    }

    /// <summary>
    /// Gives the row back after a transient failure (Pending with the error, phase kept so the next
    /// attempt looks up what may have happened). Conditional on the ETag this worker knows: one that
    /// lost the row leaves it as it is.
    /// </summary>
    public async Task ReleaseAsync(string code, string message, CancellationToken ct)
    {
        // A worker that never fenced records the error too (the operator sees why the item waits),
        // conditionally on what it read — but never over a row another worker holds.
        if (!IsLeased && Entry.LeasedByOther(_owner, _time.GetUtcNow()))
            return;
        await TryWriteAsync(Entry with
        {
            Status = LedgerStatus.Pending,
            LeaseOwner = null,
            LeaseUntil = null,
            ErrorCode = code,
            ErrorMessage = Trim(message),
            UpdatedAt = _time.GetUtcNow(),
        }, ct);
        IsLeased = false;
    }

    /// <summary>
    /// Ends the row as Failed with a code. Conditional on the ETag this worker knows: when another
    /// worker changed the row since (or holds a live lease), nothing is written and false is returned.
    /// </summary>
    public async Task<bool> FailAsync(string code, string message, CancellationToken ct)
    {
        if (!IsLeased && Entry.LeasedByOther(_owner, _time.GetUtcNow()))
            return false;
        var ok = await TryWriteAsync(Entry with
        {
            Status = LedgerStatus.Failed,
            LeaseOwner = null,
            LeaseUntil = null,
            ErrorCode = code,
            ErrorMessage = Trim(message),
            Attempts = IsLeased ? Entry.Attempts : Entry.Attempts + 1,
            CorrelationId = _correlationId ?? Entry.CorrelationId,
            UpdatedAt = _time.GetUtcNow(),
        }, ct);
        IsLeased = false;
        return ok;
    }

    private void Record(string step, string id, TPhase attempted)
    {
        Entry = Entry.WithDocument(step, id);
        Advance(attempted);
    }

    private async Task UndoAttemptAsync(TPhase before, CancellationToken ct)
    {
        // The request provably did not leave (client budget refusal or 429): put the phase back so
        // the next attempt does not pay a lookup for a create that cannot have happened.
        Phase = before;
        await TryWriteAsync(Entry with { Phase = before.ToString() }, ct);
    }

    private async Task WriteAsync(LedgerEntry next, CancellationToken ct)
    {
        try
        {
            Entry = await _ledger.SaveAsync(next, ct);
        }
        catch (LedgerConflictException ex)
        {
            IsLeased = false;
            var current = await _ledger.GetAsync(Key, ct);
            if (current is not null && current.LeasedByOther(_owner, _time.GetUtcNow()))
                throw new LeaseHeldException(Key, current.LeaseUntil);
            throw new LeaseLostException(Key, ex.Message);
        }
    }

    private async Task<bool> TryWriteAsync(LedgerEntry next, CancellationToken ct)
    {
        try
        {
            Entry = await _ledger.SaveAsync(next, ct);
            return true;
        }
        catch (LedgerConflictException)
        {
            _logger.LogInformation("{Flow} {EntityKey}: the row changed under this worker; its state wins, nothing written", Key.Flow, Key.EntityKey);
            return false;
        }
    }

    private static TPhase Parse(LedgerEntry entry)
    {
        if (string.IsNullOrEmpty(entry.Phase))
            return default;
        if (Enum.TryParse<TPhase>(entry.Phase, ignoreCase: false, out var p) && Enum.IsDefined(p))
            return p;
        throw new JunipeerException(ErrorCodes.LedgerPhaseUnknown,
            $"Ledger row {entry.Key.Flow} {entry.Key.EntityKey} is in phase '{entry.Phase}', which this version does not know " +
            $"(known: {string.Join(", ", Enum.GetNames<TPhase>())}).");
    }

    private static int Compare(TPhase a, TPhase b) => Comparer<TPhase>.Default.Compare(a, b);

    private static string Trim(string s) => s.Length <= 2000 ? s : s[..2000];
}
