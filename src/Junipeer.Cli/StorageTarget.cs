using System.Data.Common;
using Junipeer.Cli.Azurite;
using Junipeer.Storage;

namespace Junipeer.Cli;

/// <summary>
/// Which storage a command talks to, and where that choice came from: the environment
/// (<c>AzureWebJobsStorage</c> or <c>AzureWebJobsStorage__queueServiceUri</c>/<c>__tableServiceUri</c>),
/// local.settings.json, or — when neither names one, or it says <c>UseDevelopmentStorage=true</c> —
/// the local Azurite on its standard ports (10000/10001/10002, moved by <c>JUNIPEER_AZURITE_PORT</c>).
/// <see cref="Describe"/> shows account and endpoints, never a key.
/// </summary>
public sealed record StorageTarget(string Source, string? ConnectionString, string Account, string QueueEndpoint, string TableEndpoint, string? Prefix, bool IsLocalAzurite, int AzuriteBasePort)
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>Resolves the storage and writes the connection string to use back into <paramref name="settings"/>.</summary>
    public static StorageTarget Resolve(Dictionary<string, string?> settings)
    {
        var basePort = AzuriteStartOptions.BasePortFromEnvironment();
        var prefix = settings.GetValueOrDefault(StorageClients.PrefixKey) ?? CliSettings.FromEnvironment(StorageClients.PrefixKey);
        string source;
        var env = Environment.GetEnvironmentVariable(StorageClients.ConnectionName);
        var envQueue = CliSettings.FromEnvironment(StorageClients.ConnectionName + ":queueServiceUri");
        var envTable = CliSettings.FromEnvironment(StorageClients.ConnectionName + ":tableServiceUri");
        string? cs;
        if (!string.IsNullOrWhiteSpace(env))
        {
            (source, cs) = ("environment", env);
        }
        else if (!string.IsNullOrWhiteSpace(envQueue) && !string.IsNullOrWhiteSpace(envTable))
        {
            settings.Remove(StorageClients.ConnectionName);
            settings[StorageClients.ConnectionName + ":queueServiceUri"] = envQueue;
            settings[StorageClients.ConnectionName + ":tableServiceUri"] = envTable;
            return new StorageTarget("environment (identity)", null, AccountOf(new Uri(envQueue)), envQueue, envTable, prefix, false, basePort);
        }
        else if (settings.GetValueOrDefault(StorageClients.ConnectionName) is { Length: > 0 } file)
        {
            (source, cs) = ("local.settings.json", file);
        }
        else if (settings.GetValueOrDefault(StorageClients.ConnectionName + ":queueServiceUri") is { Length: > 0 } q
                 && settings.GetValueOrDefault(StorageClients.ConnectionName + ":tableServiceUri") is { Length: > 0 } t)
        {
            return new StorageTarget("local.settings.json (identity)", null, AccountOf(new Uri(q)), q, t, prefix, false, basePort);
        }
        else
        {
            (source, cs) = ("default (local Azurite)", DevelopmentStorage);
        }

        var local = string.Equals(cs.Trim().TrimEnd(';'), DevelopmentStorage, StringComparison.OrdinalIgnoreCase);
        if (local)
        {
            cs = AzuriteRunner.DevConnectionString(basePort, basePort + 1, basePort + 2);
        }

        settings[StorageClients.ConnectionName] = cs;
        var (account, queue, table) = Parse(cs);
        return new StorageTarget(source, cs, account, queue, table, prefix, local, basePort);
    }

    /// <summary>One line for stderr: account and endpoints, never the key.</summary>
    public string Describe() =>
        $"storage: account {Account}, queues {QueueEndpoint}, tables {TableEndpoint}{(string.IsNullOrEmpty(Prefix) ? "" : $", name prefix '{Prefix}'")} (from {Source})";

    /// <summary>The same facts for --json output.</summary>
    public object ToJson() => new { source = Source, account = Account, queueEndpoint = QueueEndpoint, tableEndpoint = TableEndpoint, prefix = Prefix };

    private static (string Account, string Queue, string Table) Parse(string cs)
    {
        var b = new DbConnectionStringBuilder();
        try
        {
            b.ConnectionString = cs;
        }
        catch (ArgumentException)
        {
            return ("?", "?", "?");
        }

        string? Get(string k) => b.TryGetValue(k, out var v) ? v?.ToString() : null;
        var account = Get("AccountName") ?? "?";
        var protocol = Get("DefaultEndpointsProtocol") ?? "https";
        var suffix = Get("EndpointSuffix") ?? "core.windows.net";
        return (account,
            Get("QueueEndpoint") ?? $"{protocol}://{account}.queue.{suffix}",
            Get("TableEndpoint") ?? $"{protocol}://{account}.table.{suffix}");
    }

    private static string AccountOf(Uri uri) => uri.Host.Split('.')[0];
}
