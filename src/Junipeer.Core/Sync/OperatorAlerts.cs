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

    /// <summary>
    /// A sweep of one integration failed as a whole: SWEEP_FAILED (source <paramref name="source"/>), and
    /// CONNECTION_AUTH_FAILED for the system when the cause is refused credentials (<paramref name="provider"/>
    /// names the PSP for PSP_AUTH_FAILED). The checkpoint of the sweep stays where it was.
    /// </summary>
    public async Task SweepFailedAsync(string integrationId, string flow, string source, string what, Exception ex, string? provider = null)
    {
        var cause = ex is JunipeerException j ? j.Code : ex.GetType().Name;
        await RaiseAsync(integrationId, flow, source, ErrorCodes.SweepFailed,
            $"The {what} sweep could not run ({cause}): {ex.Message} The checkpoint stays; the next sweep tries again.", CancellationToken.None);
        if (IsAuthFailure(cause))
            await RaiseAsync(integrationId, flow, SystemOf(cause, provider), ErrorCodes.ConnectionAuthFailed, $"{cause}: {ex.Message}", CancellationToken.None);
    }

    /// <summary>Codes that mean a connected system refused the integration's credentials (expired or revoked).</summary>
    public static bool IsAuthFailure(string? code) =>
        code is ErrorCodes.ErpAuthFailed or ErrorCodes.ShopAuthFailed or ErrorCodes.CarrierAuthFailed or ErrorCodes.PspAuthFailed;

    /// <summary>The source name of the system an auth failure code belongs to (PSPs: <c>psp:&lt;provider&gt;</c>).</summary>
    public static string SystemOf(string code, string? provider = null) => code switch
    {
        ErrorCodes.ErpAuthFailed => "erp",
        ErrorCodes.ShopAuthFailed => "shop",
        ErrorCodes.CarrierAuthFailed => "carrier",
        ErrorCodes.PspAuthFailed => "psp:" + (provider ?? "unknown"),
        _ => "unknown",
    };
}
