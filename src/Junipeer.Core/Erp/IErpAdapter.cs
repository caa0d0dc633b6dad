using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>
/// One ERP connector (Visma.net; Fortnox next) as the flows see it: narrow ports, so a flow uses only
/// what it needs. Connectors register theirs; the resolver picks one per integration by Erp.Kind.
/// </summary>
public interface IErpAdapter
{
    /// <summary>The <see cref="ErpSettings.Kind"/> this adapter serves (see <see cref="ErpKinds"/>).</summary>
    string Kind { get; }

    IErpCustomers Customers { get; }

    IErpInvoices Invoices { get; }

    IErpPayments Payments { get; }

    IErpReferenceData ReferenceData { get; }

    /// <summary>Settlement of PSP payouts (payments over several invoices, credit notes); null when the ERP connector has none yet.</summary>
    IErpSettlements? Settlements => this as IErpSettlements;

    /// <summary>
    /// Whether a document status means "released / booked" (used to resolve a release whose response
    /// was lost by the document's status, never by error wording).
    /// </summary>
    bool IsReleased(string status);
}

/// <summary>Chooses the ERP adapter for an integration.</summary>
public interface IErpResolver
{
    IErpAdapter For(Integration integration);
}

/// <summary>Picks the registered adapter whose Kind matches the integration's Erp.Kind.</summary>
public sealed class ErpResolver(IEnumerable<IErpAdapter> adapters) : IErpResolver
{
    private readonly Dictionary<string, IErpAdapter> _byKind = adapters.ToDictionary(a => a.Kind, StringComparer.OrdinalIgnoreCase);

    public IErpAdapter For(Integration integration) =>
        _byKind.TryGetValue(integration.Erp.Kind, out var adapter)
            ? adapter
            : throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
                $"Integration '{integration.Id}' uses ERP kind '{integration.Erp.Kind}', which has no connector in this deployment (registered: {string.Join(", ", _byKind.Keys.Order(StringComparer.Ordinal))}).");
}
