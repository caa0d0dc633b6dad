namespace Junipeer.Core.Operations;

/// <summary>
/// Slot for whoever knows the connection state of an integration's systems (Visma Connect, Centra,
/// PSPs): connected / expired / revoked with the error that caused it. The console shows "not
/// reported" while none is registered.
/// </summary>
public interface IConnectionStatusSource
{
    Task<IReadOnlyList<ConnectionState>> GetAsync(string integrationId, CancellationToken cancellationToken);
}
