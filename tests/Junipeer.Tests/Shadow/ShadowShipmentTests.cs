using System.Text.Json;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shadow;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Cli;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Shipments;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>
/// Shipments in shadow mode against Azurite and the strict Sandbox (Visma shipments, Centra, nShift) over loopback HTTP:
/// webhook signals and the sweep record what would be booked with nShift and written to Centra, the emulators receive
/// no booking, no mutation and no ERP write; then the cut-over books only what was confirmed after it, once.
/// </summary>
public class ShadowShipmentTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long NShiftBookingCalls(ShipmentKit k) => k.State.Stats.Count("nshift POST /rs-extapi/v1/shipments");

    [Fact]
    public async Task Shipments_in_shadow_record_the_booking_and_shop_shipment_with_failure_codes_write_nothing_and_the_cut_over_books_only_later_confirmations_once()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var k = await ShipmentKit.StartAsync(azurite,
            s => s with { CarrierServices = [new CarrierServiceMapping { Country = "SE", ServiceId = "P19" }] }, sandboxTime: clock);
        var h = k.H;
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        var shadow = k.Integration with { Mode = IntegrationMode.Shadow };
        Assert.DoesNotContain(IntegrationValidator.Problems(shadow), p => p.Contains("Mode Shadow", StringComparison.Ordinal) || p.Contains("Shipments.Enabled", StringComparison.Ordinal)); // shipments on in shadow mode: allowed
        await store.SaveAsync(shadow, Ct);

        var good = k.Seed(7601);
        var unmapped = k.Seed(7602, country: "DE"); // only SE has a carrier service
        var lost = k.Seed(7603, shipment: s => s with { CustomFields = new Dictionary<string, string> { ["customStr1"] = "99999" } });
        var extra = k.Seed(7604, shipment: s => s with { Lines = [.. s.Lines, new VismaShipmentLineSpec("NOT-IN-ORDER", 1, 1)] });
        var noZip = k.Seed(7605, order: o => o.ShippingAddress!.ZipCode = "", shipment: s => s with { PostalCode = null });
        var open = k.Seed(7606); // not confirmed during shadow
        foreach (var n in new[] { good, unmapped, lost, extra, noZip })
            k.Confirm(n);
        var vismaWrites = ShadowFlowsTests.VismaWrites(h);
        var centraMutations = ShadowFlowsTests.CentraMutations(h);
        var shipmentsConfirmed = k.State.Visma.ShipmentsConfirmed;

        var (_, dropped, statuses) = await k.SignalAsync([good, unmapped, lost, extra, noZip, open], dropRate: 0, duplicateRate: 0);
        Assert.Empty(dropped);
        Assert.All(statuses, s => Assert.Equal(202, s));
        await k.DrainAsync();
        await k.SweepAsync();
        await k.DrainAsync();

        // Nothing booked, nothing written: no nShift create, no Centra mutation, only GETs at Visma, no ledger row.
        Assert.Empty(k.State.NShift.Bookings);
        Assert.Equal(0, NShiftBookingCalls(k));
        Assert.True(k.State.Stats.Count("nshift GET /rs-extapi/v1/shipments") > 0); // the read-only lookup by reference
        Assert.Equal(0, ShadowFlowsTests.CentraMutations(h) - centraMutations);
        Assert.Empty(k.State.Centra.Shipments());
        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - vismaWrites);
        Assert.All(k.State.Visma.Shipments(k.Tenant), s => Assert.Equal(0, s.TrackingWrites));
        Assert.Equal(shipmentsConfirmed, k.State.Visma.ShipmentsConfirmed);
        Assert.Null(await k.LedgerAsync(good));

        var records = await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, Flows.Shipments, null, Ct);
        ShadowRecord Of(string number) => Assert.Single(records, r => r.EntityKey == number);
        var wouldBook = Of(good);
        Assert.Equal((ShadowOutcome.WouldBook, "shipment", "JP-SHP-" + good), (wouldBook.Outcome, wouldBook.DocumentType, wouldBook.Reference));
        var plan = wouldBook.Shipment!;
        Assert.Equal(("7601", "P19", "POSTNORD", true, true), (plan.OrderNumber, plan.CarrierServiceId, plan.ShipVia, plan.Capture, plan.WriteTrackingBack));
        Assert.Equal([1.2m], plan.Parcels.Select(p => p.WeightKg)); // one parcel per Visma package (3 units: one box)
        Assert.Contains("11122", plan.Receiver, StringComparison.Ordinal);
        var order = k.State.Centra.Orders().Single(o => o.Number == 7601);
        Assert.Equal(order.Lines.Select(l => (l.Sku, l.Quantity)), plan.Lines.Select(l => (l.Sku, l.Quantity)));
        Assert.False(plan.Partial);
        Assert.Null(plan.ExistingBooking);

        Assert.Equal((ShadowOutcome.Failed, ErrorCodes.CarrierServiceNotMapped), (Of(unmapped).Outcome, Of(unmapped).ErrorCode));
        Assert.Equal(ErrorCodes.ShipmentOrderNotFound, Of(lost).ErrorCode);
        Assert.Equal(ErrorCodes.ShipmentLineNotInOrder, Of(extra).ErrorCode);
        var zip = Of(noZip);
        Assert.Equal(ErrorCodes.CarrierValidationFailed, zip.ErrorCode);
        Assert.Contains("postal code", zip.Message, StringComparison.Ordinal);
        Assert.NotNull(zip.Fix);
        Assert.Equal((ShadowOutcome.Skipped, "status Open is not Confirmed"), (Of(open).Outcome, Of(open).SkipReason));

        var report = await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct);
        var flow = Assert.Single(report.Flows);
        Assert.Equal(("shipments", 1, 4, 1), (flow.Flow, flow.WouldBook, flow.Failed, flow.Skipped));
        Assert.Equal(ShadowOutcome.Failed, flow.Records[0].Outcome); // failures first
        Assert.Equal(
            new[] { ErrorCodes.CarrierServiceNotMapped, ErrorCodes.CarrierValidationFailed, ErrorCodes.ShipmentLineNotInOrder, ErrorCodes.ShipmentOrderNotFound }.Order(StringComparer.Ordinal),
            report.FailuresByCode.Select(f => f.Code).Order(StringComparer.Ordinal));

        // `junipeer shadow report`: the shipments flow with its plan (JSON and text), exit 1 while there is something to fix.
        var env = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = h.Prefix };
        var dir = Directory.CreateTempSubdirectory("junipeer-shadow-").FullName;
        await using (var json = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id} --json", dir, env))
        {
            Assert.Equal(1, await json.WaitAsync(TimeSpan.FromSeconds(60)));
            using var doc = JsonDocument.Parse(json.StdOut);
            var shipments = doc.RootElement.GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("flow").GetString() == "shipments");
            Assert.Equal(4, shipments.GetProperty("failed").GetInt32());
            var rec = shipments.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("entityKey").GetString() == good);
            Assert.Equal("P19", rec.GetProperty("shipment").GetProperty("carrierServiceId").GetString());
        }

        await using (var text = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id}", dir, env))
        {
            Assert.Equal(1, await text.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Flow shipments: 1 would book, 0 already booked, 1 skipped, 4 failed", text.StdOut, StringComparison.Ordinal);
            Assert.Contains($"{good} WouldBook: book nShift P19, 1 parcel(s) (1.20 kg)", text.StdOut, StringComparison.Ordinal);
            Assert.Contains("CARRIER_SERVICE_NOT_MAPPED (1:", text.StdOut, StringComparison.Ordinal);
        }

        // Cut-over: live from now; the shipment confirmed before it is not booked, the one confirmed after it is booked once.
        clock.Advance(TimeSpan.FromMinutes(1));
        var cutOver = clock.GetUtcNow();
        await store.SaveAsync(k.Integration with { Mode = IntegrationMode.Live, CutOverDate = cutOver }, Ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        k.Confirm(open);
        await k.SignalAsync([good, open], dropRate: 0, duplicateRate: 1.0);
        await k.SweepAsync();
        await k.DrainAsync();
        await k.SweepAsync();
        await k.DrainAsync();

        Assert.Equal(1, k.BookingsFor(open));
        Assert.Equal(0, k.BookingsFor(good));
        Assert.Single(k.CentraShipmentsOf(7606));
        Assert.Empty(k.CentraShipmentsOf(7601));
        Assert.Equal("P19", Assert.Single(k.State.NShift.Bookings).ServiceId);
        var skipped = await k.LedgerAsync(good);
        Assert.Equal(LedgerStatus.Skipped, skipped!.Status);
        Assert.Contains("cut-over", skipped.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(LedgerStatus.Done, (await k.LedgerAsync(open))!.Status);

        // Back to shadow (an operator rehearsing a change): the shipment booked live shows as already booked, with the
        // Centra shipment it found, and nothing new is booked or written.
        await store.SaveAsync(k.Integration with { Mode = IntegrationMode.Shadow }, Ct);
        var writesBefore = (ShadowFlowsTests.VismaWrites(h), ShadowFlowsTests.CentraMutations(h), NShiftBookingCalls(k));
        await k.SignalAsync([open], dropRate: 0, duplicateRate: 0);
        await k.DrainAsync();
        var already = Assert.Single(await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, "shipments", ShadowOutcome.AlreadyBooked, Ct),
            r => r.EntityKey == open);
        Assert.Equal(Assert.Single(k.CentraShipmentsOf(7606)).Id.ToString(System.Globalization.CultureInfo.InvariantCulture), already.ExistingDocument);
        Assert.Equal(writesBefore, (ShadowFlowsTests.VismaWrites(h), ShadowFlowsTests.CentraMutations(h), NShiftBookingCalls(k)));
        Assert.Single(k.State.NShift.Bookings);
        k.AssertOnContract();
    }
}
