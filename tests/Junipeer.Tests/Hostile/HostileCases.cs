using System.Diagnostics;
using System.Text.Json;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Hostile;

/// <summary>
/// One hostile input: what it attacks, how it is sent, and what it must get back. After <see cref="Act"/>
/// the suite checks that the queues hold exactly <see cref="Orders"/> / <see cref="Shipments"/> messages
/// (null: not checked, the case checks itself) and that <see cref="Invoices"/> invoices appeared in the
/// Visma emulator (0: nothing created). A new entry point or parser is covered by adding rows here.
/// </summary>
public sealed record HostileCase(string Name, string Surface, Func<HostileEnv, Task<Observed>> Act, string Outcome, string? Code,
    int? Orders = 0, int? Shipments = 0, int Invoices = 0);

public static class HostileCases
{
    private const string Form = "application/x-www-form-urlencoded";

    private static string OrderBody(params int[] numbers) => EngineHarness.WebhookBody(numbers);

    private static string OrderBodyRaw(string idJson) =>
        "payload=" + Uri.EscapeDataString("{\"events\":[{\"type\":\"order\",\"action\":\"insert\",\"date\":\"2026-05-04 10:15:22.113000\",\"id\":" + idJson + "}]}");

    private static string ShipmentBody(string number) =>
        "[{\"notificationId\":\"n1\",\"event\":\"shipment_statuschanged\",\"relativeResourceUri\":\"api/v1/shipment/" + number + "\"}]";

    private static Task<Observed> CentraSigned(HostileEnv e, string body, bool chunked = false, string? contentType = Form) =>
        e.CentraWebhookAsync(e.A, body, HostileEnv.CentraSign(e.A.CentraSecret, body), chunked, contentType);

    private static Task<Observed> VismaSigned(HostileEnv e, string body, bool chunked = false, string? contentType = "application/json") =>
        e.VismaWebhookAsync(e.A, body, HostileEnv.VismaSign(e.A.VismaSecret, body), chunked, contentType);

    private static readonly string Big = new('a', Junipeer.Functions.Webhooks.WebhookRequests.MaxBodyBytes + 10);

    public static IReadOnlyList<HostileCase> All { get; } = Build();

