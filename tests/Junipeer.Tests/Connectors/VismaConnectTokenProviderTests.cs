using Flurl.Http.Testing;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Security;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Time.Testing;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Connectors;

public class VismaConnectTokenProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int TokenCalls(HttpTest http) => http.CallLog.Count(c => c.Request.Url.ToString() == TokenUrl);

    [Fact]
    public async Task Sends_client_credentials_with_the_four_scopes_and_the_company_tenant()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson());
        var provider = TokenProvider(new FakeTimeProvider(Start), new InMemoryTokenStore());

        var token = await provider.GetAccessTokenAsync(Integration(), Ct);

        Assert.Equal("tok-1", token);
        var call = Assert.Single(http.CallLog);
        Assert.Equal(HttpMethod.Post, call.Request.Verb);
        var form = call.RequestBody.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("junipeer-client", form["client_id"]);
        Assert.Equal("s3cret-value", form["client_secret"]);
        Assert.Equal("8e5d1f0a-1111-2222-3333-444455556666", form["tenant_id"]);
        Assert.Equal(
            ["vismanet_erp_service_api:create", "vismanet_erp_service_api:delete", "vismanet_erp_service_api:read", "vismanet_erp_service_api:update"],
            form["scope"].Split(' ').Order().ToArray());
    }

    [Fact]
    public async Task Caches_the_token_and_refreshes_it_skew_seconds_before_expiry()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-1")).RespondWithJson(TokenJson("tok-2"));
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryTokenStore();
        var provider = TokenProvider(time, store, Options(skewSeconds: 300));

        var first = await provider.GetAccessTokenAsync(Integration(), Ct);
        time.Advance(TimeSpan.FromSeconds(3299));
        var cached = await provider.GetAccessTokenAsync(Integration(), Ct);
        Assert.Equal(1, TokenCalls(http));

        time.Advance(TimeSpan.FromSeconds(2));
        var refreshed = await provider.GetAccessTokenAsync(Integration(), Ct);

        Assert.Equal("tok-1", first);
        Assert.Equal("tok-1", cached);
        Assert.Equal("tok-2", refreshed);
        Assert.Equal(2, TokenCalls(http));
    }

    [Fact]
    public async Task Stores_the_token_encrypted_and_a_second_instance_reuses_it_without_a_token_call()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-secret-1"));
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryTokenStore();

        await TokenProvider(time, store).GetAccessTokenAsync(Integration(), Ct);
        var record = store.Peek("acme-se", VismaConnectTokenProvider.SystemName);
        var second = await TokenProvider(time, store).GetAccessTokenAsync(Integration(), Ct);

        Assert.NotNull(record);
        Assert.DoesNotContain("tok-secret-1", record.AccessToken, StringComparison.Ordinal);
        Assert.Equal(Start.AddSeconds(3600), record.ExpiresAt);
        Assert.Null(record.RefreshLeaseOwner);
        Assert.Equal("tok-secret-1", second);
        Assert.Equal(1, TokenCalls(http));
    }

    [Fact]
    public async Task Twenty_concurrent_callers_cause_exactly_one_token_request()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-1")).RespondWithJson(TokenJson("tok-unexpected"));
        var provider = TokenProvider(new AutoAdvancingTimeProvider(Start), new InMemoryTokenStore());
        var integration = Integration();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => provider.GetAccessTokenAsync(integration, Ct), Ct)));

        Assert.All(tokens, t => Assert.Equal("tok-1", t));
        Assert.Equal(1, TokenCalls(http));
    }

    [Fact]
    public async Task A_loser_of_the_refresh_lease_waits_and_uses_the_token_the_winner_stored()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-mine"));
        var time = new AutoAdvancingTimeProvider(Start);
        var store = new InMemoryTokenStore();
        var options = Options();
        var protector = new TokenProtector(Microsoft.Extensions.Options.Options.Create(options));

        // Another instance holds the lease...
        await store.TryWriteAsync(new TokenRecord
        {
            IntegrationId = "acme-se",
            System = VismaConnectTokenProvider.SystemName,
            RefreshLeaseOwner = "other-instance",
            RefreshLeaseUntil = Start.AddSeconds(30),
        }, Ct);

        // ...and finishes its refresh while we wait.
        store.BeforeGet = n =>
        {
            if (n != 3)
                return;
            var current = store.Peek("acme-se", VismaConnectTokenProvider.SystemName)!;
            store.TryWriteAsync(current with
            {
                AccessToken = protector.Protect("tok-theirs", $"acme-se/{VismaConnectTokenProvider.SystemName}"),
                ExpiresAt = time.GetUtcNow().AddHours(1),
                RefreshLeaseOwner = null,
                RefreshLeaseUntil = null,
            }, CancellationToken.None).GetAwaiter().GetResult();
        };
        var provider = TokenProvider(time, store, options);

        var token = await provider.GetAccessTokenAsync(Integration(), Ct);

        Assert.Equal("tok-theirs", token);
        Assert.Equal(0, TokenCalls(http));
        Assert.True(time.Delays.Count >= 2, "the loser waited between reads");
        Assert.All(time.Delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task An_expired_lease_of_a_dead_instance_is_taken_over()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-mine"));
        var time = new AutoAdvancingTimeProvider(Start);
        var store = new InMemoryTokenStore();
        await store.TryWriteAsync(new TokenRecord
        {
            IntegrationId = "acme-se",
            System = VismaConnectTokenProvider.SystemName,
            RefreshLeaseOwner = "dead-instance",
            RefreshLeaseUntil = Start.AddSeconds(5),
        }, Ct);

        var token = await TokenProvider(time, store).GetAccessTokenAsync(Integration(), Ct);

        Assert.Equal("tok-mine", token);
        Assert.Equal(1, TokenCalls(http));
        Assert.True(time.GetUtcNow() >= Start.AddSeconds(5));
    }

    [Theory]
    [InlineData("invalid_client")]
    [InlineData("invalid_tenant")]
    public async Task Refused_credentials_are_ERP_AUTH_FAILED_and_not_retried(string error)
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(new { error }, 400);
        var store = new InMemoryTokenStore();
        var provider = TokenProvider(new AutoAdvancingTimeProvider(Start), store);

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => provider.GetAccessTokenAsync(Integration(), Ct));

        Assert.Equal(ErrorCodes.ErpAuthFailed, ex.Code);
        Assert.Contains(error, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, TokenCalls(http));
        Assert.Null(store.Peek("acme-se", VismaConnectTokenProvider.SystemName)?.RefreshLeaseOwner);
    }

    [Fact]
    public void TokenProtector_round_trips_and_rejects_another_context_or_tampering()
    {
        var protector = new TokenProtector(Microsoft.Extensions.Options.Options.Create(Options()));

        var sealedValue = protector.Protect("abc", "acme-se/vismanet");
        var tampered = sealedValue[..^4] + (sealedValue[^4] == 'A' ? "B" : "A") + sealedValue[^3..];

        Assert.Equal("abc", protector.TryUnprotect(sealedValue, "acme-se/vismanet"));
        Assert.Null(protector.TryUnprotect(sealedValue, "other/vismanet"));
        Assert.Null(protector.TryUnprotect(tampered, "acme-se/vismanet"));
        var badKey = new TokenProtector(Microsoft.Extensions.Options.Options.Create(new Core.Options.JunipeerOptions { TokenEncryptionKey = "c2hvcnQ=" }));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, Assert.Throws<JunipeerException>(() => badKey.Protect("x", "y")).Code);
    }
}
