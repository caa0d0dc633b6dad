using System.Buffers;
using System.Text;

namespace Junipeer.Functions.Webhooks;

/// <summary>What every webhook endpoint shares: the body limit read while streaming, and log-safe caller text.</summary>
public static class WebhookRequests
{
    /// <summary>Largest webhook body read (1 MiB); larger answers 413 WEBHOOK_BODY_TOO_LARGE.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The answer to every authentication failure that could reveal whether an integration exists.</summary>
    public const string NotAuthenticatedMessage = "The webhook signature could not be verified for this endpoint.";

    /// <summary>The body as UTF-8 text, or null as soon as it turns out longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<string?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, limit + 1) - total), ct);
                if (read == 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, total);
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Caller-controlled text for logs and messages: printable ASCII only, at most 40 characters.</summary>
    public static string Sanitize(string? value)
    {
        var s = new string((value ?? "").Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return (value?.Length ?? 0) > 40 ? s + "..." : s;
    }
}
