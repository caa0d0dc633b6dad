using Azure;
using Azure.Data.Tables;

namespace Junipeer.Storage;

/// <summary>A table that is created on first use.</summary>
public abstract class TableStoreBase(StorageClients clients, string tableName)
{
    private readonly TableClient _table = clients.Table(tableName);
    private volatile bool _created;

    /// <summary>The storage clients, for a store that also touches another table.</summary>
    protected StorageClients Clients { get; } = clients;

    protected async Task<TableClient> TableAsync(CancellationToken ct)
    {
        if (!_created)
        {
            await _table.CreateIfNotExistsAsync(ct);
            _created = true;
        }

        return _table;
    }

    protected static async Task<T?> GetOrNullAsync<T>(TableClient table, string pk, string rk, CancellationToken ct)
        where T : class, ITableEntity
    {
        var r = await table.GetEntityIfExistsAsync<T>(pk, rk, cancellationToken: ct);
        return r.HasValue ? r.Value : null;
    }

    protected static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;
}
