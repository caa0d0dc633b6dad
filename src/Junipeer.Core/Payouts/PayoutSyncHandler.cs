using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Refunds;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Payouts;

/// <summary>Phases of a payout's own row: it is being booked (lease held, rounds planned) or all of it is booked.</summary>
public enum PayoutPhase
{
    New,
    Booking,
    Booked,
}

/// <summary>Phases of one customer's payment within a payout round.</summary>
public enum PayoutPaymentPhase
{
    New,
    PaymentCreateAttempted,
    PaymentReleaseAttempted,
    PaymentReleased,
}

/// <summary>Phases of one refund (or chargeback) → credit note.</summary>
public enum RefundPhase
{
    New,
    CreditNoteCreateAttempted,
    CreditNoteReleaseAttempted,
    CreditNoteReleased,
}

public static class PayoutFlows
{
    public const string Payouts = Flows.Payouts;
    public const string PayoutPayments = "payout-payments";
    public const string Refunds = "refunds";
}

public static class PayoutFacts
{
    /// <summary>Number of matching rounds planned so far.</summary>
    public const string Rounds = "rounds";

    /// <summary>Prefix of the per-round fact listing the transactions left unmatched by that round (comma separated).</summary>
    public const string UnmatchedPrefix = "unmatched.";

    public const string FirstAttemptAt = "firstAttemptAt";
    public const string Matched = "matched";
    public const string Unmatched = "unmatched";
    public const string FeesWrittenOff = "feesWrittenOff";
}

public sealed record PayoutResult(SyncOutcome Outcome, string? ErrorCode = null, string? Message = null)
{
    public int Payments { get; init; }
    public int CreditNotes { get; init; }
    public int Unmatched { get; init; }
}

