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

/// <summary>The orders flow's phase sequence, in order. Stored by name; an unknown name is an error.</summary>
public enum OrderPhase
{
    New,
    InvoiceCreateAttempted,
    InvoiceReleaseAttempted,
    InvoiceReleased,
    GiftPaymentCreateAttempted,
    GiftPaymentReleaseAttempted,
    GiftPaymentReleased,
}

/// <summary>Document steps of an order's ledger row (step → ERP id).</summary>
public static class OrderDocuments
{
    public const string Customer = CustomerResolver.Step;
    public const string Invoice = "invoice";
    public const string GiftPayment = "giftPayment";
}

/// <summary>Ledger facts of an order's row.</summary>
public static class OrderFacts
{
    /// <summary>Centra's own updatedAt of the order as last read (round-trip "O"): the sweep's "unchanged" test.</summary>
    public const string ShopUpdatedAt = "shopUpdatedAt";

    /// <summary>The invoice reference used by the first attempt; later lookups use it, not today's prefix.</summary>
    public const string Reference = "reference";

    /// <summary>
    /// Set when the invoice was found in the ERP rather than created by this row (storage lost, or an
    /// uncertain attempt): later documents of the order (the gift payment) are then looked up first.
    /// </summary>
    public const string InvoiceFoundInErp = "invoiceFoundInErp";

    /// <summary>Why the order was skipped (status filter, before SyncFrom, not this integration's).</summary>
    public const string SkipReason = "skipReason";
}

