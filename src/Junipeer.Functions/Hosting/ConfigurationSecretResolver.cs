using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Functions.Hosting;

/// <summary>
/// Secrets named in integration settings live under <c>Secrets:&lt;name&gt;</c>: in Azure these are
/// app settings <c>Secrets__&lt;name&gt;</c> holding Key Vault references; locally, configuration.
/// </summary>
public sealed class ConfigurationSecretResolver(IConfiguration configuration) : ISecretResolver
{
    public string Resolve(string secretName) =>
        TryResolve(secretName) ?? throw new JunipeerException(ErrorCodes.SecretNotConfigured,
            $"Secret '{secretName}' is not configured (expected app setting Secrets__{secretName}, a Key Vault reference in Azure).");

    public string? TryResolve(string secretName) =>
        string.IsNullOrWhiteSpace(secretName) ? null : configuration[$"Secrets:{secretName}"] is { Length: > 0 } v ? v : null;
}
