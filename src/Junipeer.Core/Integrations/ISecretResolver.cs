namespace Junipeer.Core.Integrations;

/// <summary>Port: resolves a secret by name (Key Vault-backed app settings in Azure, configuration locally).</summary>
public interface ISecretResolver
{
    /// <summary>The secret value; throws SECRET_NOT_CONFIGURED when absent.</summary>
    string Resolve(string secretName);

    string? TryResolve(string secretName);
}
