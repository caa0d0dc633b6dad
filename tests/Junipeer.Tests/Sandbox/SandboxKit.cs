using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Microsoft.Extensions.Time.Testing;

namespace Junipeer.Tests.Sandbox;

/// <summary>Starts a sandbox on loopback with a fake clock and a seeded company; plain HttpClient over real HTTP.</summary>
internal sealed class SandboxKit : IAsyncDisposable
{
    public const string TenantA = "aaaaaaaa-0000-0000-0000-000000000001";
    public const string TenantB = "bbbbbbbb-0000-0000-0000-000000000002";
    public const string ClientId = "isv_test";
    public const string ClientSecret = "s3cret";

    private SandboxKit(SandboxHost host, FakeTimeProvider clock)
    {
        Host = host;
        Clock = clock;
        Http = new HttpClient { BaseAddress = host.BaseUri };
    }

    public SandboxHost Host { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Http { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<SandboxKit> StartAsync(Action<VismaCompanySpec>? tweak = null, Action<SandboxOptions>? options = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero));
        var opts = new SandboxOptions { TimeProvider = clock };
        options?.Invoke(opts);
        var host = await SandboxHost.StartAsync(opts, Ct);
        var kit = new SandboxKit(host, clock);
        var company = DemoData.SwedishCompany(TenantA, ClientId, ClientSecret);
        tweak?.Invoke(company);
        using var response = await kit.Http.PostAsJsonAsync("_sandbox/visma/companies", company, Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return kit;
    }

    public async Task<HttpResponseMessage> TokenResponseAsync(string tenant = TenantA, string clientId = ClientId, string secret = ClientSecret, string grant = "client_credentials")
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grant,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = VismaState.AllScopes,
            ["tenant_id"] = tenant,
        });
        return await Http.PostAsync(Host.VismaTokenUrl, form, Ct);
    }

    /// <summary>An HttpClient with a Bearer token of the tenant, based at the Visma API root (trailing slash).</summary>
    public async Task<HttpClient> VismaClientAsync(string tenant = TenantA)
    {
        using var response = await TokenResponseAsync(tenant);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["access_token"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = new Uri(Host.VismaApiBase + "/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static object V(object? value) => new { value };

    /// <summary>POSTs a value-wrapped customer and returns its number (from the Location header).</summary>
    public static async Task<string> CreateCustomerAsync(HttpClient visma, string name, string? email = null, string cls = "WEB")
    {
        using var response = await visma.PostAsJsonAsync("v1/customer", new
        {
            name = V(name),
            customerClassId = V(cls),
            overrideWithClassValues = true,
            mainContact = V(new { name = V(name), email = V(email) }),
            mainAddress = V(new { addressLine1 = V("Storgatan 1"), postalCode = V("11122"), city = V("Stockholm"), countryId = V("SE") }),
        }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.Segments[^1];
    }

    public static async Task<JsonArray> ArrayAsync(HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)) as JsonArray)!;

    public static async Task<JsonObject> ObjectAsync(HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)) as JsonObject)!;

    public static decimal D(JsonNode? node) => node!.GetValue<decimal>();

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, WebJson), System.Text.Encoding.UTF8, "application/json");

    /// <summary>Set by tests that send off-contract requests on purpose; otherwise disposal asserts there were none.</summary>
    public bool ExpectContractViolations { get; set; }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!ExpectContractViolations)
            {
                Junipeer.Tests.Infrastructure.ContractAssert.NoVismaViolations(Host.State);
            }
        }
        finally
        {
            Http.Dispose();
            await Host.DisposeAsync();
        }
    }
}
