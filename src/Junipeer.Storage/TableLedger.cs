using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Junipeer.Core;
using Junipeer.Core.Sync;

namespace Junipeer.Storage;

/// <summary>
/// The ledger in Table Storage: PartitionKey = integration|flow, RowKey = entity key. Inserts fail
/// with 409 when the row exists; updates are conditional on the row's ETag (412 when stale, 404 when
/// the row is gone): each becomes a <see cref="LedgerConflictException"/>, never an overwrite.
/// </summary>
public sealed class TableLedger(StorageClients clients) : TableStoreBase(clients, StorageNames.Ledger), ISyncLedger
{
    public async Task<LedgerEntry?> GetAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var e = await GetOrNullAsync<TableEntity>(table, Pk(key), TableKeys.Encode(key.EntityKey), cancellationToken);
        return e is null ? null : FromEntity(key, e);
    }

    public async Task<LedgerEntry> SaveAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        try
        {
            Response r = entry.ETag is null
                ? await table.AddEntityAsync(ToEntity(entry), cancellationToken)
                : await table.UpdateEntityAsync(ToEntity(entry), new ETag(entry.ETag), TableUpdateMode.Replace, cancellationToken);
            return entry with { ETag = r.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (IsConflict(ex) || (entry.ETag is not null && ex.Status == 404))
        {
            // 409: inserted by someone else; 412: changed since our read; 404: gone (storage wiped).
            throw new LedgerConflictException($"Ledger row {entry.Key.Flow} {entry.Key.EntityKey} was changed by someone else ({ex.Status}).");
        }
    }

    public async Task<IReadOnlyList<LedgerEntry>> ListAsync(string integrationId, string flow, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, flow);
        var list = new List<LedgerEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(new LedgerKey(integrationId, flow, e.GetString("EntityKey") ?? e.RowKey), e));
        }

        return list;
    }

    public async Task<IReadOnlyList<LedgerEntry>> ListByStatusAsync(string integrationId, string flow, LedgerStatus status, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Partition(integrationId, flow);
        var name = status.ToString();
        var list = new List<LedgerEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and Status eq {name}"), cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(new LedgerKey(integrationId, flow, e.GetString("EntityKey") ?? e.RowKey), e));
        }

        return list;
    }

    private static string Pk(LedgerKey key) => TableKeys.Partition(key.IntegrationId, key.Flow);

    private static TableEntity ToEntity(LedgerEntry e) => new(Pk(e.Key), TableKeys.Encode(e.Key.EntityKey))
    {
        ["EntityKey"] = e.Key.EntityKey,
        ["Status"] = e.Status.ToString(),
        ["Phase"] = e.Phase,
        ["LeaseOwner"] = e.LeaseOwner,
        ["LeaseUntil"] = e.LeaseUntil,
        ["Documents"] = JsonSerializer.Serialize(e.Documents, JunipeerJson.Options),
        ["ErrorCode"] = e.ErrorCode,
        ["ErrorMessage"] = e.ErrorMessage,
        ["Attempts"] = e.Attempts,
        ["CorrelationId"] = e.CorrelationId,
        ["ChangedAt"] = e.UpdatedAt,
        ["Facts"] = JsonSerializer.Serialize(e.Facts, JunipeerJson.Options),
    };

    private static LedgerEntry FromEntity(LedgerKey key, TableEntity e) => new()
    {
        Key = key,
        Status = Enum.TryParse<LedgerStatus>(e.GetString("Status"), out var s) ? s : LedgerStatus.Pending,
        Phase = e.GetString("Phase") ?? "",
        LeaseOwner = e.GetString("LeaseOwner"),
        LeaseUntil = e.GetDateTimeOffset("LeaseUntil"),
        Documents = e.GetString("Documents") is { } d ? JsonSerializer.Deserialize<Dictionary<string, string>>(d, JunipeerJson.Options) ?? [] : [],
        ErrorCode = e.GetString("ErrorCode"),
        ErrorMessage = e.GetString("ErrorMessage"),
        Attempts = e.GetInt32("Attempts") ?? 0,
        CorrelationId = e.GetString("CorrelationId"),
        UpdatedAt = e.GetDateTimeOffset("ChangedAt"),
        Facts = e.GetString("Facts") is { } f ? JsonSerializer.Deserialize<Dictionary<string, string>>(f, JunipeerJson.Options) ?? [] : [],
        ETag = e.ETag.ToString(),
    };
}
