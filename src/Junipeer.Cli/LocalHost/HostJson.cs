using System.Globalization;
using System.Text.Json;

namespace Junipeer.Cli.LocalHost;

/// <summary>The host.json queue settings the local host honours, with the Functions defaults.</summary>
public sealed record QueueHostSettings
{
    public int BatchSize { get; init; } = 16;
    public int? NewBatchThreshold { get; init; }
    public int MaxDequeueCount { get; init; } = 5;
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    public bool Base64 { get; init; } = true;

    public static QueueHostSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            return new QueueHostSettings();
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!doc.RootElement.TryGetProperty("extensions", out var ext) || !ext.TryGetProperty("queues", out var q))
        {
            return new QueueHostSettings();
        }

        var s = new QueueHostSettings();
        if (q.TryGetProperty("batchSize", out var b))
        {
            s = s with { BatchSize = Math.Clamp(b.GetInt32(), 1, 32) };
        }

        if (q.TryGetProperty("newBatchThreshold", out var n))
        {
            s = s with { NewBatchThreshold = n.GetInt32() };
        }

        if (q.TryGetProperty("maxDequeueCount", out var m))
        {
            s = s with { MaxDequeueCount = m.GetInt32() };
        }

        if (q.TryGetProperty("visibilityTimeout", out var v))
        {
            s = s with { VisibilityTimeout = TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture) };
        }

        if (q.TryGetProperty("maxPollingInterval", out var p))
        {
            s = s with { MaxPollingInterval = TimeSpan.Parse(p.GetString()!, CultureInfo.InvariantCulture) };
        }

        if (q.TryGetProperty("messageEncoding", out var e))
        {
            s = s with { Base64 = !string.Equals(e.GetString(), "none", StringComparison.OrdinalIgnoreCase) };
        }

        return s;
    }
}
