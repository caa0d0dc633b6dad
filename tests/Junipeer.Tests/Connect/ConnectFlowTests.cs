using Azure.Data.Tables;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Connect;
using Junipeer.Core.Errors;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Connect;

/// <summary>Interactive Visma Connect (authorization code + PKCE) against the Sandbox and Azurite.</summary>
public class ConnectFlowTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connect_binds_the_chosen_company_stores_tokens_encrypted_and_the_ERP_answers()
    {
        var logs = new ListLoggerProvider();
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive(new HarnessOptions { Logs = logs }));
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        Assert.Equal("", (await h.Services.GetRequiredService<IIntegrationStore>().GetAsync(h.Integration.Id, Ct))!.Erp.VismaNet!.CompanyTenantId);

        var (state, code) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);
        var result = await h.Flow().CompleteAsync("vismanet", state, code, null, Ct);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(tenant, result.Company);
        var bound = (await h.Services.GetRequiredService<IIntegrationStore>().GetAsync(h.Integration.Id, Ct))!;
        Assert.Equal(tenant, bound.Erp.VismaNet!.CompanyTenantId);
        var status = Assert.Single(await h.Services.GetRequiredService<IConnectionStatusStore>().ListAsync(h.Integration.Id, Ct));
        Assert.Equal(ConnectionState.Connected, status.State);
        Assert.Equal(tenant, status.Company);

        // The ERP works with the stored interactive token (no client-credentials token was issued).
        var categories = await h.Services.GetRequiredService<IErpResolver>().For(bound).ReferenceData.GetVatCategoriesAsync(bound, Ct);
        Assert.NotEmpty(categories);
        var access = await h.Services.GetRequiredService<VismaConnectTokenProvider>().GetAccessTokenAsync(bound, Ct);

        // The raw table entity holds neither token in clear.
        var raw = await h.Services.GetRequiredService<StorageClients>().Table(StorageNames.Tokens)
            .GetEntityAsync<TableEntity>(h.Integration.Id, VismaConnectTokenProvider.SystemName, cancellationToken: Ct);
        var values = raw.Value.Where(kv => kv.Value is string).Select(kv => (string)kv.Value).ToList();
        Assert.Contains(values, v => v.StartsWith("v1.", StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains(access, StringComparison.Ordinal) || v.Contains("sbxrt.", StringComparison.Ordinal));

        // Neither the code, the state, the token nor the client secret reached a log line or the answer.
        foreach (var secret in new[] { code, state, access, Junipeer.Cli.Demo.DemoScenario.ClientSecret })
        {
            Assert.DoesNotContain(logs.Messages, m => m.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_state_works_once()
    {
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive());
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        var (state, code) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);

        var first = await h.Flow().CompleteAsync("vismanet", state, code, null, Ct);
        var replay = await h.Flow().CompleteAsync("vismanet", state, code, null, Ct);

        Assert.Equal(200, first.StatusCode);
        Assert.Equal(400, replay.StatusCode);
        Assert.Equal(ErrorCodes.OAuthStateInvalid, replay.Code);
        var unknown = await h.Flow().CompleteAsync("vismanet", "made-up-state", code, null, Ct);
        Assert.Equal(ErrorCodes.OAuthStateInvalid, unknown.Code);
    }

    [Fact]
    public async Task A_state_older_than_ten_minutes_is_refused()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive(new HarnessOptions { EngineTime = time }));
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        var (state, code) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);

        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await h.Flow().CompleteAsync("vismanet", state, code, null, Ct);

        Assert.Equal(400, late.StatusCode);
        Assert.Equal(ErrorCodes.OAuthStateExpired, late.Code);
        Assert.Equal("", (await h.Services.GetRequiredService<IIntegrationStore>().GetAsync(h.Integration.Id, Ct))!.Erp.VismaNet!.CompanyTenantId);
    }

    [Fact]
    public async Task A_wrong_PKCE_verifier_and_a_reused_code_are_refused_by_the_authorization_server()
    {
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive());
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        var (_, code) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);
        var connector = h.Services.GetServices<IOAuthConnector>().Single(c => c.System == "vismanet");

        var wrong = await Assert.ThrowsAnyAsync<JunipeerException>(() =>
            connector.ExchangeCodeAsync(h.Integration, code, Pkce.NewVerifier(), ConnectKit.Callback, Ct));
        Assert.Equal(ErrorCodes.OAuthCodeRejected, wrong.Code);

        // The code is spent by the failed attempt: even the right verifier cannot use it now.
        var (state2, code2) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);
        var ok = await h.Flow().CompleteAsync("vismanet", state2, code2, null, Ct);
        Assert.Equal(200, ok.StatusCode);
        var reused = await Assert.ThrowsAnyAsync<JunipeerException>(() =>
            connector.ExchangeCodeAsync(h.Integration, code2, Pkce.NewVerifier(), ConnectKit.Callback, Ct));
        Assert.Equal(ErrorCodes.OAuthCodeRejected, reused.Code);

        // The user declining at the provider comes back as an error, not a code.
        var (state3, _) = await ConnectKit.AuthorizeAsync(h, h.Integration.Id, tenant);
        var declined = await h.Flow().CompleteAsync("vismanet", state3, null, "access_denied", Ct);
        Assert.Equal(ErrorCodes.OAuthCodeRejected, declined.Code);
    }

    [Fact]
    public async Task Connect_for_an_unknown_integration_or_system_is_refused_and_stores_no_state()
    {
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive());
        var unknown = await h.Flow().StartAsync("vismanet", "no-such-integration", ConnectKit.Callback, Ct);
        Assert.Equal(404, unknown.StatusCode);
        Assert.Equal(ErrorCodes.IntegrationNotFound, unknown.Code);
        Assert.Null(unknown.Redirect);

        var system = await h.Flow().StartAsync("fortnox", h.Integration.Id, ConnectKit.Callback, Ct);
        Assert.Equal(ErrorCodes.ConnectSystemUnknown, system.Code);
        var callback = await h.Flow().CompleteAsync("fortnox", "x", "y", null, Ct);
        Assert.Equal(ErrorCodes.ConnectSystemUnknown, callback.Code);

        var states = h.Services.GetRequiredService<StorageClients>().Table(StorageNames.OAuthState);
        await states.CreateIfNotExistsAsync(Ct);
        Assert.Empty(await states.QueryAsync<TableEntity>(cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_refreshes_rotate_the_refresh_token_once_and_a_revoked_one_marks_the_connection()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive(new HarnessOptions { EngineTime = time }));
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        Assert.Equal(200, (await ConnectKit.ConnectAsync(h, h.Integration.Id, tenant)).StatusCode);
        var bound = (await h.Services.GetRequiredService<IIntegrationStore>().GetAsync(h.Integration.Id, Ct))!;

        // Past the access token's expiry: two instances, twenty callers, one refresh.
        time.Advance(TimeSpan.FromSeconds(h.Sandbox.State.Visma.TokenExpiresInSeconds));
        var one = ActivatorUtilities.CreateInstance<VismaConnectTokenProvider>(h.Services);
        var two = ActivatorUtilities.CreateInstance<VismaConnectTokenProvider>(h.Services);
        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? one : two).GetAccessTokenAsync(bound, Ct)));
        Assert.Single(tokens.Distinct());
        Assert.Equal(1, h.Sandbox.State.Visma.RefreshesAccepted(tenant));

        // The admin disconnects the app: the next refresh is refused and the connection shows why.
        h.Sandbox.State.Visma.RevokeRefreshTokens(tenant);
        time.Advance(TimeSpan.FromSeconds(h.Sandbox.State.Visma.TokenExpiresInSeconds));
        var revoked = await Assert.ThrowsAnyAsync<JunipeerException>(() => one.GetAccessTokenAsync(bound, Ct));
        Assert.Equal(ErrorCodes.ConnectionRevoked, revoked.Code);
        var status = Assert.Single(await h.Services.GetRequiredService<IConnectionStatusStore>().ListAsync(h.Integration.Id, Ct));
        Assert.Equal(ConnectionState.Revoked, status.State);
        Assert.Equal(ErrorCodes.ConnectionRevoked, status.ErrorCode);
    }

    [Fact]
    public async Task One_integrations_tokens_and_state_never_serve_another()
    {
        var otherId = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, ConnectKit.Interactive(new HarnessOptions
        {
            Settings = new() { [$"Secrets:{Junipeer.Cli.Demo.DemoScenario.VismaSecretNameFor(otherId)}"] = Junipeer.Cli.Demo.DemoScenario.ClientSecret },
        }));
        var tenant = h.Sandbox.State.Visma.TenantIds.Single();
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        var other = h.Integration with
        {
            Id = otherId,
            Orders = h.Integration.Orders with { ReferencePrefix = "OTHER-" },
            Erp = h.Integration.Erp with { VismaNet = h.Integration.Erp.VismaNet! with { ClientSecretName = Junipeer.Cli.Demo.DemoScenario.VismaSecretNameFor(otherId) } },
            Shop = h.Integration.Shop with
            {
                Centra = h.Integration.Shop.Centra! with
                {
                    TokenSecretName = Junipeer.Cli.Demo.DemoScenario.CentraTokenSecretNameFor(otherId),
                    WebhookSecretName = Junipeer.Cli.Demo.DemoScenario.WebhookSecretNameFor(otherId),
                    OrderFilter = new OrderOwnershipFilter { Countries = ["NO"] },
                },
            },
        };
        var mine = h.Integration with { Shop = h.Integration.Shop with { Centra = h.Integration.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { Countries = ["SE"] } } } };
        await store.SaveAsync(mine, Ct);
        await store.SaveAsync(other, Ct);

        // A state issued for this integration binds this integration only.
        Assert.Equal(200, (await ConnectKit.ConnectAsync(h, h.Integration.Id, tenant)).StatusCode);
        Assert.Equal("", (await store.GetAsync(otherId, Ct))!.Erp.VismaNet!.CompanyTenantId);
        Assert.Empty(await h.Services.GetRequiredService<IConnectionStatusStore>().ListAsync(otherId, Ct));

        // Its token row copied under the other integration does not decrypt there.
        var tokens = h.Services.GetRequiredService<StorageClients>().Table(StorageNames.Tokens);
        var row = (await tokens.GetEntityAsync<TableEntity>(h.Integration.Id, VismaConnectTokenProvider.SystemName, cancellationToken: Ct)).Value;
        var copy = new TableEntity(otherId, VismaConnectTokenProvider.SystemName);
        foreach (var (k, v) in row.Where(kv => kv.Key is "AccessToken" or "RefreshToken" or "ExpiresAt"))
            copy[k] = v;
        await tokens.UpsertEntityAsync(copy, TableUpdateMode.Replace, Ct);
        var provider = ActivatorUtilities.CreateInstance<VismaConnectTokenProvider>(h.Services);
        var refused = await Assert.ThrowsAnyAsync<JunipeerException>(() => provider.GetAccessTokenAsync(other with { Erp = other.Erp with { VismaNet = other.Erp.VismaNet! with { CompanyTenantId = tenant } } }, Ct));
        Assert.Equal(ErrorCodes.ConnectionNotEstablished, refused.Code);
    }
}
