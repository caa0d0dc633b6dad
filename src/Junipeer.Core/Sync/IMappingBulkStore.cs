namespace Junipeer.Core.Sync;

/// <summary>Port: whole mapping sets of one kind (e.g. every SKU mapping of an integration), read and written in bulk.</summary>
public interface IMappingBulkStore
{
    /// <summary>Every mapping of the kind: external key → value.</summary>
    Task<IReadOnlyDictionary<string, string>> ListAsync(string integrationId, string kind, CancellationToken cancellationToken);

    /// <summary>Upserts many mappings (batched per 100 rows).</summary>
    Task SetManyAsync(string integrationId, string kind, IReadOnlyCollection<KeyValuePair<string, string>> mappings, CancellationToken cancellationToken);

    /// <summary>Removes every mapping of the kind.</summary>
    Task DeleteAllAsync(string integrationId, string kind, CancellationToken cancellationToken);
}
