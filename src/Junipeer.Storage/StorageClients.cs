using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Storage;

/// <summary>
/// Builds Table and Queue clients from the same connection the Functions host uses
/// (<c>AzureWebJobsStorage</c>): a connection string locally (Azurite), or identity-based settings
/// in Azure (<c>AzureWebJobsStorage__tableServiceUri</c>, <c>__queueServiceUri</c>,
/// <c>__credential=managedidentity</c>, <c>__clientId</c>). Names get an optional prefix
/// (<c>Junipeer:Storage:Prefix</c>, dev/test only) so parallel test runs stay apart.
/// </summary>
public sealed class StorageClients
{
    public const string ConnectionName = "AzureWebJobsStorage";
    public const string PrefixKey = "Junipeer:Storage:Prefix";

    private readonly string? _connectionString;
    private readonly Uri? _tableUri;
    private readonly Uri? _queueUri;
    private readonly TokenCredential? _credential;

    public StorageClients(IConfiguration configuration)
    {
        Prefix = (configuration[PrefixKey] ?? "").ToLowerInvariant();
        var cs = configuration[ConnectionName];
        if (!string.IsNullOrWhiteSpace(cs))
        {
            _connectionString = cs;
            return;
        }

        var section = configuration.GetSection(ConnectionName);
        var table = section["tableServiceUri"];
        var queue = section["queueServiceUri"];
        var account = section["accountName"];
        if (string.IsNullOrWhiteSpace(table) && !string.IsNullOrWhiteSpace(account))
        {
            table = $"https://{account}.table.core.windows.net";
            queue = $"https://{account}.queue.core.windows.net";
        }

        if (string.IsNullOrWhiteSpace(table) || string.IsNullOrWhiteSpace(queue))
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set {ConnectionName} (connection string) or {ConnectionName}__tableServiceUri and __queueServiceUri (identity-based).");
        }

        _tableUri = new Uri(table);
        _queueUri = new Uri(queue);
        var clientId = section["clientId"];
        _credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrWhiteSpace(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }

    public string Prefix { get; }

    /// <summary>Table names are alphanumeric only.</summary>
    public string TableName(string name) => new string((Prefix + name).Where(char.IsAsciiLetterOrDigit).ToArray());

    public string QueueName(string name) => Prefix.Length == 0 ? name : $"{Prefix}-{name}";

    public TableClient Table(string name) => _connectionString is not null
        ? new TableClient(_connectionString, TableName(name))
        : new TableClient(_tableUri!, TableName(name), _credential!);

    /// <summary>Queue client with Base64 bodies, as the Functions queue trigger expects.</summary>
    public QueueClient Queue(string name) => Queue(name, QueueMessageEncoding.Base64);

    public QueueClient Queue(string name, QueueMessageEncoding encoding)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        return _connectionString is not null
            ? new QueueClient(_connectionString, QueueName(name), options)
            : new QueueClient(new Uri(_queueUri!, QueueName(name)), _credential!, options);
    }
}

/// <summary>The fixed table and queue names.</summary>
public static class StorageNames
{
    public const string Integrations = "Integrations";
    public const string Ledger = "Ledger";
    public const string Checkpoints = "Checkpoints";
    public const string Inbox = "Inbox";
    public const string Mappings = "Mappings";
    public const string Events = "Events";
    public const string Tokens = "Tokens";
    public const string Shadow = "Shadow";
    public const string OAuthState = "OAuthState";
    public const string Connections = "Connections";

    public const string OrdersQueue = "orders";
    public const string OrdersPoisonQueue = "orders-poison";
    public const string ShipmentsQueue = "shipments";
    public const string ShipmentsPoisonQueue = "shipments-poison";
    public const string StockHintsQueue = "stock-hints";
    public const string StockHintsPoisonQueue = "stock-hints-poison";

    /// <summary>Group-committed webhook work (<see cref="Junipeer.Core.Sync.WorkBatch"/>), fanned out by the IntakeFanOut trigger.</summary>
    public const string IntakeQueue = "intake";
    public const string IntakePoisonQueue = "intake-poison";
}
