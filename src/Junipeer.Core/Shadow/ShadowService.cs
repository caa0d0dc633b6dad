using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shadow;

/// <summary>Would-book totals of one VAT case in one currency.</summary>
public sealed record ShadowTotals(string VatCase, string Currency, int Documents, decimal Net, decimal Vat, decimal Gross, int NewCustomers);

/// <summary>One error code the shadow run met, how often, and its fix (what to do before going live).</summary>
public sealed record ShadowFailureGroup(string Code, int Count, string? Fix, IReadOnlyList<string> Entities);

/// <summary>
/// One flow's part of the shadow report: its counts, its failures to fix first (grouped by code, payout
/// transactions matching no invoice included), what it would write (payments, credit notes, fees written
/// off, customers created / updated) and its records.
/// </summary>
public sealed record ShadowFlowReport(
    string Flow, int WouldBook, int AlreadyBooked, int Skipped, int Failed, IReadOnlyList<ShadowFailureGroup> Failures,
    int Payments, int CreditNotes, decimal WriteOff, int Unmatched, int Creates, int Updates, IReadOnlyList<ShadowRecord> Records);

/// <summary>The shadow report of an integration: every record, totals per VAT case, failures to fix first.</summary>
public sealed record ShadowReport
{
    public required string IntegrationId { get; init; }
    public required IntegrationMode Mode { get; init; }
    public DateTimeOffset? CutOverDate { get; init; }
    public required IReadOnlyList<ShadowRecord> Records { get; init; }
    public required IReadOnlyList<ShadowTotals> Totals { get; init; }
    public required IReadOnlyList<ShadowFailureGroup> FailuresByCode { get; init; }

    /// <summary>Every flow's records, failures first, grouped by flow (orders, payouts, refunds, customers, stock, shipments, products).</summary>
    public IReadOnlyList<ShadowFlowReport> Flows { get; init; } = [];
    public int WouldBook => Records.Count(r => r.Outcome == ShadowOutcome.WouldBook);
    public int AlreadyBooked => Records.Count(r => r.Outcome == ShadowOutcome.AlreadyBooked);
    public int Skipped => Records.Count(r => r.Outcome == ShadowOutcome.Skipped);
    public int Failed => Records.Count(r => r.Outcome == ShadowOutcome.Failed);
}

/// <summary>
/// Reads the shadow records of an integration (for <c>junipeer shadow report</c> and the operator
/// console): <see cref="QueryAsync"/> returns the records, <see cref="ReportAsync"/> adds totals and
/// the failures grouped by code with their fix.
/// </summary>
public sealed class ShadowService(IIntegrationStore integrations, IShadowLog log)
{
    /// <summary>The integration's shadow records (newest entity date first), optionally of one flow and outcome.</summary>
    public async Task<IReadOnlyList<ShadowRecord>> QueryAsync(string integrationId, string? flow, ShadowOutcome? outcome, CancellationToken ct) =>
        (await log.ListAsync(integrationId, flow, ct))
            .Where(r => outcome is null || r.Outcome == outcome)
            .OrderByDescending(r => r.EntityDate ?? r.RecordedAt)
            .ThenBy(r => r.EntityKey, StringComparer.Ordinal)
            .ToList();

    /// <summary>The report; INTEGRATION_NOT_FOUND for an unknown integration.</summary>
    public async Task<ShadowReport> ReportAsync(string integrationId, CancellationToken ct)
    {
        var integration = await integrations.GetAsync(integrationId, ct)
                          ?? throw new JunipeerException(ErrorCodes.IntegrationNotFound, $"No integration '{integrationId}' in this storage (see `junipeer integration list`).");
        var records = await QueryAsync(integrationId, null, null, ct);
        return new ShadowReport
        {
            IntegrationId = integration.Id,
            Mode = integration.Mode,
            CutOverDate = integration.CutOverDate,
            Records = records,
            Totals = records.Where(r => r.Outcome == ShadowOutcome.WouldBook && r.VatCase is not null)
                .GroupBy(r => (VatCase: r.VatCase ?? "?", Currency: r.Currency ?? "?"))
                .OrderBy(g => g.Key.VatCase, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
                .Select(g => new ShadowTotals(g.Key.VatCase, g.Key.Currency, g.Count(), g.Sum(r => r.NetTotal), g.Sum(r => r.VatTotal), g.Sum(r => r.GrossTotal),
                    g.Count(r => r.CustomerAction == ShadowCustomerAction.Create)))
                .ToList(),
            FailuresByCode = Failures(records),
            Flows = records.GroupBy(r => r.Flow, StringComparer.Ordinal)
                .OrderBy(g => Array.IndexOf(FlowOrder, g.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ShadowFlowReport(
                    g.Key,
                    g.Count(r => r.Outcome == ShadowOutcome.WouldBook), g.Count(r => r.Outcome == ShadowOutcome.AlreadyBooked),
                    g.Count(r => r.Outcome == ShadowOutcome.Skipped), g.Count(r => r.Outcome == ShadowOutcome.Failed),
                    Failures(g),
                    g.Sum(r => r.Payments.Count(p => p.ExistingDocument is null)), g.Sum(r => r.CreditNotes.Count(n => n.ExistingDocument is null)),
                    g.Sum(r => r.Payments.Where(p => p.ExistingDocument is null).Sum(p => p.WriteOff + p.Charge)), g.Sum(r => r.Unmatched.Count),
                    g.Count(r => r.Outcome == ShadowOutcome.WouldBook && r.Action == "create"), g.Count(r => r.Outcome == ShadowOutcome.WouldBook && r.Action == "update"),
                    [.. g.OrderBy(r => r.Outcome == ShadowOutcome.Failed ? 0 : 1)]))
                .ToList(),
        };
    }

    private static readonly string[] FlowOrder = ["orders", "payouts", "refunds", "customers", "stock", "shipments", "products"];

    /// <summary>Failures grouped by code (most frequent first): failed records, plus payout transactions a live run would report as matching no invoice.</summary>
    private static List<ShadowFailureGroup> Failures(IEnumerable<ShadowRecord> records) =>
        records.Where(r => r.Outcome == ShadowOutcome.Failed).Select(r => (Code: r.ErrorCode ?? "?", r.Fix, Entity: r.EntityKey))
            .Concat(records.SelectMany(r => r.Unmatched.Where(u => u.Code is not null).Select(u => (Code: u.Code!, Fix: ErrorCodes.All.FirstOrDefault(e => e.Code == u.Code)?.Fix, Entity: $"{r.EntityKey}/{u.TransactionId}"))))
            .GroupBy(x => x.Code, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ShadowFailureGroup(g.Key, g.Count(), g.First().Fix, g.Select(x => x.Entity).Order(StringComparer.Ordinal).ToList()))
            .ToList();
}
