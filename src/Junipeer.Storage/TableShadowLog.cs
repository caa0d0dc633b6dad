using System.Text.Json;
using Azure.Data.Tables;
using Junipeer.Core;
using Junipeer.Core.Shadow;

namespace Junipeer.Storage;

/// <summary>
/// Shadow table: PartitionKey = integration, RowKey = flow + "|" + entity key (escaped); the record as
/// JSON plus the outcome and code as columns. The latest shadow run of an entity replaces the earlier one.
/// </summary>
public sealed class TableShadowLog(StorageClients clients) : TableStoreBase(clients, StorageNames.Shadow), IShadowLog
{
    public async Task SaveAsync(ShadowRecord record, CancellationToken cancellationToken) =>
        await (await TableAsync(cancellationToken)).UpsertEntityAsync(
            new TableEntity(TableKeys.Encode(record.IntegrationId), TableKeys.Encode(record.Flow + "|" + record.EntityKey))
            {
                ["Flow"] = record.Flow,
                ["Outcome"] = record.Outcome.ToString(),
                ["ErrorCode"] = record.ErrorCode,
                ["Record"] = JsonSerializer.Serialize(record, JunipeerJson.Options),
            },
            TableUpdateMode.Replace, cancellationToken);

    public async Task<IReadOnlyList<ShadowRecord>> ListAsync(string integrationId, string? flow, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var pk = TableKeys.Encode(integrationId);
        var filter = flow is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {pk}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {pk} and Flow eq {flow}");
        var list = new List<ShadowRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (JsonSerializer.Deserialize<ShadowRecord>(e.GetString("Record") ?? "null", JunipeerJson.Options) is { } r && r.IntegrationId == integrationId)
                list.Add(r);
        }

        return list;
    }
}
