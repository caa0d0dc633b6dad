using System.Globalization;
using Junipeer.Core.Http;

namespace Junipeer.Tests.Connectors;

public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Max = TimeSpan.FromHours(1);

    [Fact]
    public void Reads_delta_seconds_http_date_iso_and_unix_timestamps()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), RetryAfter.Parse("5", Now, Max));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Parse(Now.AddSeconds(30).ToString("R", CultureInfo.InvariantCulture), Now, Max));
        Assert.Equal(TimeSpan.FromSeconds(45), RetryAfter.Parse(Now.AddSeconds(45).ToString("O", CultureInfo.InvariantCulture), Now, Max));
        Assert.Equal(TimeSpan.FromSeconds(60), RetryAfter.Parse(Now.AddSeconds(60).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), Now, Max));
        Assert.Equal(TimeSpan.FromSeconds(60), RetryAfter.Parse(Now.AddSeconds(60).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Now, Max));
    }

    [Fact]
    public void Clamps_to_zero_and_to_the_maximum_and_ignores_garbage()
    {
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse(Now.AddSeconds(-30).ToString("R", CultureInfo.InvariantCulture), Now, Max));
        Assert.Equal(Max, RetryAfter.Parse("999999", Now, Max));
        Assert.Null(RetryAfter.Parse("soon", Now, Max));
        Assert.Null(RetryAfter.Parse(null, Now, Max));
    }
}
