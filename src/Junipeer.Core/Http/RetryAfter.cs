using System.Globalization;
using System.Net.Http.Headers;

namespace Junipeer.Core.Http;

/// <summary>
/// Reads a Retry-After header value in any of the forms vendors use: delta-seconds (Visma), an
/// HTTP-date, an ISO 8601 timestamp or a bare Unix timestamp (Centra documents only "a timestamp").
/// The result is never negative and never above <paramref name="max"/>.
/// </summary>
public static class RetryAfter
{
    /// <summary>Delta values above this are taken as Unix timestamps rather than seconds to wait.</summary>
    private const long EpochThresholdSeconds = 10L * 365 * 24 * 3600;

    public static TimeSpan? Parse(string? headerValue, DateTimeOffset now, TimeSpan max)
    {
        if (string.IsNullOrWhiteSpace(headerValue))
            return null;
        var raw = headerValue.Trim();

        TimeSpan? wait = null;
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            if (number > EpochThresholdSeconds * 1000)
                wait = DateTimeOffset.FromUnixTimeMilliseconds(number) - now;
            else if (number > EpochThresholdSeconds)
                wait = DateTimeOffset.FromUnixTimeSeconds(number) - now;
            else
                wait = TimeSpan.FromSeconds(number);
        }
        else if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional) && fractional < EpochThresholdSeconds)
        {
            wait = TimeSpan.FromSeconds(fractional);
        }
        else if (RetryConditionHeaderValue.TryParse(raw, out var typed) && typed.Date is { } httpDate)
        {
            wait = httpDate - now;
        }
        else if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
        {
            wait = iso - now;
        }

        if (wait is null)
            return null;
        if (wait < TimeSpan.Zero)
            return TimeSpan.Zero;
        return wait > max ? max : wait;
    }
}
