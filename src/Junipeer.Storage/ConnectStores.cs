using Azure;
using Azure.Data.Tables;
using Junipeer.Core.Connect;

namespace Junipeer.Storage;

/// <summary>
/// OAuthState table: PartitionKey "state", RowKey = SHA-256 of the state (the state itself is never
/// stored). Taking deletes the row with its ETag: of two callbacks with one state, one wins.
/// </summary>
public sealed class TableOAuthStateStore(StorageClients clients) : TableStoreBase(clients, StorageNames.OAuthState), IOAuthStateStore
{
    private const string Pk = "state";

    private static string Key(string state) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(state)));

    public async Task AddAsync(OAuthPending pending, CancellationToken cancellationToken) =>
        await (await TableAsync(cancellationToken)).AddEntityAsync(new TableEntity(Pk, Key(pending.State))
        {
            ["IntegrationId"] = pending.IntegrationId,
            ["System"] = pending.System,
            ["Verifier"] = pending.ProtectedVerifier,
            ["RedirectUri"] = pending.RedirectUri,
            ["ExpiresAt"] = pending.ExpiresAt,
        }, cancellationToken);

    public async Task<OAuthPending?> TakeAsync(string state, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var e = await GetOrNullAsync<TableEntity>(table, Pk, Key(state), cancellationToken);
        if (e is null)
        {
            return null;
        }

        try
        {
            await table.DeleteEntityAsync(e, e.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null; // another callback took it first
        }

        return new OAuthPending
        {
            State = state,
            IntegrationId = e.GetString("IntegrationId") ?? "",
            System = e.GetString("System") ?? "",
            ProtectedVerifier = e.GetString("Verifier") ?? "",
            RedirectUri = e.GetString("RedirectUri") ?? "",
            ExpiresAt = e.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue,
        };
    }
}

/// <summary>Connections table: PartitionKey = integration, RowKey = system; the last status with its error.</summary>
public sealed class TableConnectionStatusStore(StorageClients clients) : TableStoreBase(clients, StorageNames.Connections), IConnectionStatusStore
{
    public async Task SetAsync(ConnectionStatus status, CancellationToken cancellationToken) =>
        await (await TableAsync(cancellationToken)).UpsertEntityAsync(new TableEntity(TableKeys.Encode(status.IntegrationId), status.System)
        {
            ["State"] = status.State.ToString(),
            ["ErrorCode"] = status.ErrorCode,
            ["ErrorMessage"] = status.ErrorMessage,
            ["Company"] = status.Company,
            ["At"] = status.At,
        }, TableUpdateMode.Replace, cancellationToken);

    public async Task<IReadOnlyList<ConnectionStatus>> ListAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var list = new List<ConnectionStatus>();
        var pk = TableKeys.Encode(integrationId);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), cancellationToken: cancellationToken))
        {
            list.Add(new ConnectionStatus
            {
                IntegrationId = integrationId,
                System = e.RowKey,
                State = Enum.TryParse<ConnectionState>(e.GetString("State"), out var s) ? s : ConnectionState.Revoked,
                ErrorCode = e.GetString("ErrorCode"),
                ErrorMessage = e.GetString("ErrorMessage"),
                Company = e.GetString("Company"),
                At = e.GetDateTimeOffset("At") ?? default,
            });
        }

        return list;
    }
}
