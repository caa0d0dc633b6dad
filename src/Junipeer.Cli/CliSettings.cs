using System.Text.Json;

namespace Junipeer.Cli;

/// <summary>
/// Reads local.settings.json "Values" (the Functions convention) for the local host and commands.
/// As with Core Tools, environment variables win: a value already set in the environment is not
/// taken from the file (<c>A__B</c> or <c>A:B</c> spelling).
/// </summary>
public static class CliSettings
{
    public const string FileName = "local.settings.json";

    /// <summary>The settings file used when --settings is not given: local.settings.json in the working directory.</summary>
    public static string DefaultPath() => Path.Combine(Directory.GetCurrentDirectory(), FileName);

    public static Dictionary<string, string?> LoadLocalSettings(string? path)
    {
        var file = path ?? DefaultPath();
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(file))
        {
            return values;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (doc.RootElement.TryGetProperty("Values", out var v))
        {
            foreach (var p in v.EnumerateObject())
            {
                var key = p.Name.Replace("__", ":", StringComparison.Ordinal);
                values[key] = FromEnvironment(key) ?? p.Value.ToString();
            }
        }

        return values;
    }

    /// <summary>The environment's value of a configuration key (<c>A:B</c> looked up as <c>A__B</c> and <c>A:B</c>).</summary>
    public static string? FromEnvironment(string key) =>
        Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal)) is { } v ? v : Environment.GetEnvironmentVariable(key);
}
