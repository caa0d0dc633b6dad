using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Storage;

/// <summary>
/// Integrations table: one row per integration, settings as JSON. Saving validates the settings with
/// the deployment's <see cref="IntegrationRules"/> (development switch from configuration) and
/// refuses secret names that reach into another integration's namespace.
/// </summary>
public sealed class TableIntegrationStore(StorageClients clients, IConfiguration configuration, TimeProvider? time = null) : TableStoreBase(clients, StorageNames.Integrations), IIntegrationStore
{
    private const string Pk = "integration";

    public IntegrationRules Rules { get; } = IntegrationRules.FromSettings(key => configuration[key]);

    public async Task<Integration?> GetAsync(string integrationId, CancellationToken cancellationToken)
    {
        if (!Integration.IsValidId(integrationId))
        {
            return null;
        }

        var e = await GetOrNullAsync<TableEntity>(await TableAsync(cancellationToken), Pk, integrationId, cancellationToken);
        return e is null ? null : Read(e);
    }

    public async Task<IReadOnlyList<Integration>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var list = new List<Integration>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Pk}"), cancellationToken: cancellationToken))
        {
            list.Add(Read(e));
        }

        return list;
    }

    public async Task SaveAsync(Integration integration, CancellationToken cancellationToken)
    {
        IntegrationValidator.EnsureValid(integration, Rules);
        var stored = await ListAsync(cancellationToken);
        IntegrationValidator.EnsureModeSwitch(integration, stored.FirstOrDefault(i => string.Equals(i.Id, integration.Id, StringComparison.Ordinal)));
        if (stored.FirstOrDefault(i => string.Equals(i.Id, integration.Id, StringComparison.Ordinal)) is { } before)
            integration = IntegrationValidator.KeepPreviousPrefixes(integration, before);
        IntegrationValidator.EnsureNoScopeConflict(integration, stored);
        IntegrationValidator.EnsureOwnershipDisjoint(integration, stored);
        IntegrationValidator.EnsureDistinctReferences(integration, stored);

        await (await TableAsync(cancellationToken)).UpsertEntityAsync(
            new TableEntity(Pk, integration.Id) { ["Settings"] = JsonSerializer.Serialize(integration, JunipeerJson.Options) },
            TableUpdateMode.Replace, cancellationToken);

        // A new integration starts a settled storage epoch: nothing of it can be in flight (StorageEpoch).
        if (!stored.Any(i => string.Equals(i.Id, integration.Id, StringComparison.Ordinal)))
            await StorageEpoch.StartSettledAsync(new TableLedger(Clients), integration.Id, (time ?? TimeProvider.System).GetUtcNow(), cancellationToken);
    }

    private static Integration Read(TableEntity e)
    {
        try
        {
            return JsonSerializer.Deserialize<Integration>(e.GetString("Settings") ?? "null", JunipeerJson.Options)
                   ?? throw new JsonException("empty settings");
        }
        catch (JsonException ex)
        {
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Settings of integration '{e.RowKey}' are not valid JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>Checkpoints table: PartitionKey = integration, RowKey = flow.</summary>
public sealed class TableCheckpointStore(StorageClients clients) : TableStoreBase(clients, StorageNames.Checkpoints), ICheckpointStore
{
    public async Task<DateTimeOffset?> GetAsync(string integrationId, string flow, CancellationToken cancellationToken)
    {
        var e = await GetOrNullAsync<TableEntity>(await TableAsync(cancellationToken), TableKeys.Encode(integrationId), flow, cancellationToken);
        return e?.GetDateTimeOffset("Value");
    }

    public async Task SetAsync(string integrationId, string flow, DateTimeOffset value, CancellationToken cancellationToken) =>
        await (await TableAsync(cancellationToken)).UpsertEntityAsync(
            new TableEntity(TableKeys.Encode(integrationId), flow) { ["Value"] = value }, TableUpdateMode.Replace, cancellationToken);
}

/// <summary>Inbox table: webhook dedupe by an insert that fails with 409 the second time.</summary>
public sealed class TableInbox(StorageClients clients, TimeProvider time) : TableStoreBase(clients, StorageNames.Inbox), IInbox
{
    public async Task<bool> TryAcceptAsync(string integrationId, string source, string eventKey, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventKey)));
        try
        {
            await (await TableAsync(cancellationToken)).AddEntityAsync(
                new TableEntity(TableKeys.Partition(integrationId, source), hash) { ["EventKey"] = eventKey.Length > 1000 ? eventKey[..1000] : eventKey, ["ReceivedAt"] = time.GetUtcNow() },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<int> PurgeAsync(string integrationId, string source, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, source);
        var old = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and ReceivedAt lt {olderThan}"),
                           select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            old.Add(e);
        }

        // One partition, so deletes go in entity-group transactions of at most 100.
        foreach (var chunk in old.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
        }

        return old.Count;
    }
}

/// <summary>Mappings table: PartitionKey = integration|kind, RowKey = external key.</summary>
public sealed class TableMappingStore(StorageClients clients) : TableStoreBase(clients, StorageNames.Mappings), IMappingStore, IMappingBulkStore
{
    /// <summary>Rows per entity-group transaction (Table Storage's limit).</summary>
    private const int BatchRows = 100;

