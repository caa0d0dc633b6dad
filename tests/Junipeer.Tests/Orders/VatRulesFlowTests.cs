using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Orders;

/// <summary>The VAT rules of the OSS engine through the real pipeline: Azurite + Sandbox over loopback HTTP.</summary>
public class VatRulesFlowTests(AzuriteFixture azurite)
{
    private static CentraOrderSpec Business(int number, string country, string zip, string city, string vatNumber, decimal rate)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Currency = "EUR";
        spec.BillingAddress!.Country = country;
        spec.BillingAddress.ZipCode = zip;
        spec.BillingAddress.City = city;
        spec.BillingAddress.CompanyName = "Muster Handel GmbH";
        spec.BillingAddress.VatNumber = vatNumber;
        spec.Lines[0].TaxPercent = rate;
        spec.Lines[1].TaxPercent = rate;
        return spec;
    }

    [Fact]
    public async Task Malformed_VAT_number_of_a_business_fails_with_VAT_NUMBER_INVALID_and_writes_nothing_to_Visma()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Business(1101, "DE", "10115", "Berlin", "DE 12345", 19m));
        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Empty(h.Invoices);
        Assert.Empty(h.Customers);
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma POST"));
        var entry = await h.LedgerAsync(1101);
        Assert.Equal(LedgerStatus.Failed, entry!.Status);
        Assert.Equal(ErrorCodes.VatNumberInvalid, entry.ErrorCode);
        var e = Assert.Single(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.VatNumberInvalid);
        Assert.Contains("'DE 12345'", e.Message, StringComparison.Ordinal);
        Assert.Contains("shipping to DE", e.Message, StringComparison.Ordinal);
        Assert.Contains("treatInvalidVatNumberAsConsumer", e.Fix, StringComparison.Ordinal);

        await h.SweepAsync(); // unchanged failed order: not retried in a loop
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task With_TreatInvalidVatNumberAsConsumer_the_same_order_is_booked_with_destination_VAT()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Vat = i.Vat with { TreatInvalidVatNumberAsConsumer = true } },
        });
        var order = h.AddOrder(Business(1102, "DE", "10115", "Berlin", "DE 12345", 19m));
        await h.SweepAsync();
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal("DE", invoice.VatZoneId);
        Assert.Equal(order.TotalVat, invoice.VatTotal);
        Assert.Equal("EUB2C", Assert.Single(h.Customers).CustomerClassId);
        Assert.Equal("EuB2CDestination", (await h.LedgerAsync(1102))!.Facts["vatCase"]);
    }

    [Fact]
    public async Task Business_buyer_with_a_Swedish_VAT_number_in_Germany_is_invoiced_with_Swedish_VAT()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(Business(1103, "DE", "10115", "Berlin", "SE556036111101", 25m));
        await h.SweepAsync();
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal("SE", invoice.VatZoneId);
        Assert.Equal(order.TotalVat, invoice.VatTotal);
        Assert.Equal("DOMESTIC", Assert.Single(h.Customers).CustomerClassId);
        Assert.Equal("Domestic", (await h.LedgerAsync(1103))!.Facts["vatCase"]);
    }

    [Fact]
    public async Task Heligoland_is_an_export_but_its_ferry_port_Cuxhaven_pays_German_VAT()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var island = DemoData.SwedishOrder(1104);
        island.Currency = "EUR";
        island.BillingAddress!.Country = "DE";
        island.BillingAddress.ZipCode = "27498";
        island.BillingAddress.City = "Helgoland";
        island.Lines[0].TaxPercent = 0m;
        island.Lines[1].TaxPercent = 0m;
        var port = DemoData.SwedishOrder(1105);
        port.Currency = "EUR";
        port.BillingAddress!.Country = "DE";
        port.BillingAddress.ZipCode = "27472";
        port.BillingAddress.City = "Cuxhaven";
        port.Lines[0].TaxPercent = 19m;
        port.Lines[1].TaxPercent = 7m;
        h.AddOrder(island);
        h.AddOrder(port);
        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Equal("Export", (await h.LedgerAsync(1104))!.Facts["vatCase"]);
        Assert.Equal("EuB2CDestination", (await h.LedgerAsync(1105))!.Facts["vatCase"]);
        Assert.Equal(["DE", "EXPORT"], h.Invoices.Select(i => i.VatZoneId).Order(StringComparer.Ordinal));
    }
}
