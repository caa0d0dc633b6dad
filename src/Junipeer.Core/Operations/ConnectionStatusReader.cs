using Junipeer.Core.Connect;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;

namespace Junipeer.Core.Operations;

/// <summary>
/// Connection status per system an integration uses (the ERP, the shop, the carrier when shipments
/// book with nShift, each PSP configured for payouts): connected / expired / revoked / never-connected,
/// derived from real signals, the newest one deciding:
/// <list type="bullet">
/// <item>the <c>Connections</c> table (the Visma token provider's token and refresh results, the OAuth callback);</item>
/// <item>CONNECTION_AUTH_FAILED operator events (a connector answered 401/403: raised by the flows and the
/// sweeps through <see cref="OperatorAlerts"/>) → revoked, with the code of the refusal (ERP_AUTH_FAILED …);</item>
/// <item>the newest Done ledger row of a flow that calls the system (a PSP: payouts keyed <c>&lt;psp&gt;:</c>) → connected.</item>
/// </list>
/// No signal at all: never-connected (nothing has called the system yet).
/// </summary>
public sealed class ConnectionStatusReader(IIntegrationStore integrations, IConnectionStatusStore store, IEventLog events, ISyncLedger ledger) : IConnectionStatusSource
{
    /// <summary>How many recent events are searched for CONNECTION_AUTH_FAILED.</summary>
    public const int EventWindow = 500;

    /// <summary>One system an integration uses: its name, role, the alert source of its auth failures and the flows whose success proves it.</summary>
    private sealed record SystemUse(string Name, string Role, string AlertSource, IReadOnlyList<string> Flows, string? KeyPrefix = null);

    public async Task<IReadOnlyList<ConnectionState>> GetAsync(string integrationId, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(integrationId, cancellationToken);
        if (integration is null)
            return [];
        var stored = await store.ListAsync(integrationId, cancellationToken);
        var recent = await events.ListAsync(integrationId, EventWindow, cancellationToken);
        var successByFlow = new Dictionary<string, IReadOnlyList<LedgerEntry>>(StringComparer.Ordinal);
        var result = new List<ConnectionState>();
        foreach (var use in SystemsOf(integration))
        {
            var candidates = new List<ConnectionState>();
            if (stored.FirstOrDefault(s => string.Equals(s.System, use.Name, StringComparison.Ordinal)) is { } row)
            {
                var status = row.State switch
                {
                    Connect.ConnectionState.Connected => ConnectionStatuses.Connected,
                    Connect.ConnectionState.Expired => ConnectionStatuses.Expired,
                    _ => ConnectionStatuses.Revoked,
                };
                candidates.Add(new ConnectionState(use.Name, status, row.ErrorCode, row.ErrorMessage, null, use.Role, row.Company, row.At,
                    status == ConnectionStatuses.Connected ? "token or authorization accepted" : "token or authorization refused"));
            }

            if (recent.Where(e => e.ErrorCode == ErrorCodes.ConnectionAuthFailed && string.Equals(e.EntityKey, use.AlertSource, StringComparison.Ordinal))
                    .MaxBy(e => e.At) is { } refused)
            {
                candidates.Add(new ConnectionState(use.Name, ConnectionStatuses.Revoked, CauseOf(refused.Message), refused.Message, null, use.Role, null, refused.At,
                    $"{ErrorCodes.ConnectionAuthFailed} event"));
            }

            DateTimeOffset? lastSuccess = null;
            foreach (var flow in use.Flows)
            {
                if (!successByFlow.TryGetValue(flow, out var done))
                {
                    done = await ledger.ListByStatusAsync(integrationId, flow, LedgerStatus.Done, cancellationToken);
                    successByFlow[flow] = done;
                }

                var newest = done.Where(r => use.KeyPrefix is null || r.Key.EntityKey.StartsWith(use.KeyPrefix, StringComparison.Ordinal)).Max(r => r.UpdatedAt);
                if (newest is { } n && (lastSuccess is null || n > lastSuccess))
                    lastSuccess = n;
            }

            if (lastSuccess is { } ok)
                candidates.Add(new ConnectionState(use.Name, ConnectionStatuses.Connected, null, null, null, use.Role, null, ok, "last successful sync"));

            // The newest signal decides; on a tie the refusal wins (it is the one an operator must act on).
            var decided = candidates.OrderByDescending(c => c.At).ThenBy(c => c.Status == ConnectionStatuses.Connected ? 1 : 0).FirstOrDefault()
                          ?? new ConnectionState(use.Name, ConnectionStatuses.NeverConnected, null, "Nothing has called this system yet.", null, use.Role, null, null, "none");
            var company = candidates.Select(c => c.Company).FirstOrDefault(c => c is not null);
            result.Add(decided with { Company = decided.Company ?? company });
        }

        return result;
    }

    /// <summary>The code of the refusal an alert message starts with (<c>ERP_AUTH_FAILED: …</c>), else CONNECTION_AUTH_FAILED.</summary>
    private static string CauseOf(string message)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        var head = colon > 0 ? message[..colon] : "";
        return ErrorCodes.All.Any(e => e.Code == head) ? head : ErrorCodes.ConnectionAuthFailed;
    }

    private static IEnumerable<SystemUse> SystemsOf(Integration integration)
    {
        if (integration.Erp.VismaNet is not null)
        {
            yield return new SystemUse("vismanet", "erp", OperatorAlerts.SystemOf(ErrorCodes.ErpAuthFailed),
                [Flows.Orders, Flows.Customers, Flows.ShopCustomers, Flows.Shipments, PayoutFlows.Payouts]);
        }

        if (integration.Shop.Centra is not null)
        {
            yield return new SystemUse("centra", "shop", OperatorAlerts.SystemOf(ErrorCodes.ShopAuthFailed), [Flows.Orders, Flows.ShopCustomers, Flows.Shipments]);
        }

        if (integration.Shipments.Enabled && integration.Shipments.NShift is not null)
        {
            yield return new SystemUse("nshift", "carrier", OperatorAlerts.SystemOf(ErrorCodes.CarrierAuthFailed), [Flows.Shipments]);
        }

        if (integration.Payouts.Enabled)
        {
            foreach (var provider in integration.Payouts.Providers.Keys.Order(StringComparer.Ordinal))
                yield return new SystemUse(provider, "psp", OperatorAlerts.SystemOf(ErrorCodes.PspAuthFailed, provider), [PayoutFlows.Payouts], provider + ":");
        }
    }
}