    public async Task<IReadOnlyDictionary<string, string>> ListAsync(string integrationId, string kind, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, kind);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), maxPerPage: 1000,
                           select: ["RowKey", "Key", "ErpId"], cancellationToken: cancellationToken))
        {
            // Rows written by SetAsync carry no Key column: their RowKey is the (escaped) key itself.
            all[e.GetString("Key") ?? e.RowKey] = e.GetString("ErpId") ?? "";
        }

        return all;
    }

    public async Task SetManyAsync(string integrationId, string kind, IReadOnlyCollection<KeyValuePair<string, string>> mappings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, kind);
        foreach (var chunk in mappings.DistinctBy(m => TableKeys.Encode(m.Key)).Chunk(BatchRows))
        {
            var actions = chunk.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(pk, TableKeys.Encode(m.Key)) { ["Key"] = m.Key, ["ErpId"] = m.Value })).ToList();
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }

    public async Task DeleteAllAsync(string integrationId, string kind, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, kind);
        var keys = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
            keys.Add(e.RowKey);
        foreach (var chunk in keys.Chunk(BatchRows))
            await table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, k), Azure.ETag.All)), cancellationToken);
    }

    public async Task<string?> GetAsync(string integrationId, string kind, string externalKey, CancellationToken cancellationToken)
    {
        var e = await GetOrNullAsync<TableEntity>(await TableAsync(cancellationToken), TableKeys.Partition(integrationId, kind), TableKeys.Encode(externalKey), cancellationToken);
        return e?.GetString("ErpId");
    }

    public async Task SetAsync(string integrationId, string kind, string externalKey, string erpId, CancellationToken cancellationToken) =>
        await (await TableAsync(cancellationToken)).UpsertEntityAsync(
            new TableEntity(TableKeys.Partition(integrationId, kind), TableKeys.Encode(externalKey)) { ["ErpId"] = erpId },
            TableUpdateMode.Replace, cancellationToken);
}

/// <summary>Events table: PartitionKey = integration, RowKey = inverted ticks (newest first).</summary>
public sealed class TableEventLog(StorageClients clients) : TableStoreBase(clients, StorageNames.Events), IEventLog
{
    public async Task AppendAsync(OperatorEvent operatorEvent, CancellationToken cancellationToken)
    {
        var rk = $"{DateTimeOffset.MaxValue.UtcTicks - operatorEvent.At.UtcTicks:D19}-{Guid.NewGuid():N}";
        await (await TableAsync(cancellationToken)).AddEntityAsync(new TableEntity(TableKeys.Encode(operatorEvent.IntegrationId), rk)
        {
            ["Flow"] = operatorEvent.Flow,
            ["EntityKey"] = operatorEvent.EntityKey,
            ["Severity"] = operatorEvent.Severity.ToString(),
            ["Message"] = operatorEvent.Message,
            ["ErrorCode"] = operatorEvent.ErrorCode,
            ["Fix"] = operatorEvent.Fix,
            ["CorrelationId"] = operatorEvent.CorrelationId,
            ["At"] = operatorEvent.At,
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<OperatorEvent>> ListAsync(string integrationId, int take, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var list = new List<OperatorEvent>();
        var pk = TableKeys.Encode(integrationId);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), maxPerPage: Math.Min(take, 1000), cancellationToken: cancellationToken))
        {
            list.Add(new OperatorEvent
            {
                IntegrationId = integrationId,
                Flow = e.GetString("Flow") ?? "",
                EntityKey = e.GetString("EntityKey") ?? "",
                Severity = Enum.TryParse<EventSeverity>(e.GetString("Severity"), out var s) ? s : EventSeverity.Info,
                Message = e.GetString("Message") ?? "",
                ErrorCode = e.GetString("ErrorCode"),
                Fix = e.GetString("Fix"),
                CorrelationId = e.GetString("CorrelationId"),
                At = e.GetDateTimeOffset("At") ?? default,
            });
            if (list.Count >= take)
            {
                break;
            }
        }

        return list;
    }
}

/// <summary>Tokens table: PartitionKey = integration, RowKey = system; writes conditional on ETag.</summary>
public sealed class TableTokenStore(StorageClients clients) : TableStoreBase(clients, StorageNames.Tokens), ITokenStore
{
    public async Task<TokenRecord?> GetAsync(string integrationId, string system, CancellationToken cancellationToken)
    {
        var e = await GetOrNullAsync<TableEntity>(await TableAsync(cancellationToken), TableKeys.Encode(integrationId), system, cancellationToken);
        return e is null ? null : new TokenRecord
        {
            IntegrationId = integrationId,
            System = system,
            AccessToken = e.GetString("AccessToken"),
            ExpiresAt = e.GetDateTimeOffset("ExpiresAt"),
            RefreshToken = e.GetString("RefreshToken"),
            RefreshLeaseOwner = e.GetString("RefreshLeaseOwner"),
            RefreshLeaseUntil = e.GetDateTimeOffset("RefreshLeaseUntil"),
            ETag = e.ETag.ToString(),
        };
    }

    public async Task<TokenRecord?> TryWriteAsync(TokenRecord record, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var entity = new TableEntity(TableKeys.Encode(record.IntegrationId), record.System)
        {
            ["AccessToken"] = record.AccessToken,
            ["ExpiresAt"] = record.ExpiresAt,
            ["RefreshToken"] = record.RefreshToken,
            ["RefreshLeaseOwner"] = record.RefreshLeaseOwner,
            ["RefreshLeaseUntil"] = record.RefreshLeaseUntil,
        };
        try
        {
            Response r = record.ETag is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, new ETag(record.ETag), TableUpdateMode.Replace, cancellationToken);
            return record with { ETag = r.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (IsConflict(ex))
        {
            return null;
        }
    }
}
