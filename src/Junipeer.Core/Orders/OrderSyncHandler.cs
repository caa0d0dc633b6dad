using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Junipeer.Core.Vat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Orders;

public enum SyncOutcome
{
    Done,
    AlreadyDone,
    Skipped,
    Failed,
    Requeued,
}

public sealed record SyncResult(SyncOutcome Outcome, string? ErpDocumentNumber = null, string? ErrorCode = null, string? Message = null);

/// <summary>Ledger phases of the orders flow, in order.</summary>
public static class OrderPhases
{
    public const string Claimed = "Claimed";
    public const string CustomerResolved = "CustomerResolved";
    public const string InvoiceCreateAttempted = "InvoiceCreateAttempted";
    public const string InvoiceCreated = "InvoiceCreated";
    public const string Released = "Released";
    public const string GiftPaymentAttempted = "GiftPaymentAttempted";
    public const string GiftPaymentCreated = "GiftPaymentCreated";
    public const string GiftPaymentReleased = "GiftPaymentReleased";
    public const string StatusFiltered = "StatusFiltered";
    public const string BeforeSyncFrom = "BeforeSyncFrom";
}

/// <summary>
/// One order → exactly one invoice. Claims the ledger row, maps the order (VAT decided before any
/// ERP write), finds or creates the customer, and — if an earlier attempt may have reached the ERP —
/// looks the invoice up by its reference before creating. When configured, the gift-certificate part
/// of the order becomes exactly one released customer payment against the released invoice (same
/// recipe: phase before the POST, lookup by invoice and payment reference on a later attempt). Transient failures release the lease and
/// rethrow (the queue retries); operator-fixable failures end as Failed with a code; long rate-limit
/// waits re-enqueue the item with a visibility delay.
/// </summary>
public sealed class OrderSyncHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    IErpInvoicingResolver erps,
    ISyncLedger ledger,
    CustomerResolver customers,
    IWorkQueue queue,
    IEventLog events,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<OrderSyncHandler> logger)
{
    private readonly OrderSyncOptions _opt = options.Value.Orders;

    public async Task<SyncResult> HandleAsync(WorkItem item, string invocationId, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = item.CorrelationId,
            ["IntegrationId"] = item.IntegrationId,
            ["OrderNumber"] = item.EntityKey,
        });

        var integration = await integrations.GetAsync(item.IntegrationId, ct);
        if (integration is null)
        {
            logger.LogWarning("Order {OrderNumber} for unknown integration {IntegrationId} dropped", item.EntityKey, item.IntegrationId);
            return new SyncResult(SyncOutcome.Failed, ErrorCode: ErrorCodes.IntegrationNotFound);
        }

        if (!integration.Orders.Enabled)
        {
            await Event(integration.Id, item, EventSeverity.Warning, "Orders flow is disabled; order not synced", ErrorCodes.FlowDisabled, ct);
            return new SyncResult(SyncOutcome.Skipped, ErrorCode: ErrorCodes.FlowDisabled);
        }

        var key = new LedgerKey(integration.Id, Flows.Orders, item.EntityKey);
        var claim = await ledger.ClaimAsync(key, invocationId, item.CorrelationId, TimeSpan.FromSeconds(_opt.LeaseSeconds), ct);
        switch (claim.Outcome)
        {
            case ClaimOutcome.AlreadyDone:
                logger.LogInformation("Order {OrderNumber} already invoiced as {Invoice}", item.EntityKey, claim.Entry.ErpDocumentNumber);
                return new SyncResult(SyncOutcome.AlreadyDone, claim.Entry.ErpDocumentNumber);
            case ClaimOutcome.Busy:
                // Someone else holds the lease. Come back after it lapses rather than drop the work.
                var wait = (claim.Entry.LeaseUntil ?? time.GetUtcNow()) - time.GetUtcNow() + TimeSpan.FromSeconds(5);
                await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, wait < TimeSpan.Zero ? TimeSpan.FromSeconds(5) : wait, ct);
                return new SyncResult(SyncOutcome.Requeued, Message: "busy");
        }

        var entry = claim.Entry;
        try
        {
            return await SyncAsync(integration, item, entry, ct);
        }
        catch (JunipeerException ex) when (ex.RetryAfter is { } after && item.Requeues < _opt.MaxRequeues)
        {
            // The connector already waited out short Retry-After values in-process; a long wait
            // must not hold the function, so the item goes back on the queue with a delay.
            var retryAfter = after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after;
            await Release(key, ex, ct);
            logger.LogWarning("Rate limited ({Code}); order {OrderNumber} re-queued in {Delay}", ex.Code, item.EntityKey, retryAfter);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.RateLimited }, retryAfter, ct);
            return new SyncResult(SyncOutcome.Requeued, ErrorCode: ex.Code, Message: ex.Message);
        }
        catch (JunipeerException ex) when (!ex.Retryable || ex.RetryAfter is not null)
        {
            return await Fail(integration.Id, key, item, ex.Code, ex.Message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Transient: keep the phase (so a create that may have happened is looked up next time),
            // release the lease, and let the queue redeliver.
            await Release(key, ex, ct);
            logger.LogWarning(ex, "Order {OrderNumber} failed transiently; the queue will retry", item.EntityKey);
            throw;
        }
    }

    private async Task<SyncResult> SyncAsync(Integration integration, WorkItem item, LedgerEntry entry, CancellationToken ct)
    {
        var order = await shop.GetOrderAsync(integration, item.EntityKey, ct)
            ?? throw new JunipeerException(ErrorCodes.OrderNotFoundInShop, $"Centra has no order {item.EntityKey}.");

        if (!integration.Orders.StatusesToSync.Contains(order.Status, StringComparer.OrdinalIgnoreCase))
        {
            await ledger.SaveAsync(entry with { Status = LedgerStatus.Skipped, Phase = $"{OrderPhases.StatusFiltered}:{order.Status}", LeaseOwner = null, LeaseUntil = null, UpdatedAt = time.GetUtcNow() }, ct);
            return new SyncResult(SyncOutcome.Skipped, Message: $"status {order.Status} is not synced");
        }

        if (integration.Orders.SyncFrom is { } from && order.OrderDate < from)
        {
            await ledger.SaveAsync(entry with { Status = LedgerStatus.Skipped, Phase = OrderPhases.BeforeSyncFrom, LeaseOwner = null, LeaseUntil = null, UpdatedAt = time.GetUtcNow() }, ct);
            return new SyncResult(SyncOutcome.Skipped, Message: "order is older than Orders.SyncFrom");
        }

        // Decide VAT and map the whole invoice before anything is written to the ERP.
        var erp = erps.For(integration);
        var vat = VatEngine.Decide(integration.Vat, new VatInput(
            order.ShippingAddress.CountryCode ?? order.BillingAddress.CountryCode ?? "",
            order.ShippingAddress.ZipCode,
            order.IsWholesale || !string.IsNullOrWhiteSpace(order.BillingAddress.CompanyName) || !string.IsNullOrWhiteSpace(order.BillingAddress.VatNumber),
            order.BillingAddress.VatNumber ?? order.ShippingAddress.VatNumber));
        var categories = await erp.GetVatCategoriesAsync(integration, ct);
        var draft = InvoiceMapper.Map(order, vat, categories, integration.Orders, entry.ErpCustomerNumber ?? "?");

        if (entry.ErpCustomerNumber is null)
        {
            var customer = await customers.ResolveAsync(integration, erp, order, vat, ct);
            entry = await ledger.SaveAsync(entry with { ErpCustomerNumber = customer, Phase = Max(entry.Phase, OrderPhases.CustomerResolved), UpdatedAt = time.GetUtcNow() }, ct);
        }

        draft = draft with { CustomerNumber = entry.ErpCustomerNumber! };
        var facts = Facts(order, vat, draft);
        if (entry.Facts.TryGetValue(GiftPaymentNumberFact, out var knownPayment))
        {
            facts[GiftPaymentNumberFact] = knownPayment;
        }

        if (entry.ErpDocumentNumber is null)
        {
            (entry, var number) = await CreateOnceAsync(entry, OrderPhases.InvoiceCreateAttempted, facts, "invoice", order.OrderNumber,
                async () => (await erp.FindInvoicesByReferenceAsync(integration, draft.Reference, ct)).Select(i => i.Number).ToList(),
                () => erp.CreateInvoiceAsync(integration, draft, ct),
                found => new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder,
                    $"{found.Count} invoices carry reference {draft.Reference}: {string.Join(", ", found)}."),
                ct);
            entry = await ledger.SaveAsync(entry with { ErpDocumentNumber = number, Phase = OrderPhases.InvoiceCreated, Facts = facts, UpdatedAt = time.GetUtcNow() }, ct);
        }

        if (integration.Orders.ReleaseInvoices && Before(entry.Phase, OrderPhases.Released))
        {
            await erp.ReleaseInvoiceAsync(integration, entry.ErpDocumentNumber!, ct);
            entry = entry with { Phase = OrderPhases.Released };
        }

        var gift = order.GiftCertificateTotal;
        var giftNote = "";
        if (integration.Orders.GiftCertificatePayment is { } giftSettings && gift > 0)
        {
            if (integration.Orders.ReleaseInvoices)
            {
                entry = await ApplyGiftPaymentAsync(integration, erp, giftSettings, order, draft, gift, entry, facts, ct);
                giftNote = $"; gift certificate {Money(gift)} {order.Currency} booked as payment {facts[GiftPaymentNumberFact]}";
            }
            else
            {
                // A payment can only be applied to a released invoice: say so, do not fail the order.
                await Event(integration.Id, item, EventSeverity.Warning,
                    $"Gift certificate {Money(gift)} {order.Currency} of order {order.OrderNumber} was not booked as a payment: invoices are not released " +
                    $"(Orders.ReleaseInvoices is false), so invoice {entry.ErpDocumentNumber} carries it in its note only. Book the payment after releasing the invoice.",
                    null, ct);
            }
        }

        await ledger.SaveAsync(entry with
        {
            Status = LedgerStatus.Done,
            LeaseOwner = null,
            LeaseUntil = null,
            ErrorCode = null,
            ErrorMessage = null,
            Facts = facts,
            UpdatedAt = time.GetUtcNow(),
        }, ct);
        await Event(integration.Id, item, EventSeverity.Info,
            $"Invoice {entry.ErpDocumentNumber} {(integration.Orders.ReleaseInvoices ? "created and released" : "created")} for order {order.OrderNumber} ({vat.Case}, {Money(order.GrandTotal)} {order.Currency}){giftNote}",
            null, ct);
        return new SyncResult(SyncOutcome.Done, entry.ErpDocumentNumber);
    }

    /// <summary>
    /// The gift-certificate part of the order as one customer payment applied to the (released)
    /// invoice, exactly once: phase GiftPaymentAttempted is written before the POST; a later attempt
    /// in that phase looks the invoice's payments up and matches the payment reference before creating.
    /// </summary>
    private async Task<LedgerEntry> ApplyGiftPaymentAsync(
        Integration integration,
        IErpInvoicing erp,
        GiftCertificatePaymentSettings settings,
        ShopOrder order,
        ErpInvoiceDraft invoice,
        decimal gift,
        LedgerEntry entry,
        Dictionary<string, string> facts,
        CancellationToken ct)
    {
        var invoiceNumber = entry.ErpDocumentNumber!;
        var reference = GiftPaymentReference(invoice.Reference);
        if (!facts.TryGetValue(GiftPaymentNumberFact, out var number))
        {
            (entry, number) = await CreateOnceAsync(entry, OrderPhases.GiftPaymentAttempted, facts, "gift-certificate payment", order.OrderNumber,
                async () => (await erp.FindPaymentsForInvoiceAsync(integration, invoiceNumber, ct))
                    .Where(p => string.Equals(p.Reference, reference, StringComparison.Ordinal)).Select(p => p.Number).ToList(),
                () => erp.CreatePaymentAsync(integration, new ErpPaymentDraft
                {
                    CustomerNumber = entry.ErpCustomerNumber!,
                    Date = invoice.DocumentDate,
                    CurrencyId = invoice.CurrencyId,
                    Reference = reference,
                    PaymentMethodId = settings.PaymentMethodId,
                    CashAccount = settings.CashAccount,
                    Amount = gift,
                    InvoiceNumber = invoiceNumber,
                    Text = $"Gift certificate, webshop order {order.OrderNumber}",
                }, ct),
                found => new JunipeerException(ErrorCodes.DuplicatePaymentForOrder,
                    $"{found.Count} payments with reference {reference} are applied to invoice {invoiceNumber}: {string.Join(", ", found)}."),
                ct);

            facts[GiftPaymentNumberFact] = number;
            entry = await ledger.SaveAsync(entry with { Phase = OrderPhases.GiftPaymentCreated, Facts = facts, UpdatedAt = time.GetUtcNow() }, ct);
        }

        if (Before(entry.Phase, OrderPhases.GiftPaymentReleased))
        {
            await erp.ReleasePaymentAsync(integration, number, ct);
            entry = entry with { Phase = OrderPhases.GiftPaymentReleased };
        }

        return entry;
    }

    /// <summary>
    /// The exactly-once recipe for one ERP create that has no idempotency key: when the ledger says
    /// an earlier attempt may have reached the ERP (phase <paramref name="attemptedPhase"/>), look
    /// the document up by its deterministic reference first; otherwise (or when nothing is found)
    /// record the attempt, then create. Never a blind second POST.
    /// </summary>
    private async Task<(LedgerEntry Entry, string Number)> CreateOnceAsync(
        LedgerEntry entry,
        string attemptedPhase,
        Dictionary<string, string> facts,
        string what,
        string orderNumber,
        Func<Task<List<string>>> findExisting,
        Func<Task<string>> create,
        Func<List<string>, JunipeerException> duplicates,
        CancellationToken ct)
    {
        if (entry.Phase == attemptedPhase)
        {
            var found = await findExisting();
            if (found.Count > 1)
            {
                throw duplicates(found);
            }

            if (found.Count == 1)
            {
                logger.LogInformation("Recovered {What} {Number} for order {OrderNumber} by reference", what, found[0], orderNumber);
                return (entry, found[0]);
            }
        }

        entry = await ledger.SaveAsync(entry with { Phase = attemptedPhase, Facts = facts, UpdatedAt = time.GetUtcNow() }, ct);
        return (entry, await create());
    }

    /// <summary>Ledger fact holding the ERP number of the gift-certificate payment.</summary>
    public const string GiftPaymentNumberFact = "giftPaymentNumber";

    /// <summary>Payment reference of the gift-certificate payment: <c>GC-</c> + the invoice reference.</summary>
    public static string GiftPaymentReference(string invoiceReference) => "GC-" + invoiceReference;

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Facts(ShopOrder order, VatDecision vat, ErpInvoiceDraft draft) => new()
    {
        ["vatCase"] = vat.Case.ToString(),
        ["vatMapping"] = vat.MappingKey,
        ["currency"] = order.Currency,
        ["grandTotal"] = order.GrandTotal.ToString(CultureInfo.InvariantCulture),
        ["vatTotal"] = order.VatTotal.ToString(CultureInfo.InvariantCulture),
        ["reference"] = draft.Reference,
        ["giftCertificates"] = order.GiftCertificateTotal.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly string[] PhaseOrder =
    [
        OrderPhases.Claimed, OrderPhases.CustomerResolved, OrderPhases.InvoiceCreateAttempted, OrderPhases.InvoiceCreated, OrderPhases.Released,
        OrderPhases.GiftPaymentAttempted, OrderPhases.GiftPaymentCreated, OrderPhases.GiftPaymentReleased,
    ];

    private static string Max(string current, string next) =>
        Array.IndexOf(PhaseOrder, current) >= Array.IndexOf(PhaseOrder, next) ? current : next;

    /// <summary>True when <paramref name="current"/> comes before <paramref name="phase"/> (unknown phases count as before).</summary>
    private static bool Before(string current, string phase) => Array.IndexOf(PhaseOrder, current) < Array.IndexOf(PhaseOrder, phase);

    private async Task Release(LedgerKey key, Exception ex, CancellationToken ct)
    {
        var current = await ledger.GetAsync(key, ct);
        if (current is null)
        {
            return;
        }

        var code = ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable;
        try
        {
            await ledger.SaveAsync(current with
            {
                Status = LedgerStatus.Pending,
                LeaseOwner = null,
                LeaseUntil = null,
                ErrorCode = code,
                ErrorMessage = Trim(ex.Message),
                UpdatedAt = time.GetUtcNow(),
            }, CancellationToken.None);
        }
        catch (LedgerConflictException)
        {
            // Someone else moved the row on; their state wins.
        }
    }

    private async Task<SyncResult> Fail(string integrationId, LedgerKey key, WorkItem item, string code, string message, CancellationToken ct)
    {
        var current = await ledger.GetAsync(key, ct);
        if (current is not null)
        {
            await ledger.SaveAsync(current with
            {
                Status = LedgerStatus.Failed,
                LeaseOwner = null,
                LeaseUntil = null,
                ErrorCode = code,
                ErrorMessage = Trim(message),
                UpdatedAt = time.GetUtcNow(),
            }, CancellationToken.None);
        }

        logger.LogError("Order {OrderNumber} failed with {ErrorCode}: {Message}", item.EntityKey, code, message);
        await Event(integrationId, item, EventSeverity.Error, message, code, ct);
        return new SyncResult(SyncOutcome.Failed, current?.ErpDocumentNumber, code, message);
    }

    private Task Event(string integrationId, WorkItem item, EventSeverity severity, string message, string? code, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integrationId,
            Flow = Flows.Orders,
            EntityKey = item.EntityKey,
            Severity = severity,
            Message = message,
            ErrorCode = code,
            Fix = code is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix,
            CorrelationId = item.CorrelationId,
            At = time.GetUtcNow(),
        }, CancellationToken.None);

    private static string Trim(string s) => s.Length <= 2000 ? s : s[..2000];
}
