using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Refunds;

/// <summary>What one delivery of an order's refunds did.</summary>
public sealed record RefundSyncResult(SyncOutcome Outcome, string? ErrorCode = null, string? Message = null)
{
    /// <summary>Refunds of the order in the shop.</summary>
    public int Refunds { get; init; }

    /// <summary>Credit notes created by this delivery (found ones are not counted).</summary>
    public int CreditNotes { get; init; }

    /// <summary>Refunds already booked (by this path or by a payout).</summary>
    public int AlreadyBooked { get; init; }

    /// <summary>Refunds that failed a check (their rows are Failed with the code).</summary>
    public int Failed { get; init; }
}

/// <summary>
/// Refunds made in the shop (Centra: payment history entries of type REFUND, status SUCCESS) → one
/// Visma customer credit note each, applied to the order's invoice, exactly once. One queue message
/// per order (queue <c>refunds</c>, key: order number); each refund has its own ledger row in flow
/// <c>refunds</c> under the key the payout path uses too (<see cref="RefundKeys"/>: PSP + the PSP's
/// refund id), so a refund seen in Centra and in a payout is one credit note whichever comes first.
/// <para>
/// Per refund: the invoice comes from the orders ledger (or Visma by the order's reference); checks
/// before any write: the refund's currency is the invoice's (<c>REFUND_CURRENCY_MISMATCH</c>), the
/// order's refunds up to this one do not exceed the invoice total (<c>REFUND_EXCEEDS_INVOICE</c>);
/// an invoice that does not exist yet is waited for (<c>REFUND_INVOICE_NOT_FOUND</c>, re-queued every
/// <c>payouts.unmatchedRetryMinutes</c> for <c>payouts.unmatchedRetryHours</c>). The credit note carries the
/// invoice's VAT zone and categories (<see cref="CreditNotes.Draft"/>) and is applied while the invoice is
/// open with enough balance, else left as customer credit (reported). The create goes through
/// <see cref="Work{TPhase}.CreateOnceAsync"/>: the attempted phase is persisted first, and the credit
/// note is looked up by its reference before every first create (the row cannot vouch: the payout
/// path or an earlier storage epoch may have made it) and after any uncertain attempt.
/// </para>
/// </summary>
public sealed class RefundSyncHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    IErpResolver erps,
    ExactlyOnce exactlyOnce,
    PayoutMatcher matcher,
    IWorkQueue queue,
    IEventLog events,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<RefundSyncHandler> logger,
    Shadow.ShadowRefundSync shadow)
{
    /// <summary>
    /// Why a live run does not book the refund (null: it does): made before <see cref="Integration.CutOverDate"/>.
    /// A refund whose time the shop does not give (Centra's payment history entry without <c>createdAt</c>) is judged
    /// by the earliest it can have been made, the time its order was placed (<paramref name="orderPlacedAt"/>): on an
    /// order placed before the cut-over it may predate the cut-over (the old process may have credited it), so it is
    /// not booked; on an order placed after the cut-over it cannot, so it is. An order time that is unknown too counts
    /// as before the cut-over. (Review finding: a refund of unknown time skipped the check and was always booked.)
    /// </summary>
    public static string? CutOverSkip(Integration integration, ShopRefund refund, DateTimeOffset orderPlacedAt)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(refund);
        if (integration.Mode != IntegrationMode.Live || integration.CutOverDate is not { } cutOver)
            return null;
        var cut = cutOver.ToString("O", CultureInfo.InvariantCulture);
        if (refund.CreatedAt != DateTimeOffset.MinValue)
            return refund.CreatedAt < cutOver
                ? $"refunded {refund.CreatedAt.ToString("O", CultureInfo.InvariantCulture)}, before the cut-over date {cut}: shadowed only, not booked"
                : null;
        return orderPlacedAt < cutOver
            ? $"the shop gives no refund time and its order was placed {(orderPlacedAt == DateTimeOffset.MinValue ? "at an unknown time" : orderPlacedAt.ToString("O", CultureInfo.InvariantCulture))}, " +
              $"before the cut-over date {cut}: the refund may predate the cut-over, so it is not booked (book it by hand if it was made after)"
            : null;
    }

    /// <summary>Ledger flow of the per-order row the poison path marks (the refunds themselves are rows of flow <c>refunds</c>).</summary>
    public const string ShopRefundsFlow = "shop-refunds";

    public const string FirstSeenFact = "firstSeenAt";
    public const string SourceFact = "source";

    private static readonly TimeSpan MaxBusyWait = TimeSpan.FromSeconds(15);

    private readonly JunipeerOptions _options = options.Value;

    private TimeSpan Hold => TimeSpan.FromSeconds(_options.Orders.LeaseSeconds);

    public async Task<RefundSyncResult> HandleAsync(WorkItem item, string invocationId, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = item.CorrelationId,
            ["IntegrationId"] = item.IntegrationId,
            ["OrderNumber"] = item.EntityKey,
        });

        var integration = await integrations.GetForWorkAsync(item, ct);
        if (integration is null)
        {
            logger.LogWarning("Refunds of order {OrderNumber} for unknown integration {IntegrationId} dropped", item.EntityKey, item.IntegrationId);
            return new RefundSyncResult(SyncOutcome.Failed, ErrorCodes.IntegrationNotFound);
        }

        if (!integration.Payouts.Enabled || !integration.Payouts.ShopRefunds)
        {
            logger.LogInformation("Refunds of order {OrderNumber} not booked: payouts.enabled and payouts.shopRefunds are not both on", item.EntityKey);
            return new RefundSyncResult(SyncOutcome.Skipped, ErrorCodes.FlowDisabled);
        }

        if (integration.Mode == IntegrationMode.Shadow)
        {
            // Shadow mode: read-only by construction (no ledger row, the ERP behind ReadOnlyErp).
            var shadowed = await shadow.RunAsync(integration, item, ct);
            return shadowed.Outcome == Shadow.ShadowOutcome.Failed
                ? new RefundSyncResult(SyncOutcome.Failed, shadowed.ErrorCode, shadowed.Message)
                : new RefundSyncResult(SyncOutcome.Skipped, Message: $"shadow: {shadowed.Outcome}") { Refunds = shadowed.CreditNotes.Count };
        }

        try
        {
            return await BookAsync(integration, item, invocationId, ct);
        }
        catch (LeaseHeldException held)
        {
            return await RequeueAsync(item, held.LeaseUntil, ct);
        }
        catch (LeaseLostException lost)
        {
            logger.LogWarning("{Message}", lost.Message);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, MaxBusyWait, ct);
            return new RefundSyncResult(SyncOutcome.Requeued, Message: "lease lost");
        }
        catch (JunipeerException ex) when (ex.RetryAfter is { } after && item.Requeues < _options.Orders.MaxRequeues)
        {
            var delay = after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after;
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.RateLimited }, delay, ct);
            return new RefundSyncResult(SyncOutcome.Requeued, ex.Code, ex.Message);
        }
        catch (JunipeerException ex) when (!ex.Retryable || ex.RetryAfter is not null)
        {
            logger.LogError("Refunds of order {OrderNumber} failed with {ErrorCode}: {Message}", item.EntityKey, ex.Code, ex.Message);
            await Event(integration.Id, item.EntityKey, item, EventSeverity.Error, ex.Message, ex.Code, ct);
            return new RefundSyncResult(SyncOutcome.Failed, ex.Code, ex.Message);
        }
    }

    private async Task<RefundSyncResult> BookAsync(Integration integration, WorkItem item, string owner, CancellationToken ct)
    {
        var erp = erps.For(integration);
        var settle = erp.Settlements
                     ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The {erp.Kind} connector cannot book credit notes yet.");
        var order = await shop.GetOrderAsync(integration, item.EntityKey, ct)
                    ?? throw new JunipeerException(ErrorCodes.OrderNotFoundInShop, $"Centra has no order {item.EntityKey}; its refunds cannot be read.");
        if (!OrderOwnership.Owns(integration, order))
            return new RefundSyncResult(SyncOutcome.Skipped, Message: "order owned by another integration");
        if (order.Refunds.Count == 0)
            return new RefundSyncResult(SyncOutcome.Skipped, Message: "no refunds") { Refunds = 0 };

        var (invoiceNumber, _) = await matcher.FindInvoiceAsync(integration, settle, order.OrderNumber, ct);
        int created = 0, booked = 0, failed = 0, waiting = 0;
        decimal refundedSoFar = 0m;
        foreach (var refund in order.Refunds)
        {
            refundedSoFar += refund.Amount;
            if (CutOverSkip(integration, refund, order.OrderDate) is { } skip)
            {
                logger.LogInformation("Refund {RefundId} of order {OrderNumber} not booked: {Reason}", refund.PspReference ?? refund.Id, order.OrderNumber, skip);
                continue;
            }

            var provider = RefundKeys.ProviderOf(refund.Method);
            var pspId = string.IsNullOrWhiteSpace(refund.PspReference) ? "centra-" + refund.Id : refund.PspReference.Trim();
            var row = await exactlyOnce.OpenAsync<RefundPhase>(
                new LedgerKey(integration.Id, PayoutFlows.Refunds, RefundKeys.EntityKey(provider, pspId)), owner, item.CorrelationId, Hold, ct);
            if (row.IsDone)
            {
                booked++;
                continue;
            }

            if (row.HeldByOther)
                throw new LeaseHeldException(row.Key, row.Entry.LeaseUntil);
            if (row.Entry.Status == LedgerStatus.Failed && row.Entry.ErrorCode is ErrorCodes.RefundCurrencyMismatch or ErrorCodes.RefundExceedsInvoice)
            {
                failed++; // the amounts in Centra do not change: left for the operator
                continue;
            }

            row.Note(SourceFact, "centra");
            row.Note("order", order.OrderNumber);
            if (invoiceNumber is null)
            {
                if (await WaitForInvoiceAsync(integration, item, order, refund, row, ct))
                    waiting++;
                else
                    failed++;
                continue;
            }

            var invoice = await settle.GetInvoiceDocumentAsync(integration, invoiceNumber, ct);
            var check = Check(order, refund, invoice, refundedSoFar);
            if (check is { } problem)
            {
                failed++;
                await row.FailAsync(problem.Code, problem.Message, CancellationToken.None);
                await Event(integration.Id, row.Key.EntityKey, item, EventSeverity.Error, problem.Message, problem.Code, ct);
                continue;
            }

            if (await GivingBackOnFailureAsync(row, () => BookCreditNoteAsync(integration, settle, erp, item, order, refund, provider, pspId, invoice, row, ct)))
                created++;
            else
                booked++;
        }

        var result = new RefundSyncResult(
            waiting > 0 ? SyncOutcome.Requeued : failed > 0 ? SyncOutcome.Failed : created > 0 ? SyncOutcome.Done : SyncOutcome.AlreadyDone,
            waiting > 0 ? ErrorCodes.RefundInvoiceNotFound : null)
        {
            Refunds = order.Refunds.Count,
            CreditNotes = created,
            AlreadyBooked = booked,
            Failed = failed,
        };
        if (waiting > 0)
        {
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.Replay },
                TimeSpan.FromMinutes(Math.Max(1, integration.Payouts.UnmatchedRetryMinutes)), ct);
        }

        logger.LogInformation("Refunds of order {OrderNumber}: {Refunds} in the shop, {Created} credit notes created, {Booked} already booked, {Failed} failed, {Waiting} waiting for the invoice",
            order.OrderNumber, order.Refunds.Count, created, booked, failed, waiting);
        return result;
    }

    /// <summary>The checks before any write; null when the refund may be booked.</summary>
    public static (string Code, string Message)? Check(ShopOrder order, ShopRefund refund, ErpInvoiceDocument invoice, decimal refundedSoFar)
    {
        if (!string.Equals(refund.Currency, invoice.Header.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return (ErrorCodes.RefundCurrencyMismatch,
                $"Refund {refund.PspReference ?? refund.Id} of order {order.OrderNumber} is in {refund.Currency}, invoice {invoice.Header.Number} in {invoice.Header.Currency}: a credit note applied to it must be in the invoice's currency. Nothing was booked for this refund.");
        }

        if (refundedSoFar > invoice.Header.Amount)
        {
            return (ErrorCodes.RefundExceedsInvoice,
                $"Refund {refund.PspReference ?? refund.Id} of order {order.OrderNumber} ({Money(refund.Amount)} {refund.Currency}) brings the order's refunds to {Money(refundedSoFar)}, " +
                $"more than invoice {invoice.Header.Number} totals ({Money(invoice.Header.Amount)}; {Money(refundedSoFar - invoice.Header.Amount)} too much). Nothing was booked for this refund.");
        }

        return null;
    }

    /// <summary>
    /// The order has no invoice yet: the refund waits (row Pending with REFUND_INVOICE_NOT_FOUND, first seen kept)
    /// and the order is re-queued, until payouts.unmatchedRetryHours have passed since it was first seen (then Failed).
    /// Returns true while it keeps waiting.
    /// </summary>
    private async Task<bool> WaitForInvoiceAsync(Integration integration, WorkItem item, ShopOrder order, ShopRefund refund, Work<RefundPhase> row, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var first = DateTimeOffset.TryParse(row.Entry.Facts.GetValueOrDefault(FirstSeenFact), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var f) ? f : now;
        row.Note(FirstSeenFact, first.ToString("O", CultureInfo.InvariantCulture));
        var message = $"Refund {refund.PspReference ?? refund.Id} of order {order.OrderNumber} ({Money(refund.Amount)} {refund.Currency}) has no invoice to credit yet " +
                      $"(reference {integration.Orders.ReferencePrefix}{order.OrderNumber}); nothing was booked, it is retried when the invoice appears.";
        if (now - first >= TimeSpan.FromHours(integration.Payouts.UnmatchedRetryHours))
        {
            await row.FailAsync(ErrorCodes.RefundInvoiceNotFound, message + " Retries are exhausted (Payouts.UnmatchedRetryHours).", CancellationToken.None);
            await Event(integration.Id, row.Key.EntityKey, item, EventSeverity.Error, message + " Retries are exhausted.", ErrorCodes.RefundInvoiceNotFound, ct);
            return false;
        }

        await row.ReleaseAsync(ErrorCodes.RefundInvoiceNotFound, message, CancellationToken.None);
        if (first == now)
            await Event(integration.Id, row.Key.EntityKey, item, EventSeverity.Warning, message, ErrorCodes.RefundInvoiceNotFound, ct);
        return true;
    }

    private async Task<bool> BookCreditNoteAsync(
        Integration integration, IErpSettlements settle, IErpAdapter erp, WorkItem item, ShopOrder order, ShopRefund refund, string provider, string pspId,
        ErpInvoiceDocument invoice, Work<RefundPhase> row, CancellationToken ct)
    {
        var reference = RefundKeys.Reference(provider, pspId);
        var apply = string.Equals(invoice.Header.Status, "Open", StringComparison.OrdinalIgnoreCase) && invoice.Header.Balance >= refund.Amount;
        var date = DateOnly.FromDateTime((refund.CreatedAt == DateTimeOffset.MinValue ? time.GetUtcNow() : refund.CreatedAt).UtcDateTime);
        var draft = CreditNotes.Draft(invoice, refund.Amount, reference, date, Trim($"Centra refund {pspId} of order {order.OrderNumber}"), apply);
        var note = await row.CreateOnceAsync(
            PayoutSyncHandler.CreditNoteStep,
            RefundPhase.CreditNoteCreateAttempted,
            findExisting: async () => (await settle.FindCreditNotesAsync(integration, reference, ct)).Select(n => n.Number).ToList(),
            create: () => settle.CreateCreditNoteAsync(integration, draft, ct),
            duplicates: found => new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder,
                $"{found.Count} credit notes carry refund reference {reference}: {string.Join(", ", found)}."),
            ct,
            // The row never vouches for absence: the payout path may have made the credit note under the same
            // reference before this row existed here, and lost storage leaves no row. Look it up before creating.
            precheck: () => Task.FromResult<IReadOnlyList<string>?>(null));
        await row.ActOnceAsync(
            RefundPhase.CreditNoteReleaseAttempted,
            RefundPhase.CreditNoteReleased,
            isDone: async () => erp.IsReleased((await settle.GetCreditNoteAsync(integration, note.Id, ct)).Status),
            act: () => settle.ReleaseCreditNoteAsync(integration, note.Id, ct),
            ct,
            checkFirst: note.Recovered);
        row.Note("invoice", invoice.Header.Number);
        row.Note("amount", Money(refund.Amount));
        row.Note("appliedToInvoice", apply ? "true" : "false");
        await row.CompleteAsync(LedgerStatus.Done, ct);
        if (!apply)
        {
            await Event(integration.Id, row.Key.EntityKey, item, EventSeverity.Warning,
                $"Refund {pspId} of {Money(refund.Amount)} {refund.Currency} on invoice {invoice.Header.Number} (order {order.OrderNumber}) booked as credit note {note.Id}, " +
                "left as customer credit: the invoice was already settled, so book the refund payment to the customer against it in Visma.", null, ct);
        }

        return !note.Recovered;
    }

    /// <summary>A refund's row is given back when its step fails (phase kept), so the next delivery resolves by lookup or status.</summary>
    private static async Task<T> GivingBackOnFailureAsync<T>(Work<RefundPhase> row, Func<Task<T>> step)
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

    private async Task<RefundSyncResult> RequeueAsync(WorkItem item, DateTimeOffset? leaseUntil, CancellationToken ct)
    {
        var wait = (leaseUntil ?? time.GetUtcNow()) - time.GetUtcNow();
        wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxBusyWait ? MaxBusyWait : wait;
        await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, wait, ct);
        return new RefundSyncResult(SyncOutcome.Requeued, Message: "busy");
    }

    private static string Trim(string s) => s.Length <= 255 ? s : s[..255];

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private Task Event(string integrationId, string entityKey, WorkItem item, EventSeverity severity, string message, string? code, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integrationId,
            Flow = PayoutFlows.Refunds,
            EntityKey = entityKey,
            Severity = severity,
            Message = message,
            ErrorCode = code,
            Fix = code is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix,
            CorrelationId = item.CorrelationId,
            At = time.GetUtcNow(),
        }, CancellationToken.None);
}