/// <summary>
/// One order → exactly one invoice (released), plus exactly one gift-certificate payment when
/// configured. Business steps only; the exactly-once recipe (fenced lease, attempted phases,
/// lookup or status after uncertainty, conditional release/fail) is <see cref="ExactlyOnce"/>'s.
/// Transient failures give the row back and rethrow (the queue retries); operator-fixable failures
/// end as Failed with a code; long rate-limit waits and busy rows re-enqueue the item with a delay.
/// </summary>
public sealed class OrderSyncHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    IErpResolver erps,
    ExactlyOnce exactlyOnce,
    RecentDocumentIndex index,
    CustomerResolver customers,
    IWorkQueue queue,
    IEventLog events,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<OrderSyncHandler> logger,
    Shadow.ShadowOrderSync shadow,
    OperatorAlerts alerts)
{
    /// <summary>Index kind of customer invoices.</summary>
    public const string InvoiceIndexKind = "customer-invoice";

    private readonly OrderSyncOptions _opt = options.Value.Orders;
    private readonly IndexPolicy _indexPolicy = new(
        TimeSpan.FromSeconds(options.Value.Orders.DocumentIndexRefreshSeconds),
        TimeSpan.FromDays(options.Value.Orders.DocumentIndexWindowDays),
        TimeSpan.FromSeconds(options.Value.Orders.LeaseSeconds));

    private TimeSpan Hold => TimeSpan.FromSeconds(_opt.LeaseSeconds);

    public async Task<SyncResult> HandleAsync(WorkItem item, string invocationId, CancellationToken ct)
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
            logger.LogWarning("Order {OrderNumber} for unknown integration {IntegrationId} dropped", item.EntityKey, item.IntegrationId);
            return new SyncResult(SyncOutcome.Failed, ErrorCode: ErrorCodes.IntegrationNotFound);
        }

        if (!integration.Orders.Enabled)
        {
            await Event(integration.Id, item, EventSeverity.Warning, "Orders flow is disabled; order not synced", ErrorCodes.FlowDisabled, ct);
            return new SyncResult(SyncOutcome.Skipped, ErrorCode: ErrorCodes.FlowDisabled);
        }

        if (integration.Mode == IntegrationMode.Shadow)
        {
            // Shadow mode: read-only by construction (no ledger row, the ERP behind ReadOnlyErp).
            var shadowed = await shadow.RunAsync(integration, item, ct);
            return shadowed.Outcome == Shadow.ShadowOutcome.Failed
                ? new SyncResult(SyncOutcome.Failed, ErrorCode: shadowed.ErrorCode, Message: shadowed.Message)
                : new SyncResult(SyncOutcome.Skipped, Message: $"shadow: {shadowed.Outcome}");
        }

        var work = await exactlyOnce.OpenAsync<OrderPhase>(new LedgerKey(integration.Id, Flows.Orders, item.EntityKey), invocationId, item.CorrelationId, Hold, ct);
        if (work.IsDone)
        {
            logger.LogInformation("Order {OrderNumber} already invoiced as {Invoice}", item.EntityKey, work.Document(OrderDocuments.Invoice));
            return new SyncResult(SyncOutcome.AlreadyDone, work.Document(OrderDocuments.Invoice));
        }

        // A webhook can arrive before the order is readable in Centra: retried with backoff for a bounded
        // time, nothing written; the sweep still finds the order later either way.
        return await WorkOutcomes.RunAsync(work, item, queue, time, _opt.MaxRequeues, logger,
            () => SyncAsync(integration, item, work, invocationId, ct),
            ex => FailAsync(integration.Id, work, item, ex.Code, ex.Message, ct),
            ct,
            retryLater: ex => ex.Code == ErrorCodes.OrderNotFoundInShop ? NotFoundRetryLeft(item) : null);
    }

    private async Task<SyncResult> SyncAsync(Integration integration, WorkItem item, Work<OrderPhase> work, string owner, CancellationToken ct)
    {
        var order = await shop.GetOrderAsync(integration, item.EntityKey, ct)
            ?? throw new JunipeerException(ErrorCodes.OrderNotFoundInShop, $"Centra has no order {item.EntityKey}.");
        work.Note(OrderFacts.ShopUpdatedAt, order.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));

        if (!work.Reached(OrderPhase.InvoiceCreateAttempted) && SkipReason(integration, order) is { } skip)
        {
            work.Note(OrderFacts.SkipReason, skip);
            await work.CompleteAsync(LedgerStatus.Skipped, ct, skip);
            return new SyncResult(SyncOutcome.Skipped, Message: skip);
        }

        // Decide VAT and map the whole invoice before anything is written to the ERP.
        var erp = erps.For(integration);
        var vat = DecideVat(integration, order);
        var categories = await erp.ReferenceData.GetVatCategoriesAsync(integration, ct);
        var draft = InvoiceMapper.Map(order, vat, categories, integration.Orders, work.Document(OrderDocuments.Customer) ?? "?");

        var customer = work.Document(OrderDocuments.Customer)
                       ?? await customers.ResolveAsync(integration, erp.Customers, order, vat, owner, item.CorrelationId, Hold, ct);
        work.Remember(OrderDocuments.Customer, customer);

        // The reference of the first attempt wins over today's prefix: a prefix changed before a
        // replay must not hide the invoice that attempt may have created.
        var storedReference = work.Entry.Facts.GetValueOrDefault(OrderFacts.Reference);
        var reference = storedReference ?? draft.Reference;
        draft = draft with { CustomerNumber = customer, Reference = reference };
        work.Note(Facts(order, vat, draft));

        // With no attempt on record, the invoice may carry a prefix used before (prefix changed, ledger lost).
        IReadOnlyList<string> candidates = storedReference is not null ? [storedReference] : integration.Orders.ReferencesFor(order.OrderNumber);
        string? matchedReference = null;
        async Task<IReadOnlyList<string>> FindAnyAsync()
        {
            var numbers = new List<string>();
            foreach (var candidate in candidates)
            {
                var found = await erp.Invoices.FindInvoicesByReferenceAsync(integration, candidate, ct);
                if (found.Count > 0)
                    matchedReference ??= candidate;
                numbers.AddRange(found.Select(i => i.Number));
            }

            return numbers;
        }

        async Task<IReadOnlyList<string>?> IndexedAnyAsync()
        {
            var allAbsent = true;
            foreach (var candidate in candidates)
            {
                var known = await IndexedAsync(integration, erp, candidate, order.OrderDate, ct);
                if (known is { Count: > 0 })
                {
                    matchedReference = candidate;
                    return known;
                }

                allAbsent &= known is not null;
            }

            return allAbsent ? [] : null;
        }

        if (work.Phase == OrderPhase.InvoiceCreateAttempted && work.Document(OrderDocuments.Invoice) is null && SkipReason(integration, order) is { } lateSkip)
        {
            // The order changed (e.g. cancelled) after an attempt whose outcome is unknown: if that
            // attempt left no invoice, none is made now; if it did, the invoice is kept and booked.
            var existing = await erp.Invoices.FindInvoicesByReferenceAsync(integration, reference, ct);
            if (existing.Count == 0)
            {
                work.Note(OrderFacts.SkipReason, lateSkip);
                await work.CompleteAsync(LedgerStatus.Skipped, ct, lateSkip);
                return new SyncResult(SyncOutcome.Skipped, Message: lateSkip);
            }
        }

        var invoice = await work.CreateOnceAsync(
            OrderDocuments.Invoice,
            OrderPhase.InvoiceCreateAttempted,
            findExisting: FindAnyAsync,
            create: () => erp.Invoices.CreateInvoiceAsync(integration, draft, ct),
            duplicates: found => new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder,
                $"{found.Count} invoices carry reference {string.Join(" or ", candidates)}: {string.Join(", ", found)}."),
            ct,
            precheck: IndexedAnyAsync);
        if (invoice.Recovered && matchedReference is not null && matchedReference != reference)
        {
            // Found under an earlier prefix: that reference is the invoice's from here on.
            reference = matchedReference;
            draft = draft with { Reference = reference };
            work.Note(OrderFacts.Reference, reference);
        }

        index.Remember(integration.Id, InvoiceIndexKind, reference, invoice.Id);
        if (invoice.Recovered)
            work.Note(OrderFacts.InvoiceFoundInErp, "true");
        var invoiceFound = work.Entry.Facts.ContainsKey(OrderFacts.InvoiceFoundInErp);

        if (integration.Orders.ReleaseInvoices)
        {
            await work.ActOnceAsync(
                OrderPhase.InvoiceReleaseAttempted,
                OrderPhase.InvoiceReleased,
                isDone: async () => erp.IsReleased((await erp.Invoices.GetInvoiceAsync(integration, invoice.Id, ct)).Status),
                act: () => erp.Invoices.ReleaseInvoiceAsync(integration, invoice.Id, ct),
                ct,
                checkFirst: invoice.Recovered);
        }

        var gift = order.GiftCertificateTotal;
        var giftNote = "";
        if (integration.Orders.GiftCertificatePayment is { } giftSettings && gift > 0)
        {
            if (integration.Orders.ReleaseInvoices)
            {
                var payment = await BookGiftPaymentAsync(integration, erp, giftSettings, order, draft, gift, invoice.Id, invoiceFound, work, ct);
                giftNote = $"; gift certificate {Money(gift)} {order.Currency} booked as payment {payment}";
            }
            else
            {
                // A payment can only be applied to a released invoice: say so, do not fail the order.
                await Event(integration.Id, item, EventSeverity.Warning,
                    $"Gift certificate {Money(gift)} {order.Currency} of order {order.OrderNumber} was not booked as a payment: invoices are not released " +
                    $"(Orders.ReleaseInvoices is false), so invoice {invoice.Id} carries it in its note only. Book the payment after releasing the invoice.",
                    null, ct);
            }
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        await Event(integration.Id, item, EventSeverity.Info,
            $"Invoice {invoice.Id} {(invoice.Recovered ? "found in the ERP by reference" : integration.Orders.ReleaseInvoices ? "created and released" : "created")} for order {order.OrderNumber} ({vat.Case}, {Money(order.GrandTotal)} {order.Currency}){giftNote}",
            null, ct);
        return new SyncResult(SyncOutcome.Done, invoice.Id);
    }

    /// <summary>
    /// The gift-certificate part of the order as one customer payment applied to the released
    /// invoice, exactly once: looked up among the invoice's payments by its reference after an
    /// uncertain attempt; its release resolved by the payment's status.
    /// </summary>
    private static async Task<string> BookGiftPaymentAsync(
        Integration integration,
        IErpAdapter erp,
        GiftCertificatePaymentSettings settings,
        ShopOrder order,
        ErpInvoiceDraft invoice,
        decimal gift,
        string invoiceNumber,
        bool invoiceRecovered,
        Work<OrderPhase> work,
        CancellationToken ct)
    {
        var reference = GiftPaymentReference(invoice.Reference);
        var payment = await work.CreateOnceAsync(
            OrderDocuments.GiftPayment,
            OrderPhase.GiftPaymentCreateAttempted,
            findExisting: async () => (await erp.Payments.FindPaymentsForInvoiceAsync(integration, invoiceNumber, ct))
                .Where(p => string.Equals(p.Reference, reference, StringComparison.Ordinal)).Select(p => p.Number).ToList(),
            create: () => erp.Payments.CreatePaymentAsync(integration, new ErpPaymentDraft
            {
                CustomerNumber = invoice.CustomerNumber,
                Date = invoice.DocumentDate,
                CurrencyId = invoice.CurrencyId,
                Reference = reference,
                PaymentMethodId = settings.PaymentMethodId,
                CashAccount = settings.CashAccount,
                Amount = gift,
                InvoiceNumber = invoiceNumber,
                Text = $"Gift certificate, webshop order {order.OrderNumber}",
            }, ct),
            duplicates: found => new JunipeerException(ErrorCodes.DuplicatePaymentForOrder,
                $"{found.Count} payments with reference {reference} are applied to invoice {invoiceNumber}: {string.Join(", ", found)}."),
            ct,
            // An invoice this worker found rather than created (storage lost, or another attempt made it)
            // may carry its payment already: the ledger cannot vouch, so read the invoice's payments first.
            precheck: invoiceRecovered ? () => Task.FromResult<IReadOnlyList<string>?>(null) : null);

        await work.ActOnceAsync(
            OrderPhase.GiftPaymentReleaseAttempted,
            OrderPhase.GiftPaymentReleased,
            isDone: async () => erp.IsReleased((await erp.Payments.GetPaymentAsync(integration, payment.Id, ct)).Status),
            act: () => erp.Payments.ReleasePaymentAsync(integration, payment.Id, ct),
            ct,
            checkFirst: payment.Recovered);
        return payment.Id;
    }

    /// <summary>
    /// The cheap existence check for an order with no attempt on record: the index of recent ERP
    /// invoices answers in memory; when it cannot vouch (order outside its window, storage lost too
    /// recently) the caller asks the ERP by reference.
    /// </summary>
    private async Task<IReadOnlyList<string>?> IndexedAsync(Integration integration, IErpAdapter erp, string reference, DateTimeOffset orderDate, CancellationToken ct)
    {
        var (answer, number) = await index.LookupAsync(integration.Id, InvoiceIndexKind, reference, orderDate, _indexPolicy,
            async (since, token) => (await erp.Invoices.ListInvoicesModifiedSinceAsync(integration, since, token))
                .Where(i => i.Reference is not null)
                .Select(i => new IndexedDocument(i.Reference!, i.Number, i.LastModified))
                .ToList(),
            ct);
        return answer switch
        {
            IndexAnswer.Found => [number!],
            IndexAnswer.Absent => [],
            _ => null,
        };
    }

    /// <summary>The order's VAT decision (shared with the shadow path).</summary>
    internal static VatDecision DecideVat(Integration integration, ShopOrder order) =>
        VatEngine.Decide(integration.Vat, new VatInput(
            order.ShippingAddress.CountryCode ?? order.BillingAddress.CountryCode ?? "",
            order.ShippingAddress.ZipCode,
            order.IsWholesale || !string.IsNullOrWhiteSpace(order.BillingAddress.CompanyName) || !string.IsNullOrWhiteSpace(order.BillingAddress.VatNumber),
            order.BillingAddress.VatNumber ?? order.ShippingAddress.VatNumber,
            order.ShippingAddress.City));

    /// <summary>Why a live run would not invoice the order (null: it would), shared with the shadow path.</summary>
    internal static string? SkipReason(Integration integration, ShopOrder order)
    {
        // Several integrations on one store: an order another integration owns is never invoiced here.
        if (!OrderOwnership.Owns(integration, order))
            return "order belongs to another integration on this store (Shop.Centra.OrderFilter)";
        if (!integration.Orders.StatusesToSync.Contains(order.Status, StringComparer.OrdinalIgnoreCase))
            return $"status {order.Status} is not synced";
        if (integration.Orders.SyncFrom is { } from && order.OrderDate < from)
            return "order is older than Orders.SyncFrom";
        if (integration.Mode == IntegrationMode.Live && integration.CutOverDate is { } cutOver && order.OrderDate < cutOver)
            return $"order placed before the cut-over date {cutOver.ToString("O", CultureInfo.InvariantCulture)} (placed {order.OrderDate.ToString("O", CultureInfo.InvariantCulture)}): shadowed only, not booked";
        return null;
    }

    private TimeSpan? NotFoundRetryLeft(WorkItem item)
    {
        if (time.GetUtcNow() - item.EnqueuedAt >= TimeSpan.FromMinutes(_opt.OrderNotFoundRetryMinutes))
            return null;
        var backoff = TimeSpan.FromSeconds(15 * Math.Pow(2, Math.Min(item.Requeues, 5)));
        return backoff > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : backoff;
    }

    private async Task<SyncResult> FailAsync(string integrationId, Work<OrderPhase> work, WorkItem item, string code, string message, CancellationToken ct)
    {
        if (!await work.FailAsync(code, message, CancellationToken.None))
            logger.LogWarning("Order {OrderNumber} failed with {ErrorCode}, but another worker changed its row; that worker's state stands", item.EntityKey, code);
        logger.LogError("Order {OrderNumber} failed with {ErrorCode}: {Message}", item.EntityKey, code, message);
        await Event(integrationId, item, EventSeverity.Error, message, code, ct);
        if (OperatorAlerts.IsAuthFailure(code))
        {
            // Not this order's fault: every order of the integration fails the same way until the credential is renewed.
            await alerts.RaiseAsync(integrationId, Flows.Orders, OperatorAlerts.SystemOf(code), ErrorCodes.ConnectionAuthFailed, $"{code}: {message}", CancellationToken.None);
        }

        return new SyncResult(SyncOutcome.Failed, work.Document(OrderDocuments.Invoice), code, message);
    }

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
        [OrderFacts.Reference] = draft.Reference,
        ["giftCertificates"] = order.GiftCertificateTotal.ToString(CultureInfo.InvariantCulture),
    };

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
}
