using System.Collections.Concurrent;
using Junipeer.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>
/// Failures outside a single entity (a sweep that cannot read its source, rejected webhooks, a
/// connection whose credentials were refused) as operator events. Every occurrence is logged at
/// Error with <c>{AlertCode}</c> and <c>{IntegrationId}</c> (the Azure alert rules query these, see
/// infra/modules/alerts.bicep); the Events table gets one event per integration, source and code per
/// <see cref="Quiet"/>, so a flood (a prober hammering the webhook URL) cannot flood the table.
/// </summary>
public sealed class OperatorAlerts(IEventLog events, TimeProvider time, ILogger<OperatorAlerts> logger)
{
    /// <summary>Repeats of the same alert within this window are logged, not appended again.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string Integration, string Source, string Code), DateTimeOffset> _last = new();

    /// <summary>Raises an alert; returns true when it was appended to the Events table (false: within the quiet window).</summary>
    public async Task<bool> RaiseAsync(string integrationId, string flow, string source, string code, string message, CancellationToken ct)
    {
        logger.LogError("Operator alert {AlertCode} for integration {IntegrationId} from {AlertSource}: {AlertMessage}", code, integrationId, source, message);
        var now = time.GetUtcNow();
        var key = (integrationId, source, code);
        var appended = false;
        _last.AddOrUpdate(key, _ => { appended = true; return now; }, (_, last) =>
        {
            appended = now - last >= Quiet;
            return appended ? now : last;
        });
        if (!appended)
            return false;

        try
        {
            await events.AppendAsync(new OperatorEvent
            {
                IntegrationId = integrationId,
                Flow = flow,
                EntityKey = source,
                Severity = EventSeverity.Error,
                Message = message,
                ErrorCode = code,
                Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix,
                At = now,
            }, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The log line above is the alert's source of truth; a lost event row must not fail the caller.
            _last.TryRemove(key, out _);
            logger.LogWarning(ex, "Operator alert {AlertCode} for {IntegrationId} could not be written to the Events table", code, integrationId);
            return false;
        }
    }

    /// <summary>Codes that mean a connected system refused the integration's credentials (expired or revoked).</summary>
    public static bool IsAuthFailure(string? code) =>
        code is ErrorCodes.ErpAuthFailed or ErrorCodes.ShopAuthFailed or ErrorCodes.CarrierAuthFailed;

    /// <summary>The source name of the system an auth failure code belongs to.</summary>
    public static string SystemOf(string code) => code switch
    {
        ErrorCodes.ErpAuthFailed => "erp",
        ErrorCodes.ShopAuthFailed => "shop",
        ErrorCodes.CarrierAuthFailed => "carrier",
        _ => "unknown",
    };
}