/// <summary>
/// One payout → its sales settled in the ERP, exactly once, even when the PSP webhook, the timer and a
/// manual replay all deliver it, and after storage is lost.
/// <para>
/// <b>Grouping (the Visma constraint):</b> a Visma customer payment belongs to one customer and its
/// <c>paymentLines</c> may only apply documents of that customer (and currency). So the payout's
/// matched transactions are grouped by customer: one payment per customer per matching round, with
/// one line per invoice (cash applied + the fee written off with the reason code, or the fees taken
/// as one charge). ERP writes grow with the customers in a payout (create + release each), not with
/// its transactions. Refunds and chargebacks are credit notes (one each), applied to the invoice they
/// reverse before that customer's payment is booked.
/// </para>
/// <para>
/// <b>Rounds:</b> what a round settles is fixed before any write: round r settles the lines matched
/// now that no earlier round took; the lines still unmatched are persisted with the round, so a
/// re-run rebuilds exactly the same groups and payment references. Unmatched lines never block the
/// rest; the payout is retried until its unmatched lines match or Payouts.UnmatchedRetryHours pass.
/// </para>
/// <para>
/// <b>Checks before any write (nothing half-booked):</b> line currency = payout currency = invoice
/// currency, Σ net = payout total, payout date not before the invoice date, the fee setting present.
/// </para>
/// </summary>
public sealed class PayoutSyncHandler(
    IIntegrationStore integrations,
    IEnumerable<IPayoutSource> sources,
    IErpResolver erps,
    ExactlyOnce exactlyOnce,
    PayoutMatcher matcher,
    IWorkQueue queue,
    IEventLog events,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<PayoutSyncHandler> logger,
    Shadow.ShadowPayoutSync shadow)
{
    public const string PaymentStep = "payment";
    public const string CreditNoteStep = "creditNote";
    private static readonly TimeSpan MaxBusyWait = TimeSpan.FromSeconds(15);

    private readonly JunipeerOptions _options = options.Value;

    private TimeSpan Hold => TimeSpan.FromSeconds(_options.Orders.LeaseSeconds);

    /// <summary>
    /// The checks on the payout itself, before anything is written (shared with the shadow path):
    /// every line in the payout currency, Σ net = payout total, the fee setting present.
    /// </summary>
    public static void CheckPayout(Integration integration, Payout payout)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(payout);
        var wrongCurrency = payout.Lines.Where(l => !string.Equals(l.Currency, payout.Currency, StringComparison.OrdinalIgnoreCase)).ToList();
        if (wrongCurrency.Count > 0)
            throw new JunipeerException(ErrorCodes.PayoutCurrencyMismatch,
                $"Payout {payout.Key} is in {payout.Currency} but {wrongCurrency.Count} transaction(s) are in another currency ({string.Join(", ", wrongCurrency.Take(5).Select(l => $"{l.TransactionId} {l.Currency}"))}). Nothing was booked.");
        var sum = payout.Lines.Sum(l => l.Net);
        if (sum != payout.Total)
            throw new JunipeerException(ErrorCodes.PayoutTotalMismatch,
                $"The transactions of payout {payout.Key} add up to {Money(sum)} {payout.Currency}, but the payout is {Money(payout.Total)} {payout.Currency} (difference {Money(payout.Total - sum)}). The payout is held; nothing was booked.");
        var settings = integration.Payouts;
        if (payout.Lines.Any(l => l.Fee != 0m && l.Kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback))
        {
            if (settings.FeeBooking == FeeBooking.WriteOff && string.IsNullOrWhiteSpace(settings.FeeWriteOffReasonCode))
                throw new JunipeerException(ErrorCodes.PayoutFeeWriteOffFailed,
                    $"Payout {payout.Key} carries PSP fees, but Payouts.FeeWriteOffReasonCode is not set, so they cannot be written off. Nothing was booked.");
            if (settings.FeeBooking == FeeBooking.Charge && string.IsNullOrWhiteSpace(settings.FeeChargeEntryType))
                throw new JunipeerException(ErrorCodes.PayoutFeeWriteOffFailed,
                    $"Payout {payout.Key} carries PSP fees to book as charges, but Payouts.FeeChargeEntryType is not set. Nothing was booked.");
        }
    }

    /// <summary>
    /// One customer's payment lines (shared with the shadow path): per invoice the cash applied and the fee
    /// written off (FeeBooking WriteOff), or the gross applied and the fees summed into one charge.
    /// </summary>
    public static (List<ErpSettlementLine> Lines, decimal Charge) SettlementLines(PayoutFlowSettings settings, IEnumerable<MatchedLine> lines)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var result = new List<ErpSettlementLine>();
        decimal charge = 0m;
        foreach (var byInvoice in lines.GroupBy(m => m.InvoiceNumber!, StringComparer.Ordinal).OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            var net = byInvoice.Sum(m => m.Line.Net);
            var fee = byInvoice.Sum(m => m.Line.Fee);
            if (settings.FeeBooking == FeeBooking.WriteOff)
            {
                if (net > 0m)
                    result.Add(new ErpSettlementLine(byInvoice.Key, net, fee));
            }
            else if (net + fee > 0m)
            {
                result.Add(new ErpSettlementLine(byInvoice.Key, net + fee, 0m));
                charge += fee;
            }
        }

        return (result, charge);
    }

    /// <summary>
    /// Why a live run does not book the payout (null: it does): created before <see cref="Integration.CutOverDate"/>.
    /// <para>
    /// A PSP that tells the creation time without a UTC offset (Adyen's report: a local time, the zone only as
    /// an abbreviation) gives a window, <see cref="Payout.CreatedAt"/> … <see cref="Payout.CreatedAtLatest"/>. The
    /// payout is skipped only when even the latest instant is before the cut-over. A window that straddles the
    /// cut-over is BOOKED, deliberately: a payout is settled only against invoices the order flow wrote (matched
    /// by the order flow's reference), and orders placed before the cut-over have none, so the sales of a batch
    /// that is really older stay unmatched and are reported (PAYOUT_INVOICE_NOT_FOUND) instead of booked twice,
    /// while a batch created just after the cut-over is not silently dropped (a Skipped row is final; nobody
    /// would look at it again). Holding it for the operator instead would stop every straddling batch of a
    /// go-live day on a question the matching already answers.
    /// </para>
    /// </summary>
    public static string? CutOverSkip(Integration integration, Payout payout)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(payout);
        if (integration.Mode != IntegrationMode.Live || integration.CutOverDate is not { } cutOver || payout.CreatedAtLatest >= cutOver)
            return null;
        var created = payout.CreatedAtPrecision == CreationTimePrecision.Instant
            ? payout.CreatedAt.ToString("O", CultureInfo.InvariantCulture)
            : $"between {payout.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)} and {payout.CreatedAtLatest.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)} (the PSP gives no time zone)";
        return $"payout created {created}, before the cut-over date {cutOver.ToString("O", CultureInfo.InvariantCulture)}: shadowed only, not booked";
    }

    public async Task<PayoutResult> HandleAsync(WorkItem item, string invocationId, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = item.CorrelationId,
            ["IntegrationId"] = item.IntegrationId,
            ["Payout"] = item.EntityKey,
        });

        var integration = await integrations.GetForWorkAsync(item, ct);
        if (integration is null)
        {
            logger.LogWarning("Payout {Payout} for unknown integration {IntegrationId} dropped", item.EntityKey, item.IntegrationId);
            return new PayoutResult(SyncOutcome.Failed, ErrorCodes.IntegrationNotFound);
        }

        if (!integration.Payouts.Enabled)
        {
            await Event(integration.Id, item, EventSeverity.Warning, "Payouts flow is disabled; payout not booked", ErrorCodes.FlowDisabled, ct);
            return new PayoutResult(SyncOutcome.Skipped, ErrorCodes.FlowDisabled);
        }

        if (integration.Mode == IntegrationMode.Shadow)
        {
            // Shadow mode: read-only by construction (no ledger row, the ERP behind ReadOnlyErp).
            var shadowed = await shadow.RunAsync(integration, item, ct);
            return shadowed.Outcome == Shadow.ShadowOutcome.Failed
                ? new PayoutResult(SyncOutcome.Failed, shadowed.ErrorCode, shadowed.Message)
                : new PayoutResult(SyncOutcome.Skipped, Message: $"shadow: {shadowed.Outcome}") { Payments = shadowed.Payments.Count, CreditNotes = shadowed.CreditNotes.Count, Unmatched = shadowed.Unmatched.Count };
        }

        var work = await exactlyOnce.OpenAsync<PayoutPhase>(new LedgerKey(integration.Id, PayoutFlows.Payouts, item.EntityKey), invocationId, item.CorrelationId, Hold, ct);
        if (work.IsDone)
        {
            logger.LogInformation("Payout {Payout} already booked", item.EntityKey);
            return new PayoutResult(SyncOutcome.AlreadyDone);
        }

        if (work.HeldByOther)
            return await RequeueAsync(item, work.Entry.LeaseUntil, ct);

        try
        {
            return await BookAsync(integration, item, work, invocationId, ct);
        }
        catch (LeaseHeldException held)
        {
            if (work.IsLeased)
                await work.ReleaseAsync(ErrorCodes.ErpUnavailable, held.Message, ct);
            return await RequeueAsync(item, held.LeaseUntil, ct);
        }
        catch (LeaseLostException lost)
        {
            logger.LogWarning("{Message}", lost.Message);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, MaxBusyWait, ct);
            return new PayoutResult(SyncOutcome.Requeued, Message: "lease lost");
        }
        catch (JunipeerException ex) when (ex.RetryAfter is { } after && item.Requeues < _options.Orders.MaxRequeues)
        {
            var delay = after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after;
            await work.ReleaseAsync(ex.Code, ex.Message, ct);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.RateLimited }, delay, ct);
            return new PayoutResult(SyncOutcome.Requeued, ex.Code, ex.Message);
        }
        catch (JunipeerException ex) when (!ex.Retryable || ex.RetryAfter is not null)
        {
            return await FailAsync(integration.Id, work, item, ex.Code, ex.Message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            logger.LogWarning(ex, "Payout {Payout} failed transiently; the queue will retry", item.EntityKey);
            throw;
        }
    }

    private async Task<PayoutResult> BookAsync(Integration integration, WorkItem item, Work<PayoutPhase> work, string owner, CancellationToken ct)
    {
        var (provider, payoutId) = Split(item.EntityKey);
        if (!integration.Payouts.Providers.TryGetValue(provider, out var psp))
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Payouts.Providers has no '{provider}' entry; payout {payoutId} cannot be booked.");
        var source = sources.LastOrDefault(s => string.Equals(s.Provider, provider, StringComparison.Ordinal)) // the last registration wins (a host may replace a connector)
                     ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"No payout source for '{provider}' is registered in this deployment.");
        var erp = erps.For(integration);
        var settle = erp.Settlements
                     ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The {erp.Kind} connector cannot settle payouts yet.");

        var payout = await source.GetPayoutAsync(integration, payoutId, ct)
                     ?? throw new JunipeerException(ErrorCodes.PayoutNotFound, $"{provider} has no paid payout {payoutId} (unknown, not paid yet, or its transactions are not reconciled yet).");

        if (CutOverSkip(integration, payout) is { } skip && !work.Entry.Facts.ContainsKey(PayoutFacts.Rounds))
        {
            // Shadowed only: a payout made before the cut-over is not booked (nothing of it was booked yet).
            await work.CompleteAsync(LedgerStatus.Skipped, ct, skip);
            return new PayoutResult(SyncOutcome.Skipped, Message: skip);
        }

        // ---- checks on the payout itself, before anything is written
        CheckPayout(integration, payout);
        var settings = integration.Payouts;

        // ---- matching; the rounds fix which lines each round settles
        var settleable = payout.Lines.Where(l => l.Kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback).ToList();
        var matched = await matcher.MatchAsync(integration, settle, psp, settleable, ct);
        var byTx = matched.ToDictionary(m => m.Line.TransactionId, StringComparer.Ordinal);
        var rounds = int.TryParse(work.Entry.Facts.GetValueOrDefault(PayoutFacts.Rounds), CultureInfo.InvariantCulture, out var r) ? r : 0;
        var plans = new List<(int Round, List<MatchedLine> Lines)>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var carried = settleable.Select(l => l.TransactionId).ToHashSet(StringComparer.Ordinal);
        for (var round = 0; round < rounds; round++)
        {
            var unmatchedThen = Ids(work.Entry.Facts.GetValueOrDefault(PayoutFacts.UnmatchedPrefix + round.ToString(CultureInfo.InvariantCulture)));
            var lines = carried.Where(id => !unmatchedThen.Contains(id)).Select(id => byTx[id]).ToList();
            plans.Add((round, lines));
            carried = unmatchedThen;
        }

        // Lines carried over from the last round (or all, on the first) that match now form a new round.
        var newlyMatched = carried.Where(id => byTx[id].Matched).ToList();
        var stillUnmatched = carried.Where(id => !byTx[id].Matched).ToHashSet(StringComparer.Ordinal);
        if (newlyMatched.Count > 0 || rounds == 0)
        {
            plans.Add((rounds, [.. newlyMatched.Select(id => byTx[id])]));
            work.Note(PayoutFacts.UnmatchedPrefix + rounds.ToString(CultureInfo.InvariantCulture), string.Join(",", stillUnmatched.Order(StringComparer.Ordinal)));
            work.Note(PayoutFacts.Rounds, (rounds + 1).ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (_, lines) in plans)
            foreach (var m in lines.Where(m => !m.Matched))
                throw new JunipeerException(ErrorCodes.PayoutInvoiceNotFound, $"Transaction {m.Line.TransactionId} of payout {payout.Key} matched an invoice before but not now (reference {m.InvoiceReference}); was the invoice deleted?");

        work.Note(PayoutFacts.FirstAttemptAt, work.Entry.Facts.GetValueOrDefault(PayoutFacts.FirstAttemptAt) ?? time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        work.Note(PayoutFacts.Matched, (settleable.Count - stillUnmatched.Count).ToString(CultureInfo.InvariantCulture));
        work.Note(PayoutFacts.Unmatched, stillUnmatched.Count.ToString(CultureInfo.InvariantCulture));

        // ---- per group: rows, then checks for everything not booked yet, then the writes
        // The payout's own row is written (first fence) before any of its documents is attempted, and
        // the ledger table is lost as a whole: when the row exists, a missing sub-row proves nothing
        // was sent for it. A fresh payout row (first delivery, or storage lost) cannot vouch, so each
        // customer's payments are read once before its payment is created.
        var vouched = !work.IsFresh;
        var groups = new List<Group>();
        foreach (var (round, lines) in plans)
        {
            foreach (var byCustomer in lines.GroupBy(m => m.CustomerNumber!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var reference = PaymentReference(payout, round, byCustomer.Key);
                var row = await exactlyOnce.OpenAsync<PayoutPaymentPhase>(
                    new LedgerKey(integration.Id, PayoutFlows.PayoutPayments, $"{payout.Key}:{round}:{byCustomer.Key}"), owner, item.CorrelationId, Hold, ct);
                groups.Add(new Group(round, byCustomer.Key, reference, [.. byCustomer], row, owner) { Vouched = vouched });
            }
        }

        // Before the first write: take the payout's lease and persist the plan of rounds.
        await work.FenceAsync(PayoutPhase.Booking, ct);

        var open = new Dictionary<string, IReadOnlyList<ErpOpenItem>>(StringComparer.Ordinal);
        foreach (var g in groups.Where(g => !g.Row.IsDone))
        {
            if (g.Row.HeldByOther)
                throw new LeaseHeldException(g.Row.Key, g.Row.Entry.LeaseUntil);
            if (g.Row.Phase != PayoutPaymentPhase.New || g.Row.Document(PaymentStep) is not null)
                continue; // checked before its first attempt
            if (!vouched && await FindPaymentAsync(integration, settle, g, ct) is { } existing)
            {
                g.Existing = existing;
                continue;
            }

            if (!open.TryGetValue(g.Customer, out var items))
                open[g.Customer] = items = await settle.ListOpenInvoicesAsync(integration, g.Customer, ct);
            CheckInvoices(payout, g.Customer, g.Lines, items);
        }

        var payments = 0;
        var creditNotes = 0;
        decimal fees = 0m;
        foreach (var g in groups)
        {
            if (g.Row.IsDone)
                continue;
            await work.FenceAsync(null, ct); // renew the payout's lease for this group
            var (made, notes, fee) = await GivingBackOnFailureAsync(g.Row,
                () => BookGroupAsync(integration, settle, erp, psp, payout, g, open.GetValueOrDefault(g.Customer), item, ct));
            payments += made ? 1 : 0;
            creditNotes += notes;
            fees += fee;
        }

        if (stillUnmatched.Count > 0)
        {
            var list = string.Join(", ", stillUnmatched.Order(StringComparer.Ordinal).Take(10).Select(id => $"{id} ({byTx[id].Line.Reference ?? "no reference"})"));
            var message = $"{stillUnmatched.Count} transaction(s) of payout {payout.Key} match no invoice yet: {list}. The rest is booked; these are retried when their invoice appears.";
            var first = DateTimeOffset.Parse(work.Entry.Facts[PayoutFacts.FirstAttemptAt], CultureInfo.InvariantCulture);
            await Event(integration.Id, item, EventSeverity.Warning, message, ErrorCodes.PayoutInvoiceNotFound, ct);
            if (time.GetUtcNow() - first >= TimeSpan.FromHours(settings.UnmatchedRetryHours))
            {
                await work.FailAsync(ErrorCodes.PayoutInvoiceNotFound, message + " Retries are exhausted (Payouts.UnmatchedRetryHours).", CancellationToken.None);
                return new PayoutResult(SyncOutcome.Failed, ErrorCodes.PayoutInvoiceNotFound, message) { Payments = payments, CreditNotes = creditNotes, Unmatched = stillUnmatched.Count };
            }

            await work.ReleaseAsync(ErrorCodes.PayoutInvoiceNotFound, message, CancellationToken.None);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.Replay }, TimeSpan.FromMinutes(settings.UnmatchedRetryMinutes), ct);
            return new PayoutResult(SyncOutcome.Requeued, ErrorCodes.PayoutInvoiceNotFound, message) { Payments = payments, CreditNotes = creditNotes, Unmatched = stillUnmatched.Count };
        }

        work.Note(PayoutFacts.FeesWrittenOff, Money(fees));
        work.Advance(PayoutPhase.Booked);
        await work.CompleteAsync(LedgerStatus.Done, ct);
        var unbooked = payout.Lines.Where(l => l.Kind is PayoutLineKind.Fee or PayoutLineKind.Other).ToList();
        var unbookedNote = unbooked.Count == 0 ? "" :
            $"; {unbooked.Count} fee/other line(s) not tied to a sale ({Money(unbooked.Sum(l => l.Net))} {payout.Currency}) are not booked by this flow";
        await Event(integration.Id, item, EventSeverity.Info,
            $"Payout {payout.Key} ({Money(payout.Total)} {payout.Currency}) booked: {groups.Count} customer payment(s), {creditNotes} credit note(s) this run{unbookedNote}", null, ct);
        return new PayoutResult(SyncOutcome.Done) { Payments = payments, CreditNotes = creditNotes };
    }

    private sealed class Group(int round, string customer, string reference, List<MatchedLine> lines, Work<PayoutPaymentPhase> row, string owner)
    {
        public string Owner { get; } = owner;
        public int Round { get; } = round;
        public string Customer { get; } = customer;
        public string Reference { get; } = reference;
        public List<MatchedLine> Lines { get; } = lines;
        public Work<PayoutPaymentPhase> Row { get; } = row;
        public string? Existing { get; set; }

        public bool Vouched { get; init; }
    }

    /// <summary>Per invoice a customer's lines settle: open with enough balance, same currency, not dated after the payout (shared with the shadow path).</summary>
    public static void CheckInvoices(Payout payout, string customer, IEnumerable<MatchedLine> lines, IReadOnlyList<ErpOpenItem> open)
    {
        ArgumentNullException.ThrowIfNull(payout);
        foreach (var byInvoice in lines.GroupBy(m => m.InvoiceNumber!, StringComparer.Ordinal))
        {
            var invoice = open.FirstOrDefault(i => string.Equals(i.Number, byInvoice.Key, StringComparison.Ordinal))
                          ?? throw new JunipeerException(ErrorCodes.PayoutInvoiceNotOpen,
                              $"Invoice {byInvoice.Key} ({byInvoice.First().InvoiceReference}) of customer {customer} has no open balance in the ERP (paid, unreleased or credited already), but payout {payout.Key} settles it. The payout is held; nothing was booked.");
            if (!string.Equals(invoice.Currency, payout.Currency, StringComparison.OrdinalIgnoreCase))
                throw new JunipeerException(ErrorCodes.PayoutCurrencyMismatch,
                    $"Invoice {invoice.Number} ({invoice.Reference}) is in {invoice.Currency}, payout {payout.Key} in {payout.Currency}: a payment must be in the invoice's currency. Nothing was booked.");
            if (payout.Date < invoice.DocumentDate)
                throw new JunipeerException(ErrorCodes.PayoutDateBeforeInvoice,
                    $"Payout {payout.Key} is dated {payout.Date:yyyy-MM-dd}, before invoice {invoice.Number} ({invoice.DocumentDate:yyyy-MM-dd}); Visma cannot apply a payment dated before the invoice. Nothing was booked.");
            var settles = byInvoice.Sum(m => m.Line.Gross < 0 ? -m.Line.Gross : m.Line.Gross);
            var net = byInvoice.Sum(m => m.Line.Gross);
            if (net > invoice.Balance)
                throw new JunipeerException(ErrorCodes.PayoutInvoiceNotOpen,
                    $"Payout {payout.Key} settles {Money(net)} {payout.Currency} of invoice {invoice.Number} ({invoice.Reference}), but its open balance is {Money(invoice.Balance)} (total moved {Money(settles)}). The payout is held; nothing was booked.");
        }
    }

    /// <summary>
    /// One customer's part of a round: its refunds as credit notes (applied to their invoices while
    /// open), then one payment over its invoices with the fees written off (or charged), released.
    /// </summary>
    private async Task<(bool Payment, int CreditNotes, decimal Fees)> BookGroupAsync(
        Integration integration, IErpSettlements settle, IErpAdapter erp, PspPayoutSettings psp, Payout payout, Group g,
        IReadOnlyList<ErpOpenItem>? open, WorkItem item, CancellationToken ct)
    {
        var settings = integration.Payouts;
        var notes = 0;
        foreach (var refund in g.Lines.Where(m => m.Line.Kind is PayoutLineKind.Refund or PayoutLineKind.Chargeback))
        {
            if (refund.Line.Kind == PayoutLineKind.Chargeback && settings.ChargebackHandling == ChargebackHandling.ReportOnly)
            {
                // Report only: nothing is booked for it; the customer's payment below is the payout's net, so
                // the invoice keeps the disputed amount open for the operator.
                await Event(integration.Id, item, EventSeverity.Warning,
                    $"Chargeback {refund.Line.TransactionId} of {Money(-refund.Line.Gross)} {payout.Currency} on invoice {refund.InvoiceNumber} in payout {payout.Key} " +
                    "was not booked (Payouts.ChargebackHandling ReportOnly): the invoice keeps the disputed amount open.", ErrorCodes.PayoutChargeback, ct);
                continue;
            }

            if (await BookRefundAsync(integration, settle, payout, g, refund, open, item, ct))
                notes++;
        }

        var (lines, charge) = SettlementLines(settings, g.Lines);
        if (lines.Count == 0)
        {
            // Only refunds of invoices settled earlier: the credit notes are customer credit; no cash line here.
            g.Row.Advance(PayoutPaymentPhase.PaymentReleased);
            await g.Row.CompleteAsync(LedgerStatus.Done, ct, "no payment: refunds only");
            return (false, notes, 0m);
        }

        var draft = new ErpSettlementPaymentDraft
        {
            CustomerNumber = g.Customer,
            Date = payout.Date,
            CurrencyId = payout.Currency,
            Reference = g.Reference,
            PaymentMethodId = psp.PaymentMethodId,
            CashAccount = psp.CashAccount,
            Lines = lines,
            WriteOffReasonCode = lines.Any(l => l.WriteOff > 0m) ? settings.FeeWriteOffReasonCode : null,
            Charge = charge,
            ChargeEntryType = charge > 0m ? settings.FeeChargeEntryType : null,
            Text = $"{payout.Provider} payout {payout.PayoutId}",
        };

        var payment = await g.Row.CreateOnceAsync(
            PaymentStep,
            PayoutPaymentPhase.PaymentCreateAttempted,
            findExisting: async () => await FindPaymentAsync(integration, settle, g, ct) is { } found ? [found] : [],
            create: async () =>
            {
                try
                {
                    return await settle.CreateSettlementPaymentAsync(integration, draft, ct);
                }
                catch (JunipeerException ex) when (ex.Code == ErrorCodes.ErpRequestRejected && (draft.WriteOffReasonCode is not null || draft.Charge > 0m))
                {
                    // Visma refused a payment that writes off (or charges) fees. Whether the reason code is the
                    // cause is not told apart by wording; the message says what Visma said.
                    throw new JunipeerException(ErrorCodes.PayoutFeeWriteOffFailed,
                        $"Visma refused the payment for customer {g.Customer} of payout {payout.Key}, which writes off {Money(lines.Sum(l => l.WriteOff) + charge)} {payout.Currency} of fees " +
                        $"({(settings.FeeBooking == FeeBooking.WriteOff ? $"reason code {settings.FeeWriteOffReasonCode}" : $"entry type {settings.FeeChargeEntryType}")}): {ex.Message}", ex);
                }
            },
            duplicates: found => new JunipeerException(ErrorCodes.DuplicatePaymentForOrder,
                $"{found.Count} payments of customer {g.Customer} carry payout reference {g.Reference}: {string.Join(", ", found)}."),
            ct,
            precheck: g.Existing is { } adopted ? () => Task.FromResult<IReadOnlyList<string>?>([adopted])
                : () => Task.FromResult<IReadOnlyList<string>?>([]));

        await g.Row.ActOnceAsync(
            PayoutPaymentPhase.PaymentReleaseAttempted,
            PayoutPaymentPhase.PaymentReleased,
            isDone: async () => erp.IsReleased((await erp.Payments.GetPaymentAsync(integration, payment.Id, ct)).Status),
            act: () => erp.Payments.ReleasePaymentAsync(integration, payment.Id, ct),
            ct,
            checkFirst: payment.Recovered);
        g.Row.Note("amount", Money(draft.Amount));
        g.Row.Note("writeOff", Money(lines.Sum(l => l.WriteOff) + charge));
        await g.Row.CompleteAsync(LedgerStatus.Done, ct);
        return (!payment.Recovered, notes, lines.Sum(l => l.WriteOff) + charge);
    }

    /// <summary>A refund or chargeback → one credit note with the invoice's VAT treatment, applied to it while open; exactly once per PSP transaction.</summary>
    private async Task<bool> BookRefundAsync(
        Integration integration, IErpSettlements settle, Payout payout, Group g, MatchedLine refund, IReadOnlyList<ErpOpenItem>? open, WorkItem item, CancellationToken ct)
    {
        var row = await exactlyOnce.OpenAsync<RefundPhase>(
            new LedgerKey(integration.Id, PayoutFlows.Refunds, RefundKeys.EntityKey(payout.Provider, refund.Line.RefundKeyId)), g.Owner, item.CorrelationId, Hold, ct);
        if (row.IsDone)
            return false;
        if (row.HeldByOther)
            throw new LeaseHeldException(row.Key, row.Entry.LeaseUntil);

        return await GivingBackOnFailureAsync(row, () => BookCreditNoteAsync(integration, settle, payout, refund, open, item, row, g.Vouched, ct));
    }

    private async Task<bool> BookCreditNoteAsync(
        Integration integration, IErpSettlements settle, Payout payout, MatchedLine refund, IReadOnlyList<ErpOpenItem>? open, WorkItem item, Work<RefundPhase> row, bool vouched, CancellationToken ct)
    {
        var reference = CreditNoteReference(payout.Provider, refund.Line.RefundKeyId);
        var amount = -refund.Line.Gross;
        var invoice = await settle.GetInvoiceDocumentAsync(integration, refund.InvoiceNumber!, ct);
        var openItem = open?.FirstOrDefault(i => i.Number == refund.InvoiceNumber);
        var apply = openItem is not null && openItem.Balance >= amount;
        var draft = CreditNoteFor(invoice, amount, reference, payout, refund, apply);
        var note = await row.CreateOnceAsync(
            CreditNoteStep,
            RefundPhase.CreditNoteCreateAttempted,
            findExisting: async () => (await settle.FindCreditNotesAsync(integration, reference, ct)).Select(n => n.Number).ToList(),
            create: () => settle.CreateCreditNoteAsync(integration, draft, ct),
            duplicates: found => new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder,
                $"{found.Count} credit notes carry refund reference {reference}: {string.Join(", ", found)}."),
            ct,
            // Only the payout's own row vouches (the ledger is lost as a whole): without it, look the credit note
            // up in Visma even when the storage epoch is settled (an integration saved again after a wipe settles it).
            precheck: vouched ? () => Task.FromResult<IReadOnlyList<string>?>([]) : () => Task.FromResult<IReadOnlyList<string>?>(null));
        await row.ActOnceAsync(
            RefundPhase.CreditNoteReleaseAttempted,
            RefundPhase.CreditNoteReleased,
            isDone: async () => erps.For(integration).IsReleased((await settle.GetCreditNoteAsync(integration, note.Id, ct)).Status),
            act: () => settle.ReleaseCreditNoteAsync(integration, note.Id, ct),
            ct,
            checkFirst: note.Recovered);
        row.Note("invoice", refund.InvoiceNumber!);
        row.Note("amount", Money(amount));
        row.Note("appliedToInvoice", apply ? "true" : "false");
        await row.CompleteAsync(LedgerStatus.Done, ct);
        if (refund.Line.Kind == PayoutLineKind.Chargeback || !apply)
        {
            await Event(integration.Id, item, EventSeverity.Warning,
                $"{(refund.Line.Kind == PayoutLineKind.Chargeback ? "Chargeback" : "Refund")} {refund.Line.TransactionId} of {Money(amount)} {payout.Currency} on invoice {refund.InvoiceNumber} booked as credit note {note.Id}" +
                (apply ? "." : " left as customer credit: the invoice was already settled, so book the refund payment to the customer against it in Visma."),
                refund.Line.Kind == PayoutLineKind.Chargeback ? ErrorCodes.PayoutChargeback : null, ct);
        }

        return !note.Recovered;
    }

    /// <summary>
    /// The credit note for <paramref name="amount"/> (gross) of <paramref name="invoice"/>: per VAT
    /// category the invoice's net scaled by amount/total, per tax its VAT scaled likewise (booked as a
    /// VAT override), the cent left by rounding put on the largest line, so the total is exact and
    /// the VAT zone and categories are the invoice's own.
    /// </summary>
    public static ErpCreditNoteDraft CreditNoteFor(ErpInvoiceDocument invoice, decimal amount, string reference, Payout payout, MatchedLine refund, bool apply) =>
        CreditNotes.Draft(invoice, amount, reference, payout.Date,
            $"{payout.Provider} {(refund.Line.Kind == PayoutLineKind.Chargeback ? "chargeback" : "refund")} {refund.Line.TransactionId} of invoice {invoice.Header.Number}", apply);

    /// <summary>
    /// A sub-row (a customer's payment, a refund) is given back when its step fails, phase kept, so
    /// the next delivery resolves by lookup or status instead of waiting out the lease.
    /// </summary>
    private static async Task<T> GivingBackOnFailureAsync<TPhase, T>(Work<TPhase> row, Func<Task<T>> step)
        where TPhase : struct, Enum
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            if (row.IsLeased)
                await row.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            throw;
        }
    }

    private static async Task<string?> FindPaymentAsync(Integration integration, IErpSettlements settle, Group g, CancellationToken ct)
    {
        var found = (await settle.FindPaymentsForCustomerAsync(integration, g.Customer, ct))
            .Where(p => string.Equals(p.Reference, g.Reference, StringComparison.Ordinal))
            .Select(p => p.Number)
            .ToList();
        if (found.Count > 1)
            throw new JunipeerException(ErrorCodes.DuplicatePaymentForOrder, $"{found.Count} payments of customer {g.Customer} carry payout reference {g.Reference}: {string.Join(", ", found)}.");
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>Payment reference of one customer's part of one round: "PO" + 14 hex of SHA-256 (short enough for Visma's paymentRef).</summary>
    public static string PaymentReference(Payout payout, int round, string customer) =>
        "PO" + Hex($"{payout.Key}|{round.ToString(CultureInfo.InvariantCulture)}|{customer}", 14);

    /// <summary>Credit note reference of a refund: "RF" + 14 hex of SHA-256 of provider and transaction id.</summary>
    public static string CreditNoteReference(string provider, string transactionId) => RefundKeys.Reference(provider, transactionId);

    private static string Hex(string s, int length) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..length];

    private static HashSet<string> Ids(string? csv) =>
        (csv ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    private static (string Provider, string PayoutId) Split(string key)
    {
        var i = key.IndexOf(':', StringComparison.Ordinal);
        if (i <= 0 || i == key.Length - 1)
            throw new JunipeerException(ErrorCodes.QueueMessageInvalid, $"Payout key '{key}' is not '<provider>:<payout id>'.");
        return (key[..i], key[(i + 1)..]);
    }

    private async Task<PayoutResult> RequeueAsync(WorkItem item, DateTimeOffset? leaseUntil, CancellationToken ct)
    {
        var wait = (leaseUntil ?? time.GetUtcNow()) - time.GetUtcNow();
        wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxBusyWait ? MaxBusyWait : wait;
        await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, wait, ct);
        return new PayoutResult(SyncOutcome.Requeued, Message: "busy");
    }

    private async Task<PayoutResult> FailAsync(string integrationId, Work<PayoutPhase> work, WorkItem item, string code, string message, CancellationToken ct)
    {
        if (!await work.FailAsync(code, message, CancellationToken.None))
            logger.LogWarning("Payout {Payout} failed with {ErrorCode}, but another worker changed its row", item.EntityKey, code);
        logger.LogError("Payout {Payout} failed with {ErrorCode}: {Message}", item.EntityKey, code, message);
        await Event(integrationId, item, EventSeverity.Error, message, code, ct);
        return new PayoutResult(SyncOutcome.Failed, code, message);
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private Task Event(string integrationId, WorkItem item, EventSeverity severity, string message, string? code, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integrationId,
            Flow = PayoutFlows.Payouts,
            EntityKey = item.EntityKey,
            Severity = severity,
            Message = message,
            ErrorCode = code,
            Fix = code is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix,
            CorrelationId = item.CorrelationId,
            At = time.GetUtcNow(),
        }, CancellationToken.None);
}
