namespace Junipeer.Core.Connect;

/// <summary>How a connected system stands for one integration.</summary>
public enum ConnectionState
{
    /// <summary>Credentials work (last token request or authorization succeeded).</summary>
    Connected,

    /// <summary>The authorization lapsed (e.g. the refresh token expired); reconnect.</summary>
    Expired,

    /// <summary>The vendor refused the credentials or the grant (invalid_client, invalid_grant); reconnect or fix the secret.</summary>
    Revoked,
}

/// <summary>Connection status of one system (vismanet, centra, …) of one integration, with the error that caused it.</summary>
public sealed record ConnectionStatus
{
    public required string IntegrationId { get; init; }
    public required string System { get; init; }
    public required ConnectionState State { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>The ERP company bound by the last authorization (interactive Visma Connect), if any.</summary>
    public string? Company { get; init; }

    public required DateTimeOffset At { get; init; }
}

/// <summary>Port: connection status per integration and system (table Connections).</summary>
public interface IConnectionStatusStore
{
    Task SetAsync(ConnectionStatus status, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConnectionStatus>> ListAsync(string integrationId, CancellationToken cancellationToken);
}
