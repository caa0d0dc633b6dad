using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Cli.LocalHost;

/// <summary>Runs a timer-triggered function on its six-field NCRONTAB schedule (UTC), like the host.</summary>
public sealed class TimerPump(FunctionDescriptor function, IServiceProvider services, TimeProvider time, ILogger<TimerPump> logger) : BackgroundService
{
    private readonly CronExpression _schedule = CronExpression.Parse(function.Target, CronFormat.IncludeSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTime? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = _schedule.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                await Task.Delay(next.Value - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var info = new TimerInfo
            {
                IsPastDue = time.GetUtcNow().UtcDateTime - next.Value > TimeSpan.FromSeconds(30),
                ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = _schedule.GetNextOccurrence(next.Value, TimeZoneInfo.Utc) ?? default, LastUpdated = next.Value },
            };
            last = next.Value;
            try
            {
                await function.InvokeAsync(services, p => p.ParameterType == typeof(TimerInfo) ? info : p.ParameterType == typeof(CancellationToken) ? stoppingToken : null);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Timer function {Function} failed", function.Name);
            }
        }
    }
}