    private static List<HostileCase> Build()
    {
        var c = new List<HostileCase>();
        void Add(string name, string surface, Func<HostileEnv, Task<Observed>> act, string outcome, string? code, int? orders = 0, int? shipments = 0, int invoices = 0) =>
            c.Add(new HostileCase(name, surface, act, outcome, code, orders, shipments, invoices));

        // ---- Centra webhook: signatures and timestamps --------------------------------------------
        const string cw = "Centra webhook";
        Add("centra-no-signature", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), null), "401", ErrorCodes.WebhookSignatureMissing);
        Add("centra-empty-signature", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), ""), "401", ErrorCodes.WebhookSignatureMissing);
        Add("centra-signature-garbage", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), "garbage"), "401", ErrorCodes.WebhookSignatureMissing);
        Add("centra-signature-no-timestamp", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), "v1=" + new string('0', 64)), "401", ErrorCodes.WebhookSignatureMissing);
        Add("centra-signature-timestamp-not-number", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), "t=abc,v1=" + new string('0', 64)), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-signature-wrong-secret", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign("not-the-secret", OrderBody(1))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-signature-of-other-body", cw, e => e.CentraWebhookAsync(e.A, OrderBody(2), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-signature-uppercase-hex-of-other-secret", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.B.CentraSecret, OrderBody(1)).ToUpperInvariant().Replace("T=", "t=", StringComparison.Ordinal).Replace("V1=", "v1=", StringComparison.Ordinal)), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-stale-timestamp", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1), DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds())), "401", ErrorCodes.WebhookTimestampOutOfTolerance);
        Add("centra-future-timestamp", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1), DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds())), "401", ErrorCodes.WebhookTimestampOutOfTolerance);
        Add("centra-timestamp-zero", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1), 0)), "401", ErrorCodes.WebhookTimestampOutOfTolerance);
        Add("centra-timestamp-absurd", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), "t=99999999999999999999999,v1=" + new string('0', 64)), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-A-signature-posted-to-B", cw, e => e.CentraWebhookAsync(e.B, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-unknown-integration", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1)), route: "no-such-integration"), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-integration-id-with-quote", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1)), route: Uri.EscapeDataString(e.A.Id + "'")), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-integration-id-odata", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1)), route: Uri.EscapeDataString("x' or PartitionKey ne '")), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-integration-id-encoded-slash", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1)), route: Uri.EscapeDataString(e.B.Id + "/../" + e.A.Id)), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("centra-integration-id-control-chars", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.CentraSign(e.A.CentraSecret, OrderBody(1)), route: Uri.EscapeDataString(e.A.Id + "\u0001\n")), "401", ErrorCodes.WebhookSignatureInvalid);

        // ---- Centra webhook: bodies ----------------------------------------------------------------
        Add("centra-oversize-body", cw, e => CentraSigned(e, Big), "413", ErrorCodes.WebhookBodyTooLarge);
        Add("centra-oversize-chunked-body", cw, e => CentraSigned(e, Big, chunked: true), "413", ErrorCodes.WebhookBodyTooLarge);
        Add("centra-chunked-body-under-limit-accepted", cw, e => CentraSigned(e, OrderBody(7001), chunked: true), "202", null, orders: 1);
        Add("centra-identical-replay-enqueues-again-harmlessly", cw, async e =>
        {
            var body = OrderBody(7002);
            var sig = HostileEnv.CentraSign(e.A.CentraSecret, body);
            var first = await e.CentraWebhookAsync(e.A, body, sig);
            Assert.Equal("202", first.Outcome);
            return await e.CentraWebhookAsync(e.A, body, sig);
        }, "202", null, orders: 2);
        Add("centra-json-content-type-with-json-body", cw, e => CentraSigned(e, """{"events":[{"type":"order","id":1}]}""", contentType: "application/json"), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-text-content-type-with-text", cw, e => CentraSigned(e, "hello, world", contentType: "text/plain"), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-no-content-type", cw, e => CentraSigned(e, "<xml/>", contentType: null), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-empty-body", cw, e => CentraSigned(e, ""), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-payload-not-json", cw, e => CentraSigned(e, "payload=" + Uri.EscapeDataString("{events:[")), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-payload-json-array", cw, e => CentraSigned(e, "payload=" + Uri.EscapeDataString("[1,2,3]")), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("centra-event-id-with-quote", cw, e => CentraSigned(e, OrderBodyRaw("\"1'2\"")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-with-slashes", cw, e => CentraSigned(e, OrderBodyRaw("\"../../1\"")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-odata-operator", cw, e => CentraSigned(e, OrderBodyRaw("\"1 or RowKey ne ''\"")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-control-chars", cw, e => CentraSigned(e, OrderBodyRaw("\"1\\u0000\\r\\n\"")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-negative", cw, e => CentraSigned(e, OrderBodyRaw("-5")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-zero", cw, e => CentraSigned(e, OrderBodyRaw("0")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-absurd", cw, e => CentraSigned(e, OrderBodyRaw("99999999999999999999")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-event-id-fraction", cw, e => CentraSigned(e, OrderBodyRaw("10.5")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-one-bad-id-rejects-the-whole-batch", cw, e => CentraSigned(e, "payload=" + Uri.EscapeDataString("{\"events\":[{\"type\":\"order\",\"action\":\"insert\",\"id\":7003},{\"type\":\"order\",\"action\":\"insert\",\"id\":\"7004;DROP\"}]}")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("centra-non-order-events-ignored", cw, e => CentraSigned(e, "payload=" + Uri.EscapeDataString("{\"events\":[{\"type\":\"product\",\"action\":\"update\",\"id\":\"../x\"}]}")), "202", null);

        // ---- Visma webhook ---------------------------------------------------------------------------
        const string vw = "Visma webhook";
        Add("visma-no-signature", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), null), "401", ErrorCodes.WebhookSignatureMissing);
        Add("visma-signature-not-base64", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), "t=1,v1=abc"), "401", ErrorCodes.WebhookSignatureMissing);
        Add("visma-signature-wrong-secret", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), HostileEnv.VismaSign("guess", ShipmentBody("SH1"))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-signature-of-other-body", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH2"), HostileEnv.VismaSign(e.A.VismaSecret, ShipmentBody("SH1"))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-A-signature-posted-to-B", vw, e => e.VismaWebhookAsync(e.B, ShipmentBody("SH1"), HostileEnv.VismaSign(e.A.VismaSecret, ShipmentBody("SH1"))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-signed-with-A-centra-secret", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), HostileEnv.VismaSign(e.A.CentraSecret, ShipmentBody("SH1"))), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-centra-style-signature", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), HostileEnv.CentraSign(e.A.VismaSecret, ShipmentBody("SH1"))), "401", ErrorCodes.WebhookSignatureMissing);
        Add("centra-visma-style-signature", cw, e => e.CentraWebhookAsync(e.A, OrderBody(1), HostileEnv.VismaSign(e.A.CentraSecret, OrderBody(1))), "401", ErrorCodes.WebhookSignatureMissing);
        Add("visma-unknown-integration", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), HostileEnv.VismaSign(e.A.VismaSecret, ShipmentBody("SH1")), route: "nobody"), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-integration-id-odata", vw, e => e.VismaWebhookAsync(e.A, ShipmentBody("SH1"), HostileEnv.VismaSign(e.A.VismaSecret, ShipmentBody("SH1")), route: Uri.EscapeDataString("' or 1 eq 1 or '")), "401", ErrorCodes.WebhookSignatureInvalid);
        Add("visma-oversize-body", vw, e => VismaSigned(e, Big), "413", ErrorCodes.WebhookBodyTooLarge);
        Add("visma-oversize-chunked-body", vw, e => VismaSigned(e, Big, chunked: true), "413", ErrorCodes.WebhookBodyTooLarge);
        Add("visma-not-json", vw, e => VismaSigned(e, "payload=%7B%7D", contentType: Form), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("visma-json-scalar", vw, e => VismaSigned(e, "42"), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("visma-array-of-strings", vw, e => VismaSigned(e, "[\"api/v1/shipment/SH1\"]"), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("visma-truncated-json", vw, e => VismaSigned(e, "[{\"relativeResourceUri\":\"api/v1/shipm"), "400", ErrorCodes.WebhookPayloadInvalid);
        Add("visma-shipment-id-with-quote", vw, e => VismaSigned(e, ShipmentBody("SH1'")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("visma-shipment-id-encoded-slashes", vw, e => VismaSigned(e, ShipmentBody("..%2F..%2Fadmin")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("visma-shipment-id-odata-operator", vw, e => VismaSigned(e, ShipmentBody("SH1%20or%20shipmentNbr%20ne%20''")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("visma-shipment-id-control-chars", vw, e => VismaSigned(e, ShipmentBody("SH1\\u0001\\n")), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("visma-shipment-id-absurd-length", vw, e => VismaSigned(e, ShipmentBody(new string('9', 200))), "400", ErrorCodes.WebhookEventIdInvalid);
        Add("visma-chunked-body-accepted", vw, e => VismaSigned(e, ShipmentBody("SH7001"), chunked: true), "202", null, shipments: 1);
        Add("visma-identical-replay-enqueues-again-harmlessly", vw, async e =>
        {
            var body = ShipmentBody("SH7002");
            Assert.Equal("202", (await VismaSigned(e, body)).Outcome);
            return await VismaSigned(e, body);
        }, "202", null, shipments: 2);
        Add("visma-wrong-content-type-still-judged-by-body", vw, e => VismaSigned(e, ShipmentBody("SH7003"), contentType: "text/plain"), "202", null, shipments: 1);

        // ---- Visma JSON responses (emulator answers 200 with garbage) --------------------------------
        const string vr = "Visma responses";
        foreach (var kind in new[] { GarbageKinds.Html, GarbageKinds.Truncated, GarbageKinds.WrongShape, GarbageKinds.Empty, GarbageKinds.NotUtf8 })
        {
            Add($"visma-response-{kind}", vr, e => GarbageThenRecover(e, kind, visma: true), "retry", ErrorCodes.ErpResponseMalformed, orders: null, invoices: 1);
        }

        // ---- Centra GraphQL responses ----------------------------------------------------------------
        const string cr = "Centra responses";
        foreach (var kind in new[] { GarbageKinds.Html, GarbageKinds.Truncated, GarbageKinds.WrongShape, GarbageKinds.NotUtf8 })
        {
            Add($"centra-response-{kind}", cr, e => GarbageThenRecover(e, kind, visma: false), "retry", ErrorCodes.ShopResponseMalformed, orders: null, invoices: 1);
        }

        Add("centra-response-empty-body", cr, e => GarbageThenRecover(e, GarbageKinds.Empty, visma: false), "retry", ErrorCodes.ShopResponseMalformed, orders: null, invoices: 1);

        // ---- order contents from the shop ------------------------------------------------------------
        const string od = "Order contents";
        Add("order-negative-quantity", od, e => BadOrder(e, o => o.Lines[0].Quantity = -2), "Failed", ErrorCodes.OrderAmountInvalid, orders: null);
        Add("order-zero-quantity-everywhere", od, e => BadOrder(e, o => { foreach (var l in o.Lines) l.Quantity = 0; o.Shipping = 0; o.Voucher = null; }), "Failed", ErrorCodes.OrderAmountInvalid, orders: null);
        Add("order-absurd-amount", od, e => BadOrder(e, o => o.Lines[0].UnitPrice = 99_999_999_999_999m), "Failed", ErrorCodes.OrderAmountInvalid, orders: null);
        Add("order-absurd-quantity", od, e => BadOrder(e, o => o.Lines[0].Quantity = 2_000_000_000), "Failed", ErrorCodes.OrderAmountInvalid, orders: null);
        Add("order-negative-price", od, e => BadOrder(e, o => o.Lines[0].UnitPrice = -299m), "Failed", ErrorCodes.OrderAmountInvalid, orders: null);
        Add("order-unknown-currency", od, e => BadOrder(e, o => o.Currency = "XYZ"), "Failed", ErrorCodes.OrderCurrencyUnknown, orders: null);
        Add("order-currency-with-quote", od, e => BadOrder(e, o => o.Currency = "SE'"), "Failed", ErrorCodes.OrderCurrencyUnknown, orders: null);
        Add("order-malformed-vat-number", od, e => BadOrder(e, o =>
        {
            o.StoreType = "WHOLESALE";
            o.Customer = null;
            o.Account = new CentraAccountSpec { Id = 1, Name = "Evil GmbH" };
            o.BillingAddress!.Country = "DE";
            o.BillingAddress.CompanyName = "Evil GmbH";
            o.BillingAddress.VatNumber = "DE' or 1=1 --";
        }), "Failed", ErrorCodes.VatNumberInvalid, orders: null);
        Add("queue-order-key-odata", "Queue messages", e => e.HandleOrderAsync(e.A, "1' or PartitionKey ne '"), "Requeued", ErrorCodes.OrderNotFoundInShop, orders: null);
        Add("queue-order-key-control-chars", "Queue messages", e => e.HandleOrderAsync(e.A, "1\u0000\r\n../"), "Requeued", ErrorCodes.OrderNotFoundInShop, orders: null);
        Add("queue-order-of-A-replayed-under-B", "Tenant isolation", async e =>
        {
            // An order of A's store replayed under B's id: B does not own it (store filter), so B books
            // nothing and A's rows are not touched; B keeps only its own Skipped row.
            var n = e.AddOrder();
            var key = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var r = await e.HandleOrderAsync(e.B, n);
            Assert.Equal(0, e.InvoicesFor(e.B, n));
            Assert.Equal(0, e.InvoicesFor(e.A, n));
            Assert.DoesNotContain(await e.RowsAsync(StorageNames.Ledger, e.A), x => x.RowKey == key);
            Assert.All((await e.RowsAsync(StorageNames.Ledger, e.B)).Where(x => x.RowKey == key), x => Assert.Equal("Skipped", x.GetString("Status")));
            return r;
        }, "Skipped", null, orders: null);

        // ---- integration settings --------------------------------------------------------------------
        const string st = "Settings";
        Add("settings-visma-api-on-foreign-host", st, e => Save(e, i => i with { Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { ApiBaseUrl = "https://evil.example.com/API" } } }), "refused", ErrorCodes.IntegrationUrlNotAllowed);
        Add("settings-visma-token-url-on-foreign-host", st, e => Save(e, i => i with { Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { TokenUrl = "https://connect.visma.com.evil.example/connect/token" } } }), "refused", ErrorCodes.IntegrationUrlNotAllowed);
        Add("settings-centra-url-plain-http-remote", st, e => Save(e, i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { GraphQlUrl = "http://shop.example.com/graphql" } } }), "refused", ErrorCodes.IntegrationUrlNotAllowed);
        Add("settings-centra-url-metadata-endpoint", st, e => Save(e, i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { GraphQlUrl = "http://169.254.169.254/latest/meta-data" } } }), "refused", ErrorCodes.IntegrationUrlNotAllowed);
        Add("settings-nshift-on-foreign-host", st, e => Save(e, i => i with { Shipments = i.Shipments with { NShift = i.Shipments.NShift! with { ApiBaseUrl = "https://evil.example.com/rs-extapi/v1" } } }), "refused", ErrorCodes.IntegrationUrlNotAllowed);
        Add("settings-secret-of-another-integration", st, e => Save(e, i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { WebhookSecretName = Junipeer.Cli.Demo.DemoScenario.WebhookSecretNameFor(e.B.Id) } } }), "refused", ErrorCodes.IntegrationSecretNotScoped);
        Add("settings-id-with-quote-and-slash", st, e => Save(e, i => i with { Id = "a'/b" }), "refused", ErrorCodes.IntegrationSettingsInvalid);
        Add("settings-tenant-not-a-guid", st, e => Save(e, i => i with { Erp = i.Erp with { VismaNet = i.Erp.VismaNet! with { CompanyTenantId = "' or 1 eq 1" } } }), "refused", ErrorCodes.IntegrationSettingsInvalid);
        Add("settings-vat-country-lower-case", st, e => Save(e, i => i with { Vat = i.Vat with { SellerCountry = "se" } }), "refused", ErrorCodes.IntegrationSettingsInvalid);

        // ---- CLI ---------------------------------------------------------------------------------------
        const string cli = "CLI";
        Add("cli-replay-order-with-quote", cli, e => Cli(e, "replay", "--integration", e.A.Id, "--order", "1' or 1 eq 1"), "exit 2", ErrorCodes.ReplayOrderNumberInvalid);
        Add("cli-replay-order-negative-and-control", cli, e => Cli(e, "replay", "--integration", e.A.Id, "--order", "1001", "-5\u0001"), "exit 2", ErrorCodes.ReplayOrderNumberInvalid);
        Add("cli-replay-unknown-integration", cli, e => Cli(e, "replay", "--integration", "x' or '1", "--order", "1001"), "exit 2", ErrorCodes.IntegrationNotFound);
        Add("cli-integration-add-not-json", cli, e => CliWithFile(e, "{ \"id\": "), "exit 2", ErrorCodes.IntegrationSettingsInvalid);
        Add("cli-integration-add-foreign-host", cli, e => CliWithFile(e, JsonSerializer.Serialize(e.A.Integration with
        {
            Erp = e.A.Integration.Erp with { VismaNet = e.A.Integration.Erp.VismaNet! with { ApiBaseUrl = "https://evil.example.com/API" } },
        }, Junipeer.Core.JunipeerJson.Options)), "exit 2", ErrorCodes.IntegrationUrlNotAllowed);
        return c;
    }

    /// <summary>The emulator answers the next call with garbage: the order is not invoiced and the delivery retries; the next delivery invoices it once.</summary>
    private static async Task<Observed> GarbageThenRecover(HostileEnv e, string kind, bool visma)
    {
        var n = e.AddOrder();
        e.State.Faults.GarbageKind = kind;
        if (visma)
            e.State.Faults.VismaGarbageCount = 1;
        else
            e.State.Faults.CentraGarbageCount = 1;
        Observed first;
        try
        {
            first = await e.HandleOrderAsync(e.A, n);
            Assert.Equal(0, e.InvoicesFor(e.A, n));
        }
        finally
        {
            e.State.Faults.VismaGarbageCount = 0;
            e.State.Faults.CentraGarbageCount = 0;
        }

        var second = await e.HandleOrderAsync(e.A, n);
        Assert.Equal("Done", second.Outcome);
        Assert.Equal(1, e.InvoicesFor(e.A, n));
        return first;
    }

    private static async Task<Observed> BadOrder(HostileEnv e, Action<CentraOrderSpec> change)
    {
        var n = e.AddOrder(change);
        var r = await e.HandleOrderAsync(e.A, n);
        Assert.Equal(0, e.InvoicesFor(e.A, n));
        return r;
    }

    private static async Task<Observed> Save(HostileEnv e, Func<Integration, Integration> change)
    {
        var store = e.Services.GetRequiredService<IIntegrationStore>();
        try
        {
            await store.SaveAsync(change(e.A.Integration), TestContext.Current.CancellationToken);
            return new Observed("saved", null);
        }
        catch (Junipeer.Core.Errors.JunipeerException ex)
        {
            // Nothing changed: A's stored settings are the ones it started with.
            var stored = await store.GetAsync(e.A.Id, TestContext.Current.CancellationToken);
            Assert.Equal(e.A.Integration.Erp.VismaNet!.ApiBaseUrl, stored!.Erp.VismaNet!.ApiBaseUrl);
            Assert.Equal(e.A.Integration.Shop.Centra!.GraphQlUrl, stored.Shop.Centra!.GraphQlUrl);
            return new Observed("refused", ex.Code, ex.Message);
        }
    }

    private static async Task<Observed> CliWithFile(HostileEnv e, string content)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{e.Prefix}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, content, TestContext.Current.CancellationToken);
        return await Cli(e, "integration", "add", "--file", file);
    }

    /// <summary>Runs the built CLI as a process with --json against the env's storage; the code comes from its JSON error.</summary>
    private static async Task<Observed> Cli(HostileEnv e, params string[] args)
    {
        var settings = Path.Combine(Path.GetTempPath(), $"{e.Prefix}.local.settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = new Dictionary<string, string> { ["AzureWebJobsStorage"] = e.ConnectionString, ["Junipeer__Storage__Prefix"] = e.Prefix },
        }), TestContext.Current.CancellationToken);
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "junipeer.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--settings");
        psi.ArgumentList.Add(settings);
        psi.ArgumentList.Add("--json");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        var text = await stdout;
        e.ResponsesSeen.Add(text + await stderr);
        string? code = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error", out var err))
                code = err.GetProperty("code").GetString();
        }
        catch (JsonException)
        {
        }

        return new Observed($"exit {p.ExitCode}", code, text.Length > 300 ? text[..300] : text);
    }
}
