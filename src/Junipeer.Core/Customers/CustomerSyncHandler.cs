using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Core.Vat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Customers;

/// <summary>Phases of a shop customer created from the ERP (ledger flow "shop-customers", key = ERP customer number).</summary>
public enum ShopCustomerPhase
{
    New,
    CreateAttempted,
}

/// <summary>What one customer sync run did for one integration.</summary>
public sealed record CustomerRunResult
{
    public int CreatedInErp { get; init; }
    public int UpdatedInErp { get; init; }
    public int CreatedInShop { get; init; }
    public int UpdatedInShop { get; init; }

    /// <summary>Deltas skipped because their content is what both sides already agree on (the engine's own writes, overlap re-reads).</summary>
    public int Unchanged { get; init; }

    /// <summary>412 answers re-read and re-applied.</summary>
    public int VersionConflicts { get; init; }

    /// <summary>Customers that failed (code per customer); the others were synced.</summary>
    public IReadOnlyList<(string Customer, string Code)> Failed { get; init; } = [];

    /// <summary>Set when the integration could not be synced at all.</summary>
    public string? ErrorCode { get; init; }
}

/// <summary>
/// Customers both ways, timer-driven. Per integration with <c>Customers.Enabled</c>:
/// <list type="number">
/// <item><b>Centra → ERP</b>: Centra customers with <c>updatedAt</c> ≥ checkpoint − overlap. A customer whose content
/// fingerprint equals the stored one is skipped (the engine wrote it, or it was read before). Otherwise the ERP customer
/// (mapping by Centra id, then by the order flow's buyer key) is updated with only the fields Centra changed since
/// both sides agreed, by PUT with If-Match; a 412 re-reads and re-applies those fields on the new version, so a change a
/// user made in the ERP meanwhile is kept. Without an ERP customer one is created on the order flow's per-buyer ledger
/// row through <see cref="ExactlyOnce"/> (looked up by the buyer key, then e-mail, before any create; auto-numbered);
/// the customer class and VAT zone follow the order flow's country/VAT rules (<see cref="VatEngine"/>).</item>
/// <item><b>ERP → Centra</b>: ERP customers with <c>lastModifiedDateTime</c> ≥ checkpoint − overlap, the same
/// fingerprint test, then the Centra customer (mapping, else by e-mail) is updated with the changed fields or created
/// (ledger flow "shop-customers" through <see cref="ExactlyOnce"/>, looked up by e-mail before any create).</item>
/// <item>Both fingerprints are stored after each write, so the engine's own change comes back in the other side's delta
/// with the agreed content and is not sent back (no ping-pong).</item>
/// <item>A customer that fails (CUSTOMER_NUMBER_SERIES_EXHAUSTED, CUSTOMER_NUMBER_CONFLICT, a rejected change) is an
/// operator event and the run goes on; the checkpoint then stays at the oldest failed change so it is retried.</item>
/// </list>
/// </summary>
public sealed class CustomerSyncHandler(
    IIntegrationStore integrations,
    IErpResolver erps,
    IShopCustomers shop,
    IMappingStore mappings,
    ICheckpointStore checkpoints,
    ExactlyOnce exactlyOnce,
    IEventLog events,
    IOptions<JunipeerOptions> options,
    TimeProvider time,
    ILogger<CustomerSyncHandler> logger,
    Shadow.ShadowCustomerSync shadow)
{
    /// <summary>Document step of a shop customer in its "shop-customers" row.</summary>
    public const string ShopStep = "shopCustomer";

    private const int MaxConflictRetries = 3;

    private TimeSpan Hold => TimeSpan.FromSeconds(options.Value.Orders.LeaseSeconds);

    public async Task<IReadOnlyDictionary<string, CustomerRunResult>> RunAsync(CancellationToken ct)
    {
        var results = new Dictionary<string, CustomerRunResult>(StringComparer.Ordinal);
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Customers.Enabled)
                continue;
            try
            {
                if (integration.Mode == IntegrationMode.Shadow)
                {
                    // Shadow mode: reads only (ERP through ReadOnlyErp, no Centra mutation, no mapping or ledger write);
                    // what would be created or updated on either side is recorded in the Shadow table.
                    results[integration.Id] = await shadow.RunAsync(integration, ct);
                    continue;
                }

                results[integration.Id] = await SyncAsync(integration, ct);
            }
            catch (JunipeerException ex)
            {
                logger.LogError(ex, "{ErrorCode}: customer sync failed for integration {IntegrationId}", ex.Code, integration.Id);
                await EventAsync(integration, "customers", ex.Code, ex.Message, ex.Retryable, ct);
                results[integration.Id] = new CustomerRunResult { ErrorCode = ex.Code };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Customer sync failed for integration {IntegrationId}; its checkpoints stay put", integration.Id);
                results[integration.Id] = new CustomerRunResult { ErrorCode = "UNEXPECTED" };
            }
        }

        return results;
    }

    public async Task<CustomerRunResult> SyncAsync(Integration integration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var correlationId = $"customers-{Guid.NewGuid():N}";
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["IntegrationId"] = integration.Id });
        var adapter = erps.For(integration);
        var erp = adapter as IErpCustomerSync
                  ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' ({integration.Erp.Kind}) cannot sync customers; turn Customers off.");
        var run = new Run(integration, adapter.Customers, erp, correlationId);
        if (integration.Customers.ToErp)
            await FromShopAsync(run, ct);
        if (integration.Customers.ToShop)
            await FromErpAsync(run, ct);
        return new CustomerRunResult
        {
            CreatedInErp = run.CreatedInErp,
            UpdatedInErp = run.UpdatedInErp,
            CreatedInShop = run.CreatedInShop,
            UpdatedInShop = run.UpdatedInShop,
            Unchanged = run.Unchanged,
            VersionConflicts = run.Conflicts,
            Failed = run.Failed,
        };
    }

    private sealed class Run(Integration integration, IErpCustomers customers, IErpCustomerSync erp, string correlationId)
    {
        public Integration Integration { get; } = integration;
        public IErpCustomers Customers { get; } = customers;
        public IErpCustomerSync Erp { get; } = erp;
        public string CorrelationId { get; } = correlationId;
        public int CreatedInErp { get; set; }
        public int UpdatedInErp { get; set; }
        public int CreatedInShop { get; set; }
        public int UpdatedInShop { get; set; }
        public int Unchanged { get; set; }
        public int Conflicts { get; set; }
        public List<(string, string)> Failed { get; } = [];
    }

    // ------------------------------------------------------------------ Centra → ERP

    private async Task FromShopAsync(Run run, CancellationToken ct)
    {
        var id = run.Integration.Id;
        var checkpoint = await checkpoints.GetAsync(id, Flows.CustomersFromShop, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(run.Integration.Customers.OverlapMinutes) : null;
        DateTimeOffset? newest = checkpoint, oldestFailed = null;
        await foreach (var page in shop.ListCustomersChangedSinceAsync(run.Integration, since, ct))
        {
            foreach (var customer in page)
            {
                newest = newest is null || customer.UpdatedAt > newest ? customer.UpdatedAt : newest;
                // The order flow (or another run) may hold this buyer's row right now: next run, not an error.
                if (!await CatalogueItem.RunAsync(() => ToErpAsync(run, customer, ct), $"Centra customer {customer.Id}", logger, async ex =>
                    {
                        run.Failed.Add(("centra:" + customer.Id, ex.Code));
                        logger.LogWarning("{ErrorCode}: Centra customer {CustomerId} was not synced to the ERP; the run goes on", ex.Code, customer.Id);
                        await EventAsync(run.Integration, "centra:" + customer.Id, ex.Code, $"Centra customer {customer.Id}: {ex.Message}", ex.Retryable, ct);
                    }))
                {
                    oldestFailed = CatalogueItem.Earliest(oldestFailed, customer.UpdatedAt);
                }
            }
        }

        var next = oldestFailed ?? newest;
        if (next is { } n && n != checkpoint)
            await checkpoints.SetAsync(id, Flows.CustomersFromShop, n, ct);
    }

    private async Task ToErpAsync(Run run, ShopCustomer customer, CancellationToken ct)
    {
        var integration = run.Integration;
        var shopPrint = CustomerFingerprint.OfShop(customer.Data);
        var storedShop = CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerShopFingerprint, customer.Id, ct));
        if (shopPrint.Equals(storedShop))
        {
            run.Unchanged++;
            return;
        }

        var email = CustomerFingerprint.NormalizeEmail(customer.Data.Email);
        var buyer = email is not null ? "e:" + email : "c:" + customer.Id;
        var desired = Desired(integration, customer.Data);
        var number = await mappings.GetAsync(integration.Id, MappingKinds.CustomerByShopId, customer.Id, ct)
                     ?? await mappings.GetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, ct)
                     ?? (email is null ? null : await mappings.GetAsync(integration.Id, MappingKinds.CustomerByEmail, email, ct));
        CustomerFingerprint agreed;
        if (number is null)
        {
            var (created, isNew) = await CreateInErpAsync(run, customer, buyer, email, desired, ct);
            number = created;
            if (isNew)
            {
                run.CreatedInErp++;
                agreed = desired.Print;
            }
            else
            {
                agreed = await UpdateErpWithoutBaselineAsync(run, number, customer, desired, ct);
            }
        }
        else
        {
            var baseline = CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, number, ct));
            agreed = baseline is null
                ? await UpdateErpWithoutBaselineAsync(run, number, customer, desired, ct)
                : await UpdateErpAsync(run, number, desired, baseline, ct);
        }

        await mappings.SetAsync(integration.Id, MappingKinds.CustomerByShopId, customer.Id, number, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.ShopCustomerByErp, number, customer.Id, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerByBuyer, buyer, number, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, number, agreed.Serialize(), ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerShopFingerprint, customer.Id, shopPrint.Serialize(), ct);
    }

    /// <summary>
    /// A pair with no agreed content (the engine never wrote it, or storage was lost): nothing says which side changed
    /// last, so the newer side wins. When the ERP customer was modified after the Centra customer (by
    /// <c>lastModifiedDateTime</c> against Centra's <c>updatedAt</c>), Centra's content is not pushed over it; Centra's
    /// content becomes the agreed baseline instead, so the ERP → Centra pass of the same run sends the ERP's differing
    /// fields to Centra. Otherwise (Centra newer or in the same second, or only Centra → ERP configured) the differing
    /// fields go to the ERP.
    /// Both clocks are the vendors'; a skew larger than the gap between two users' edits can pick the wrong side.
    /// </summary>
    private async Task<CustomerFingerprint> UpdateErpWithoutBaselineAsync(Run run, string number, ShopCustomer customer, DesiredErp desired, CancellationToken ct)
    {
        if (run.Integration.Customers.ToShop
            && await run.Erp.GetCustomerAsync(run.Integration, number, ct) is { LastModified: { } erpModified }
            && WholeSeconds(erpModified) > WholeSeconds(customer.UpdatedAt))
        {
            logger.LogInformation(
                "Visma.net customer {Number} changed after Centra customer {CustomerId} and they share no agreed content (new pair or lost storage); the ERP's version is kept and goes to Centra",
                number, customer.Id);
            return desired.Print;
        }

        return await UpdateErpAsync(run, number, desired, null, ct);
    }

    // Centra's updatedAt has whole seconds, Visma's lastModifiedDateTime milliseconds: compare at Centra's resolution,
    // and within the same second Centra's content goes to the ERP (as before there were timestamps to compare).
    internal static long WholeSeconds(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>
    /// PUT of the fields the shop changed since the baseline (all fields without one), If-Match on the version just read;
    /// 412 → read again and re-apply. Returns the new agreed ERP fingerprint: the baseline with the sent fields replaced,
    /// so a field a user changed in the ERP meanwhile still shows as a change in the ERP's delta.
    /// </summary>
    private async Task<CustomerFingerprint> UpdateErpAsync(Run run, string number, DesiredErp desired, CustomerFingerprint? baseline, CancellationToken ct)
    {
        var fields = desired.Print.ChangedSince(baseline);
        var outcome = await GuardedUpdate.RunAsync(
            read: async () => await run.Erp.GetCustomerAsync(run.Integration, number, ct)
                              ?? throw new JunipeerException(ErrorCodes.ErpRequestRejected, $"Visma.net customer {number} (mapped to this Centra customer) no longer exists; remove the mapping or restore the customer."),
            plan: current =>
            {
                var change = Change(current, desired, fields);
                if (change.IsEmpty)
                    return null;
                var version = current.Version
                              ?? throw new JunipeerException(ErrorCodes.ErpUnavailable, $"Visma.net sent no ETag with customer {number}; the update waits for the next run.");
                return () => run.Erp.UpdateCustomerFieldsAsync(run.Integration, number, change, version, ct);
            },
            MaxConflictRetries,
            onConflict: () => logger.LogInformation("Visma.net customer {Number} changed since it was read (412); reading it again and re-applying the shop's changes", number));
        run.Conflicts += outcome.Conflicts;
        if (outcome.Written)
            run.UpdatedInErp++;

        return baseline is null ? desired.Print : baseline.With(desired.Print, fields);
    }

    internal static ErpCustomerChange Change(ErpCustomerRecord current, DesiredErp desired, IReadOnlySet<string> fields)
    {
        static bool Differs(string? a, string? b, bool ignoreCase = false) =>
            !string.Equals(CustomerFingerprint.Clean(a), CustomerFingerprint.Clean(b), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        var d = desired.Draft;
        var name = fields.Contains(CustomerFingerprint.Name) && Differs(current.Name, d.Name) ? d.Name : null;
        var email = fields.Contains(CustomerFingerprint.Email) && Differs(current.Email, d.Email, ignoreCase: true) ? d.Email ?? "" : null;
        string[] addressFields = [CustomerFingerprint.Line1, CustomerFingerprint.Line2, CustomerFingerprint.PostalCode, CustomerFingerprint.City, CustomerFingerprint.Country];
        var a = current.Address;
        var address = new CustomerAddress
        {
            Line1 = fields.Contains(CustomerFingerprint.Line1) ? d.AddressLine1 : a.Line1,
            Line2 = fields.Contains(CustomerFingerprint.Line2) ? d.AddressLine2 : a.Line2,
            PostalCode = fields.Contains(CustomerFingerprint.PostalCode) ? d.PostalCode : a.PostalCode,
            City = fields.Contains(CustomerFingerprint.City) ? d.City : a.City,
            CountryCode = fields.Contains(CustomerFingerprint.Country) ? d.CountryId : a.CountryCode,
        };
        var addressChanged = addressFields.Any(fields.Contains) &&
                             (Differs(a.Line1, address.Line1) || Differs(a.Line2, address.Line2) || Differs(a.PostalCode, address.PostalCode) || Differs(a.City, address.City) || Differs(a.CountryCode, address.CountryCode, true));
        var vat = fields.Contains(CustomerFingerprint.Vat) && Differs(CustomerFingerprint.NormalizeVat(current.VatRegistrationId), CustomerFingerprint.NormalizeVat(d.VatRegistrationId)) ? d.VatRegistrationId ?? "" : null;
        var rules = fields.Contains(CustomerFingerprint.Country) || fields.Contains(CustomerFingerprint.Vat);
        var cls = rules && Differs(current.CustomerClassId, d.CustomerClassId) ? d.CustomerClassId : null;
        var zone = rules && d.VatZoneId is not null && Differs(current.VatZoneId, d.VatZoneId) ? d.VatZoneId : null;
        return new ErpCustomerChange
        {
            Name = name,
            Email = email,
            Address = addressChanged ? address : null,
            VatRegistrationId = vat,
            CustomerClassId = cls,
            VatZoneId = zone,
            ContactName = name ?? current.Name,
            CurrentEmail = current.Email,
            CurrentPhone = current.Phone,
        };
    }

    private async Task<(string Number, bool Created)> CreateInErpAsync(Run run, ShopCustomer customer, string buyer, string? email, DesiredErp desired, CancellationToken ct)
    {
        var integration = run.Integration;
        var work = await exactlyOnce.OpenAsync<CustomerPhase>(new LedgerKey(integration.Id, Flows.Customers, buyer), run.CorrelationId, run.CorrelationId, Hold, ct);
        if (work.Document(CustomerResolver.Step) is { } known)
            return (known, false);
        if (work.HeldByOther)
            throw new LeaseHeldException(work.Key, work.Entry.LeaseUntil);

        var lookupKey = CustomerResolver.LookupKey(buyer);
        CreateOutcome outcome;
        var found = false;
        try
        {
            outcome = await work.CreateOnceAsync(
                CustomerResolver.Step,
                CustomerPhase.CreateAttempted,
                findExisting: async () =>
                {
                    var byKey = (await run.Customers.FindCustomersByKeyAsync(integration, lookupKey, ct)).Select(c => c.Number).Distinct(StringComparer.Ordinal).ToList();
                    if (byKey.Count == 0 && email is not null && await run.Customers.FindCustomerByEmailAsync(integration, email, ct) is { } byEmail)
                        byKey.Add(byEmail.Number);
                    found = byKey.Count > 0;
                    return byKey;
                },
                create: () => run.Customers.CreateCustomerAsync(integration, desired.Draft with { LookupKey = lookupKey, ExternalId = customer.Id }, ct),
                duplicates: list => new JunipeerException(ErrorCodes.DuplicateCustomerForBuyer,
                    $"{list.Count} Visma.net customers carry the buyer key {lookupKey} of Centra customer {customer.Id}: {string.Join(", ", list)}."),
                ct,
                precheck: () => Task.FromResult<IReadOnlyList<string>?>(null));
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            throw;
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        return (outcome.Id, !found && !outcome.Recovered);
    }

    internal sealed record DesiredErp(ErpCustomerDraft Draft, CustomerFingerprint Print);

    /// <summary>The ERP customer a Centra customer maps to; class and VAT zone from the order flow's VAT rules.</summary>
    internal static DesiredErp Desired(Integration integration, ShopCustomerData d)
    {
        var name = CustomerFingerprint.Clean(d.CompanyName)
                   ?? CustomerFingerprint.Clean(string.Join(' ', new[] { d.FirstName, d.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim())))
                   ?? CustomerFingerprint.Clean(d.Email) ?? "Centra customer";
        var vatNumber = CustomerFingerprint.NormalizeVat(d.VatNumber);
        string classId = integration.Vat.Domestic.CustomerClassId ?? "";
        string? zone = null;
        if (CustomerFingerprint.Clean(d.Address.CountryCode) is { } country)
        {
            var decision = VatEngine.Decide(integration.Vat, new VatInput(country, d.Address.PostalCode, vatNumber is not null, vatNumber, d.Address.City));
            classId = decision.CustomerClassId;
            zone = decision.Mapping.TaxZoneId;
        }

        var draft = new ErpCustomerDraft
        {
            Name = name,
            Email = CustomerFingerprint.NormalizeEmail(d.Email),
            CustomerClassId = classId,
            VatZoneId = zone,
            VatRegistrationId = vatNumber,
            AddressLine1 = CustomerFingerprint.Clean(d.Address.Line1),
            AddressLine2 = CustomerFingerprint.Clean(d.Address.Line2),
            PostalCode = CustomerFingerprint.Clean(d.Address.PostalCode),
            City = CustomerFingerprint.Clean(d.Address.City),
            CountryId = CustomerFingerprint.Clean(d.Address.CountryCode)?.ToUpperInvariant(),
            ExternalIdAttribute = integration.Orders.CustomerExternalIdAttribute,
        };
        var print = CustomerFingerprint.OfErp(draft.Name, draft.Email,
            new CustomerAddress { Line1 = draft.AddressLine1, Line2 = draft.AddressLine2, PostalCode = draft.PostalCode, City = draft.City, CountryCode = draft.CountryId }, draft.VatRegistrationId);
        return new DesiredErp(draft, print);
    }

    // ------------------------------------------------------------------ ERP → Centra

    private async Task FromErpAsync(Run run, CancellationToken ct)
    {
        var id = run.Integration.Id;
        var checkpoint = await checkpoints.GetAsync(id, Flows.CustomersFromErp, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(run.Integration.Customers.OverlapMinutes) : null;
        DateTimeOffset? newest = checkpoint, oldestFailed = null;
        await foreach (var page in run.Erp.ListCustomersModifiedSinceAsync(run.Integration, since, ct))
        {
            foreach (var record in page)
            {
                if (record.LastModified is { } m)
                    newest = newest is null || m > newest ? m : newest;
                if (!await CatalogueItem.RunAsync(() => ToShopAsync(run, record, ct), $"Visma.net customer {record.Number}", logger, async ex =>
                    {
                        run.Failed.Add(("visma:" + record.Number, ex.Code));
                        logger.LogWarning("{ErrorCode}: Visma.net customer {Number} was not synced to Centra; the run goes on", ex.Code, record.Number);
                        await EventAsync(run.Integration, "visma:" + record.Number, ex.Code, $"Visma.net customer {record.Number}: {ex.Message}", ex.Retryable, ct);
                    }))
                {
                    oldestFailed = CatalogueItem.Earliest(oldestFailed, record.LastModified);
                }
            }
        }

        var next = oldestFailed ?? newest;
        if (next is { } n && n != checkpoint)
            await checkpoints.SetAsync(id, Flows.CustomersFromErp, n, ct);
    }

    private async Task ToShopAsync(Run run, ErpCustomerRecord record, CancellationToken ct)
    {
        var integration = run.Integration;
        var erpPrint = CustomerFingerprint.OfErp(record);
        var baseline = CustomerFingerprint.Parse(await mappings.GetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, record.Number, ct));
        if (erpPrint.Equals(baseline))
        {
            run.Unchanged++;
            return;
        }

        var email = CustomerFingerprint.NormalizeEmail(record.Email);
        var shopId = await mappings.GetAsync(integration.Id, MappingKinds.ShopCustomerByErp, record.Number, ct);
        ShopCustomer? current = shopId is null ? null : await shop.GetCustomerAsync(integration, shopId, ct);
        if (current is null && email is not null)
        {
            var byEmail = await shop.FindCustomersByEmailAsync(integration, email, ct);
            current = byEmail.Count == 1 ? byEmail[0] : null;
        }

        ShopCustomerData written;
        if (current is null)
        {
            if (email is null)
            {
                // Centra customers are keyed by e-mail: an ERP customer without one stays in the ERP.
                run.Unchanged++;
                await mappings.SetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, record.Number, erpPrint.Serialize(), ct);
                return;
            }

            written = ShopData(record, null, erpPrint.ChangedSince(null));
            var (createdId, created) = await CreateInShopAsync(run, record, email, written, ct);
            if (created)
            {
                run.CreatedInShop++;
            }
            else if (await shop.GetCustomerAsync(integration, createdId, ct) is { } existing)
            {
                written = ShopData(record, existing.Data, erpPrint.ChangedSince(baseline));
                if (!CustomerFingerprint.OfShop(written).Equals(CustomerFingerprint.OfShop(existing.Data)))
                {
                    await shop.UpdateCustomerAsync(integration, createdId, written, ct);
                    run.UpdatedInShop++;
                }
            }

            shopId = createdId;
        }
        else
        {
            shopId = current.Id;
            written = ShopData(record, current.Data, erpPrint.ChangedSince(baseline));
            if (!CustomerFingerprint.OfShop(written).Equals(CustomerFingerprint.OfShop(current.Data)))
            {
                await shop.UpdateCustomerAsync(integration, shopId, written, ct);
                run.UpdatedInShop++;
            }
            else
            {
                run.Unchanged++;
            }
        }

        await mappings.SetAsync(integration.Id, MappingKinds.ShopCustomerByErp, record.Number, shopId, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerByShopId, shopId, record.Number, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerErpFingerprint, record.Number, erpPrint.Serialize(), ct);
        await mappings.SetAsync(integration.Id, MappingKinds.CustomerShopFingerprint, shopId, CustomerFingerprint.OfShop(written).Serialize(), ct);
    }

    private async Task<(string Id, bool Created)> CreateInShopAsync(Run run, ErpCustomerRecord record, string email, ShopCustomerData data, CancellationToken ct)
    {
        var integration = run.Integration;
        var work = await exactlyOnce.OpenAsync<ShopCustomerPhase>(new LedgerKey(integration.Id, Flows.ShopCustomers, record.Number), run.CorrelationId, run.CorrelationId, Hold, ct);
        if (work.Document(ShopStep) is { } known)
            return (known, false);
        if (work.HeldByOther)
            throw new LeaseHeldException(work.Key, work.Entry.LeaseUntil);
        var found = false;
        CreateOutcome outcome;
        try
        {
            outcome = await work.CreateOnceAsync(
                ShopStep,
                ShopCustomerPhase.CreateAttempted,
                findExisting: async () =>
                {
                    var ids = (await shop.FindCustomersByEmailAsync(integration, email, ct)).Select(c => c.Id).ToList();
                    found = ids.Count > 0;
                    return ids;
                },
                create: () => shop.CreateCustomerAsync(integration, data, ct),
                duplicates: list => new JunipeerException(ErrorCodes.ShopMutationRejected, $"{list.Count} Centra customers share the e-mail of Visma.net customer {record.Number}: {string.Join(", ", list)}."),
                ct,
                precheck: () => Task.FromResult<IReadOnlyList<string>?>(null));
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ShopUnavailable, ex.Message, CancellationToken.None);
            throw;
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        return (outcome.Id, !found && !outcome.Recovered);
    }

    /// <summary>The Centra content for an ERP customer: the current content with the ERP's changed fields applied.</summary>
    internal static ShopCustomerData ShopData(ErpCustomerRecord r, ShopCustomerData? current, IReadOnlySet<string> changed)
    {
        var d = current ?? new ShopCustomerData();
        bool Has(string f) => current is null || changed.Contains(f);
        if (Has(CustomerFingerprint.Name))
        {
            var name = CustomerFingerprint.Clean(r.Name) ?? "";
            if (CustomerFingerprint.Clean(d.CompanyName) is not null || (current is null && CustomerFingerprint.Clean(r.VatRegistrationId) is not null))
            {
                d = d with { CompanyName = name };
            }
            else
            {
                var cut = name.LastIndexOf(' ');
                d = cut > 0 ? d with { FirstName = name[..cut], LastName = name[(cut + 1)..] } : d with { FirstName = name, LastName = "" };
            }
        }

        if (Has(CustomerFingerprint.Email))
            d = d with { Email = CustomerFingerprint.NormalizeEmail(r.Email) };
        d = d with
        {
            Address = new CustomerAddress
            {
                Line1 = Has(CustomerFingerprint.Line1) ? CustomerFingerprint.Clean(r.Address.Line1) : d.Address.Line1,
                Line2 = Has(CustomerFingerprint.Line2) ? CustomerFingerprint.Clean(r.Address.Line2) : d.Address.Line2,
                PostalCode = Has(CustomerFingerprint.PostalCode) ? CustomerFingerprint.Clean(r.Address.PostalCode) : d.Address.PostalCode,
                City = Has(CustomerFingerprint.City) ? CustomerFingerprint.Clean(r.Address.City) : d.Address.City,
                CountryCode = Has(CustomerFingerprint.Country) ? CustomerFingerprint.Clean(r.Address.CountryCode)?.ToUpperInvariant() : d.Address.CountryCode,
            },
        };
        if (Has(CustomerFingerprint.Vat))
            d = d with { VatNumber = CustomerFingerprint.NormalizeVat(r.VatRegistrationId) };
        return d;
    }

    private Task EventAsync(Integration integration, string key, string code, string message, bool retryable, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integration.Id, Flow = Flows.Customers, EntityKey = key, Severity = retryable ? EventSeverity.Warning : EventSeverity.Error,
            Message = message, ErrorCode = code, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix, At = time.GetUtcNow(),
        }, ct);
}
