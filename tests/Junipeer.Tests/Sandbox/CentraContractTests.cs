using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Sandbox;

/// <summary>The strict Centra emulator: every query is validated against contracts/centra/integration-api.graphql.</summary>
public class CentraContractTests
{
    private static readonly string[] WithheldVoucher = ["Voucher:read"];

    // What the connector sent before this contract existed: sort as an input object.
    private const string OldSweepQuery = """
        query OrdersChangedSince($from: DateTimeTz!, $limit: Int!, $page: Int!) {
          orders(where: { updatedAt: { from: $from } }, sort: [{ field: UPDATED_AT, order: ASC }], limit: $limit, page: $page) { number updatedAt }
        }
        """;

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(SandboxKit kit, string query, object? variables = null, string? operationName = null)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "centra-sandbox-token");
        using var response = await client.PostAsJsonAsync(kit.Host.CentraGraphQlUrl, new { query, variables = variables ?? new { }, operationName }, Ct);
        return (response.StatusCode, await ObjectAsync(response));
    }

    [Fact]
    public async Task Off_contract_query_is_recorded_and_rejected_with_400_naming_the_problem()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Centra.AddOrder(DemoData.SwedishOrder(5001));

        var (status, body) = await PostAsync(kit, OldSweepQuery, new { from = "2026-05-04T00:00:00+00:00", limit = 10, page = 1 }, "OrdersChangedSince");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body["errors"]![0]!;
        Assert.Contains("OrderSort", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("graphql", error["extensions"]!["category"]!.GetValue<string>());
        Assert.Null(body["data"]);
        var violation = Assert.Single(kit.Host.State.Contract.All);
        Assert.Equal("centra", violation.Vendor);
        Assert.Contains("OrdersChangedSince", violation.Message, StringComparison.Ordinal);
        Assert.Contains("sort", violation.Message, StringComparison.Ordinal);

        using var listed = await kit.Http.GetAsync("_sandbox/contract/violations", Ct);
        Assert.Equal(1, (await ObjectAsync(listed))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_fields_and_bad_variables_are_violations_too_and_lenient_mode_answers_200()
    {
        await using var kit = await StartAsync(options: o => o.StrictContracts = false);

        var (status, body) = await PostAsync(kit, "query Q { orders { number voucherCode } }");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("voucherCode", body["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (status2, body2) = await PostAsync(kit, "query Q($from: DateTimeTz!) { orders(where: { updatedAt: { from: $from } }) { number } }", new { from = "yesterday" });
        Assert.Equal(HttpStatusCode.OK, status2);
        Assert.NotNull(body2["errors"]);
        Assert.Equal(2, kit.Host.State.Contract.Count);
    }

    [Fact]
    public async Task A_withheld_permission_nulls_the_field_and_names_the_permission_like_Centra()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Centra.AddOrder(DemoData.SwedishOrder(5001));
        using (var put = await kit.Http.PutAsJsonAsync("_sandbox/centra/settings", new { withheldPermissions = WithheldVoucher }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.DoesNotContain("Voucher:read", (await ObjectAsync(put))["permissions"]!.AsArray().Select(p => p!.GetValue<string>()));
        }

        var (status, body) = await PostAsync(kit, "query V { orders(where: { number: [5001] }) { number discountsApplied { value { value } ... on AppliedVoucher { code voucher { name } } } } }");

        Assert.Equal(HttpStatusCode.OK, status);
        var discount = body["data"]!["orders"]![0]!["discountsApplied"]![0]!;
        Assert.Equal("SPRING", discount["code"]!.GetValue<string>());
        Assert.Null(discount["voucher"]);
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal("You need Voucher:read permission to access voucher.", error["message"]!.GetValue<string>());
        Assert.Equal("authorization", error["extensions"]!["category"]!.GetValue<string>());
        Assert.Equal(["orders", "0", "discountsApplied", "0", "voucher"], error["path"]!.AsArray().Select(p => p!.ToString()).ToArray());
        Assert.Contains("Voucher:read", body["extensions"]!["permissionsUsed"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Empty(kit.Host.State.Contract.All);
    }

    [Fact]
    public async Task Sort_filters_and_paging_follow_the_arguments()
    {
        await using var kit = await StartAsync();
        var t0 = kit.Clock.GetUtcNow();
        for (var n = 1; n <= 4; n++)
        {
            var spec = DemoData.SwedishOrder(7000 + n);
            spec.UpdatedAt = t0.AddMinutes(10 - n);
            spec.StoreId = n <= 2 ? 1 : 2;
            kit.Host.State.Centra.AddOrder(spec);
        }

        var (_, body) = await PostAsync(kit, "query S { orders(where: { storeId: [2] }, sort: [updatedAt_ASC], limit: 1, page: 2) { number store { id } } }");

        var order = Assert.Single(body["data"]!["orders"]!.AsArray())!;
        Assert.Equal(7003, order["number"]!.GetValue<int>());
        Assert.Empty(kit.Host.State.Contract.All);
    }
}
