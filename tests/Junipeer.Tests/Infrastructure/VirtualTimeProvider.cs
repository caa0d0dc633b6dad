namespace Junipeer.Tests.Infrastructure;

/// <summary>
/// Virtual time for resilience code: every timer fires at once and moves the clock forward by its
/// due time, so a Retry-After of 30 s costs no real time while the clock still shows it passed.
/// </summary>
public sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;
    private long _waited;

    public TimeSpan TotalWaited => TimeSpan.FromTicks(Interlocked.Read(ref _waited));

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Advance(dueTime);
            Interlocked.Add(ref _waited, dueTime.Ticks);
        }

        var timer = new ImmediateTimer();
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return timer;
    }

    private sealed class ImmediateTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
