namespace Junipeer.Tests.Infrastructure;

/// <summary>
/// Waits for background work of a real-time host (Kestrel, queue pump, timer) to reach a state,
/// polling with a deadline. Only for tests that run the local host; everything else is driven
/// synchronously or on virtual time.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met within {timeout}.");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
