using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// The Visma URLs of an integration: its own override (Erp.VismaNet.ApiBaseUrl / TokenUrl /
/// AuthorizeUrl) first, else the deployment's URLs for its Erp.VismaNet.Environment (Production:
/// Junipeer:VismaNet:ApiBaseUrl …; Test: Junipeer:VismaNet:TestApiBaseUrl …). So test and production
/// connections are switched per integration with one setting.
/// </summary>
public static class VismaUrls
{
    public static string Api(VismaNetSettings s, VismaNetOptions o) =>
        Pick(s.ApiBaseUrl, s.Environment, o.ApiBaseUrl, o.TestApiBaseUrl, "TestApiBaseUrl", "ApiBaseUrl");

    public static string Token(VismaNetSettings s, VismaNetOptions o) =>
        Pick(s.TokenUrl, s.Environment, o.TokenUrl, Blank(o.TestTokenUrl) ?? o.TokenUrl, "TestTokenUrl", "TokenUrl");

    public static string Authorize(VismaNetSettings s, VismaNetOptions o) =>
        Pick(s.AuthorizeUrl, s.Environment, o.AuthorizeUrl, Blank(o.TestAuthorizeUrl) ?? o.AuthorizeUrl, "TestAuthorizeUrl", "AuthorizeUrl");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Pick(string? own, VismaEnvironment environment, string production, string? test, string testOption, string ownName)
    {
        if (!string.IsNullOrWhiteSpace(own))
            return own;
        if (environment == VismaEnvironment.Production)
            return production;
        return string.IsNullOrWhiteSpace(test)
            ? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
                $"Erp.VismaNet.Environment is Test but neither Junipeer__VismaNet__{testOption} nor Erp.VismaNet.{ownName} is set.")
            : test;
    }
}
