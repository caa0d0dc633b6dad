using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Shipments;

/// <summary>Each coded failure of the shipments flow, provoked against the strict Sandbox.</summary>
public class ShipmentErrorTests(AzuriteFixture azurite)
{
    private static async Task<SyncResult> FailsWith(ShipmentKit k, string number, string code)
    {
        var r = await k.HandleAsync(number);
        Assert.True(r.Outcome == SyncOutcome.Failed && r.ErrorCode == code, $"expected {code}, got {r.Outcome} {r.ErrorCode}: {r.Message}");
        Assert.Equal(code, (await k.LedgerAsync(number))!.ErrorCode);
        return r;
    }

    [Fact]
    public async Task Order_not_in_Centra_and_no_order_number_on_the_shipment()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var unknown = k.Seed(7601, shipment: s => s with { CustomFields = new() { ["customStr1"] = "999999" } });
        k.Confirm(unknown);
        var r = await FailsWith(k, unknown, ErrorCodes.ShipmentOrderNotFound);
        Assert.Contains("999999", r.Message, StringComparison.Ordinal);

        var none = k.Seed(7602, shipment: s => s with { Number = "SHX", CustomFields = [] });
        k.Confirm(none);
        await FailsWith(k, none, ErrorCodes.ShipmentOrderNotFound);
        Assert.Empty(k.State.NShift.Bookings);
    }

    [Fact]
    public async Task nShift_validation_errors_carry_nShifts_message()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7611, shipment: s => s with { PostalCode = "ABCDE" });
        k.Confirm(number);
        var r = await FailsWith(k, number, ErrorCodes.CarrierValidationFailed);
        Assert.Contains("Not valid postal code", r.Message, StringComparison.Ordinal);
        Assert.Empty(k.State.NShift.Bookings);
        k.AssertOnContract();
    }

    [Fact]
    public async Task A_partial_shipment_is_created_for_the_shipped_lines_or_refused_when_not_allowed()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var partial = k.Seed(7621, shipped: l => l.Sku == "SHIRT-BLUE-M" ? 1 : 0);
        k.Confirm(partial);
        Assert.Equal(SyncOutcome.Done, (await k.HandleAsync(partial)).Outcome);
        var s = Assert.Single(k.CentraShipmentsOf(7621));
        Assert.Equal(1, Assert.Single(s.Lines).Quantity);
        Assert.Equal("true", (await k.LedgerAsync(partial))!.Facts["partial"]);

        await using var strict = await ShipmentKit.StartAsync(azurite, x => x with { AllowPartialShipments = false });
        var refused = strict.Seed(7622, shipped: l => l.Sku == "SHIRT-BLUE-M" ? 1 : 0);
        strict.Confirm(refused);
        await FailsWith(strict, refused, ErrorCodes.ShipmentPartialNotAllowed);
        Assert.Empty(strict.State.NShift.Bookings);
    }

    [Fact]
    public async Task A_line_that_is_not_in_the_order_is_refused()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7631, shipment: s => s with { Lines = [.. s.Lines, new VismaShipmentLineSpec("UNKNOWN-SKU", 1, 1)] });
        k.Confirm(number);
        var r = await FailsWith(k, number, ErrorCodes.ShipmentLineNotInOrder);
        Assert.Contains("UNKNOWN-SKU", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_bookings_or_two_Centra_shipments_with_our_key_are_reported_not_guessed()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7641);
        k.Confirm(number);
        await k.BookByHandAsync("JP-SHP-" + number);
        await k.BookByHandAsync("JP-SHP-" + number);
        var r = await FailsWith(k, number, ErrorCodes.DuplicateCarrierBooking);
        Assert.Contains("2 nShift shipments", r.Message, StringComparison.Ordinal);
        Assert.Equal(2, k.State.NShift.Bookings.Count); // no third

        // Without nShift the Centra shipment is found by our reference: two of them are reported.
        await using var plain = await ShipmentKit.StartAsync(azurite, x => x with { NShift = null });
        var other = plain.Seed(7642);
        plain.Confirm(other);
        var line = plain.State.Centra.Order(7642)!.Lines[0].LineId;
        await plain.ShipByHandAsync(7642, line, "JP-SHP-" + other);
        await plain.ShipByHandAsync(7642, line, "JP-SHP-" + other);
        await FailsWith(plain, other, ErrorCodes.DuplicateShopShipment);
        plain.AssertOnContract();
    }

    [Fact]
    public async Task Capture_refused_by_Centra_is_a_coded_failure_after_the_shipment_exists()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7651);
        k.Confirm(number);
        k.State.Centra.CaptureFailures = 1;
        var r = await FailsWith(k, number, ErrorCodes.ShopCaptureFailed);
        Assert.Contains("refused the capture", r.Message, StringComparison.Ordinal);
        Assert.Single(k.CentraShipmentsOf(7651));

        // After the operator fixed the payment, a replay finishes without a second booking or shipment.
        Assert.Equal(SyncOutcome.Done, (await k.HandleAsync(number, "replay")).Outcome);
        Assert.True(Assert.Single(k.CentraShipmentsOf(7651)).IsCaptured);
        Assert.Single(k.State.NShift.Bookings);
    }

    [Fact]
    public async Task Centra_refusing_the_shipment_is_a_coded_failure_with_Centras_text()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var first = k.Seed(7661);
        k.Confirm(first);
        Assert.Equal(SyncOutcome.Done, (await k.HandleAsync(first)).Outcome);

        // A second Visma shipment of the same, already shipped lines: Centra refuses the quantities.
        var again = k.State.Visma.AddShipment(k.Tenant, k.State.Visma.Shipments(k.Tenant).Count == 1
            ? Junipeer.Cli.Demo.DemoScenario.ShipmentFor(Junipeer.Sandbox.DemoData.SwedishOrder(7661), k.State.Centra.Order(7661)!, "POSTNORD") with { Number = "SH7661B" }
            : throw new InvalidOperationException()).Number;
        k.Confirm(again);
        var r = await FailsWith(k, again, ErrorCodes.ShopMutationRejected);
        Assert.Contains("exceeds what is left to ship", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task nShift_outage_auth_and_rate_limit_map_to_carrier_codes()
    {
        await using var k = await ShipmentKit.StartAsync(azurite, extraSettings: new() { ["Junipeer:Orders:MaxInProcessWaitSeconds"] = "0" });
        var number = k.Seed(7671);
        k.Confirm(number);

        k.State.NShift.Fail5xx = 1;
        var outage = await Assert.ThrowsAnyAsync<JunipeerException>(() => k.HandleAsync(number, "a"));
        Assert.Equal(ErrorCodes.CarrierUnavailable, outage.Code);
        Assert.Equal(LedgerStatus.Pending, (await k.LedgerAsync(number))!.Status);

        k.State.NShift.RateLimited = 1;
        var limited = await k.HandleAsync(number, "b");
        Assert.Equal((SyncOutcome.Requeued, ErrorCodes.CarrierRateLimited), (limited.Outcome, limited.ErrorCode));

        var key = k.State.NShift.KeySecret;
        k.State.NShift.KeySecret = "rotated-elsewhere";
        await FailsWith(k, number, ErrorCodes.CarrierAuthFailed);
        k.State.NShift.KeySecret = key;

        Assert.Equal(SyncOutcome.Done, (await k.HandleAsync(number, "c")).Outcome);
        Assert.Single(k.State.NShift.Bookings);
    }
}
