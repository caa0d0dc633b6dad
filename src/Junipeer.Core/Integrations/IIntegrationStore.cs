namespace Junipeer.Core.Integrations;

/// <summary>Port: integration settings (Integrations table).</summary>
public interface IIntegrationStore
{
    Task<Integration?> GetAsync(string integrationId, CancellationToken cancellationToken);
    Task<IReadOnlyList<Integration>> ListAsync(CancellationToken cancellationToken);
    Task SaveAsync(Integration integration, CancellationToken cancellationToken);
}
