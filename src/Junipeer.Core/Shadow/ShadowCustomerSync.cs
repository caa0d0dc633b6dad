using Junipeer.Core.Customers;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The customer sync in shadow mode, both ways: the same deltas (own checkpoints <c>customers-from-shop-shadow</c>
/// and <c>customers-from-erp-shadow</c>), the same fingerprints, mappings and look-ups (buyer key, then e-mail) as
/// <see cref="CustomerSyncHandler"/>, but nothing is written: no ERP customer created or updated (the ERP is reached
/// through <see cref="ReadOnlyErp"/>), no Centra mutation, no mapping, fingerprint or ledger row. Each customer that a
/// live run would write ends as one <see cref="ShadowRecord"/> (flow <c>customers</c>, key <c>centra:&lt;id&gt;</c> or
/// <c>visma:&lt;number&gt;</c>): <c>create</c> or <c>update</c>, the side (<c>erp</c> / <c>shop</c>), the customer
/// class and VAT zone chosen, and the fields that differ (value now → value it would get). Conflicts (two ERP
/// customers for one buyer, two Centra customers for one e-mail, a mapped customer gone) are Failed with their code;
/// a pair with no agreed content whose ERP side is newer is noted (the live rule keeps the ERP's version).
/// </summary>
public sealed class ShadowCustomerSync(
    IErpResolver erps,
    IShopCustomers shop,
    IMappingStore mappings,
    ICheckpointStore checkpoints,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowCustomerSync> logger)
{
    public const string ErpDocument = "customer";
    public const string ShopDocument = "centraCustomer";
    private const string InStep = "the ERP customer already holds this content";

    public async Task<CustomerRunResult> RunAsync(Integration integration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var adapter = new ReadOnlyErp(erps.For(integration));
        var erp = adapter.CustomerSync
                  ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' ({integration.Erp.Kind}) cannot sync customers; turn Customers off.");
        var records = new List<ShadowRecord>();
        if (integration.Customers.ToErp)
            await FromShopAsync(integration, adapter, erp, records, ct);
        if (integration.Customers.ToShop)
        {
            // A live run stores the agreed content after each Centra → ERP write, so its ERP → Centra pass sees those
            // customers unchanged; nothing is stored in shadow, so the pairs the first pass settled are left out here.
            var settled = records.Where(r => r.CustomerNumber is not null && (r.Action == "update" || r.SkipReason == InStep))
                .Select(r => r.CustomerNumber!).ToHashSet(StringComparer.Ordinal);
            await FromErpAsync(integration, erp, records, settled, ct);
        }
        logger.LogInformation("Shadow: customer sync of {IntegrationId}: {Records} customer(s) recorded, {Writes} would be written, {Failed} failed",
            integration.Id, records.Count, records.Count(r => r.Outcome == ShadowOutcome.WouldBook), records.Count(r => r.Outcome == ShadowOutcome.Failed));
        return new CustomerRunResult
        {
            Unchanged = records.Count(r => r.Outcome == ShadowOutcome.Skipped),
            Failed = [.. records.Where(r => r.Outcome == ShadowOutcome.Failed).Select(r => (r.EntityKey, r.ErrorCode ?? "?"))],
        };
    }

    private ShadowRecord Basis(Integration integration, string key, string document, DateTimeOffset? changed) => new()
    {
        IntegrationId = integration.Id, Flow = Flows.Customers, EntityKey = key, Outcome = ShadowOutcome.Skipped, DocumentType = document,
        EntityDate = changed, RecordedAt = time.GetUtcNow(),
    };

    private static ShadowRecord Failed(ShadowRecord basis, JunipeerException ex) =>
        basis with { Outcome = ShadowOutcome.Failed, ErrorCode = ex.Code, Message = ex.Message, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix };

    // ------------------------------------------------------------------ Centra → ERP

    private async Task FromShopAsync(Integration integration, ReadOnlyErp adapter, IErpCustomerSync erp, List<ShadowRecord> records, CancellationToken ct)
    {
        var flow = Flows.CustomersFromShop + "-shadow";
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(integration.Customers.OverlapMinutes) : null;
        var newest = checkpoint;
        await foreach (var page in shop.ListCustomersChangedSinceAsync(integration, since, ct))
        {
            foreach (var customer in page)
            {
                newest = newest is null || customer.UpdatedAt > newest ? customer.UpdatedAt : newest;
                var basis = Basis(integration, "centra:" + customer.Id, ErpDocument, customer.UpdatedAt) with { Target = "erp" };
                ShadowRecord record;
                try
                {
                    record = await ToErpAsync(integration, adapter, erp, customer, basis, ct);
                }
                catch (JunipeerException ex) when (!ex.Retryable)
                {
                    record = Failed(basis, ex);
                }

                records.Add(record);
                await log.SaveAsync(record, ct);
            }
        }

        if (newest is { } n && n != checkpoint)
            await checkpoints.SetAsync(integration.Id, flow, n, ct);
    }

    private async Task<ShadowRecord> ToErpAsync(Integration integration, ReadOnlyErp adapter, IErpCustomerSync erp, ShopCustomer customer, ShadowRecord basis, CancellationToken ct)
    {
        var shopPrint = CustomerFingerprint.OfShop(customer.Data);
        if (shopPrint.Equals(CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerShopFingerprint, customer.Id, ct))))
            return basis with { SkipReason = "unchanged since the last live sync" };

        var email = CustomerFingerprint.NormalizeEmail(customer.Data.Email);
        var buyer = email is not null ? "e:" + email : "c:" + customer.Id;
        var desired = CustomerSyncHandler.Desired(integration, customer.Data);
        basis = basis with { CustomerName = desired.Draft.Name, CustomerClassId = desired.Draft.CustomerClassId, TaxZoneId = desired.Draft.VatZoneId };
        var number = await mappings.GetAsync(integration.Id, MappingKinds.CustomerByShopId, customer.Id, ct)
                     ?? await mappings.GetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, ct)
                     ?? (email is null ? null : await mappings.GetAsync(integration.Id, MappingKinds.CustomerByEmail, email, ct));
        CustomerFingerprint? baseline = null;
        if (number is null)
        {
            var key = CustomerResolver.LookupKey(buyer);
            var byKey = (await adapter.Customers.FindCustomersByKeyAsync(integration, key, ct)).Select(c => c.Number).Distinct(StringComparer.Ordinal).ToList();
            if (byKey.Count > 1)
                throw new JunipeerException(ErrorCodes.DuplicateCustomerForBuyer, $"{byKey.Count} Visma.net customers carry the buyer key {key} of Centra customer {customer.Id}: {string.Join(", ", byKey)}.");
            number = byKey.Count == 1 ? byKey[0] : email is null ? null : (await adapter.Customers.FindCustomerByEmailAsync(integration, email, ct))?.Number;
            if (number is null)
            {
                var d = desired.Draft;
                return basis with
                {
                    Outcome = ShadowOutcome.WouldBook, Action = "create",
                    Changes = Fields(
                        ("name", null, d.Name), ("email", null, d.Email), ("line1", null, d.AddressLine1), ("line2", null, d.AddressLine2), ("postalCode", null, d.PostalCode),
                        ("city", null, d.City), ("country", null, d.CountryId), ("vat", null, d.VatRegistrationId), ("customerClass", null, d.CustomerClassId), ("vatZone", null, d.VatZoneId)),
                };
            }
        }
        else
        {
            baseline = CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, number, ct));
        }

        var current = await erp.GetCustomerAsync(integration, number, ct)
                      ?? throw new JunipeerException(ErrorCodes.ErpRequestRejected, $"Visma.net customer {number} (mapped to Centra customer {customer.Id}) no longer exists; remove the mapping or restore the customer.");
        basis = basis with { CustomerNumber = number };
        if (baseline is null && integration.Customers.ToShop && current.LastModified is { } erpModified
            && CustomerSyncHandler.WholeSeconds(erpModified) > CustomerSyncHandler.WholeSeconds(customer.UpdatedAt))
        {
            return basis with
            {
                SkipReason = "the ERP customer is newer and the pair shares no agreed content: its version is kept and goes to Centra",
                Notes = [$"conflict: Centra customer {customer.Id} and Visma.net customer {number} differ and were never synced; the newer side (Visma.net) wins"],
            };
        }

        var change = CustomerSyncHandler.Change(current, desired, desired.Print.ChangedSince(baseline));
        if (change.IsEmpty)
            return basis with { SkipReason = InStep };
        var a = change.Address;
        return basis with
        {
            Outcome = ShadowOutcome.WouldBook, Action = "update",
            // What the update sends: a field it sends empty is cleared (to = null); the address goes as a whole.
            Changes = Sent(
                ("name", current.Name, change.Name, change.Name is not null), ("email", current.Email, change.Email, change.Email is not null),
                ("line1", current.Address.Line1, a?.Line1, a is not null), ("line2", current.Address.Line2, a?.Line2, a is not null),
                ("postalCode", current.Address.PostalCode, a?.PostalCode, a is not null), ("city", current.Address.City, a?.City, a is not null),
                ("country", current.Address.CountryCode, a?.CountryCode, a is not null),
                ("vat", current.VatRegistrationId, change.VatRegistrationId, change.VatRegistrationId is not null),
                ("customerClass", current.CustomerClassId, change.CustomerClassId, change.CustomerClassId is not null),
                ("vatZone", current.VatZoneId, change.VatZoneId, change.VatZoneId is not null)),
        };
    }

    // ------------------------------------------------------------------ ERP → Centra

    private async Task FromErpAsync(Integration integration, IErpCustomerSync erp, List<ShadowRecord> records, HashSet<string> settled, CancellationToken ct)
    {
        var flow = Flows.CustomersFromErp + "-shadow";
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(integration.Customers.OverlapMinutes) : null;
        var newest = checkpoint;
        await foreach (var page in erp.ListCustomersModifiedSinceAsync(integration, since, ct))
        {
            foreach (var record in page)
            {
                if (record.LastModified is { } m)
                    newest = newest is null || m > newest ? m : newest;
                if (settled.Contains(record.Number))
                    continue;
                var basis = Basis(integration, "visma:" + record.Number, ShopDocument, record.LastModified) with { Target = "shop", CustomerNumber = record.Number, CustomerName = record.Name };
                ShadowRecord result;
                try
                {
                    result = await ToShopAsync(integration, record, basis, ct);
                }
                catch (JunipeerException ex) when (!ex.Retryable)
                {
                    result = Failed(basis, ex);
                }

                records.Add(result);
                await log.SaveAsync(result, ct);
            }
        }

        if (newest is { } n && n != checkpoint)
            await checkpoints.SetAsync(integration.Id, flow, n, ct);
    }

    private async Task<ShadowRecord> ToShopAsync(Integration integration, ErpCustomerRecord record, ShadowRecord basis, CancellationToken ct)
    {
        var erpPrint = CustomerFingerprint.OfErp(record);
        var baseline = CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, record.Number, ct));
        if (erpPrint.Equals(baseline))
            return basis with { SkipReason = "unchanged since the last live sync" };

        var email = CustomerFingerprint.NormalizeEmail(record.Email);
        var shopId = await mappings.GetAsync(integration.Id, MappingKinds.ShopCustomerByErp, record.Number, ct);
        var current = shopId is null ? null : await shop.GetCustomerAsync(integration, shopId, ct);
        if (current is null && email is not null)
        {
            var byEmail = await shop.FindCustomersByEmailAsync(integration, email, ct);
            if (byEmail.Count > 1)
                throw new JunipeerException(ErrorCodes.ShopMutationRejected, $"{byEmail.Count} Centra customers share the e-mail of Visma.net customer {record.Number}: {string.Join(", ", byEmail.Select(b => b.Id))}.");
            current = byEmail.Count == 1 ? byEmail[0] : null;
        }

        if (current is null)
        {
            if (email is null)
                return basis with { SkipReason = "no e-mail: Centra customers are keyed by e-mail, so it stays in the ERP" };
            var created = CustomerSyncHandler.ShopData(record, null, erpPrint.ChangedSince(null));
            return basis with { Outcome = ShadowOutcome.WouldBook, Action = "create", Changes = ShopChanges(new ShopCustomerData(), created) };
        }

        var written = CustomerSyncHandler.ShopData(record, current.Data, erpPrint.ChangedSince(baseline));
        var changes = ShopChanges(current.Data, written);
        return changes.Count == 0
            ? basis with { SkipReason = $"Centra customer {current.Id} already holds this content" }
            : basis with { Outcome = ShadowOutcome.WouldBook, Action = "update", Changes = changes, Reference = current.Id };
    }

    /// <summary>Centra's update sends every field (an empty one as ""): each that differs is a change, a field emptied in the ERP a clear (to = null).</summary>
    private static List<ShadowFieldChange> ShopChanges(ShopCustomerData now, ShopCustomerData next) => Sent(
        ("email", now.Email, next.Email, true), ("firstName", now.FirstName, next.FirstName, true), ("lastName", now.LastName, next.LastName, true),
        ("company", now.CompanyName, next.CompanyName, true), ("line1", now.Address.Line1, next.Address.Line1, true), ("line2", now.Address.Line2, next.Address.Line2, true),
        ("postalCode", now.Address.PostalCode, next.Address.PostalCode, true), ("city", now.Address.City, next.Address.City, true),
        ("country", now.Address.CountryCode, next.Address.CountryCode, true), ("vat", now.VatNumber, next.VatNumber, true));

    /// <summary>The fields of a create: those with a value.</summary>
    private static List<ShadowFieldChange> Fields(params (string Field, string? From, string? To)[] fields) =>
        Sent([.. fields.Select(f => (f.Field, f.From, f.To, f.To is not null))]);

    /// <summary>
    /// The fields a write sends whose value changes (after trimming), old → new; a sent field whose new value is empty is
    /// cleared and shows as to = null. Fields the write does not send are left out.
    /// </summary>
    private static List<ShadowFieldChange> Sent(params (string Field, string? From, string? To, bool Sent)[] fields) =>
        [.. fields.Where(f => f.Sent && !string.Equals(CustomerFingerprint.Clean(f.From), CustomerFingerprint.Clean(f.To), StringComparison.Ordinal))
            .Select(f => new ShadowFieldChange(f.Field, CustomerFingerprint.Clean(f.From), CustomerFingerprint.Clean(f.To)))];
}
