using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace Junipeer.Cli.LocalHost;

/// <summary>
/// Runs a timer-triggered function on its schedule (UTC) like the host: six-field NCRONTAB
/// (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>) parsed with NCrontab, the library
/// the Functions host itself uses; a five-field expression is rejected as the host rejects it.
/// </summary>
public sealed class TimerPump(FunctionDescriptor function, IServiceProvider services, TimeProvider time, ILogger<TimerPump> logger) : BackgroundService
{
    private readonly CrontabSchedule _schedule = Parse(function.Target);

    public static CrontabSchedule Parse(string expression)
    {
        if (expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            throw new InvalidOperationException($"Timer schedule '{expression}' must have six fields ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}), as the Functions host expects.");
        }

        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
               ?? throw new InvalidOperationException($"Timer schedule '{expression}' is not a valid NCRONTAB expression.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTime? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = _schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var info = new TimerInfo
            {
                IsPastDue = time.GetUtcNow().UtcDateTime - next > TimeSpan.FromSeconds(30),
                ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = _schedule.GetNextOccurrence(next), LastUpdated = next },
            };
            last = next;
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
