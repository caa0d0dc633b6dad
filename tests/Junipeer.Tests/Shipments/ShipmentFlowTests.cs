using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Shipments;

/// <summary>
/// A shipment confirmed in Visma.net reaches Centra and is booked with nShift exactly once — webhook
/// and sweep together, against Azurite and the strict Sandbox (Visma shipments, Centra mutations,
/// nShift) over loopback HTTP.
/// </summary>
public class ShipmentFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_signalled_shipment_is_booked_once_created_in_Centra_with_the_tracking_number_captured_and_written_back()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7001);
        k.Confirm(number);

        var (_, dropped, statuses) = await k.SignalAsync([number], dropRate: 0, duplicateRate: 0);
        Assert.Empty(dropped);
        Assert.Equal([202], statuses);
        await k.DrainAsync();

        var booking = Assert.Single(k.State.NShift.Bookings);
        Assert.Equal("JP-SHP-" + number, booking.Reference);
        Assert.Equal("P19", booking.ServiceId); // SE mapping
        var shipment = Assert.Single(k.CentraShipmentsOf(7001));
        Assert.Equal(booking.ShipmentNo, shipment.TrackingNumber);
        Assert.True(shipment.IsCaptured);
        Assert.Equal([(shipment.Lines[0].LineId, 2), (shipment.Lines[1].LineId, 1)], shipment.Lines);
        var visma = Assert.Single(k.State.Visma.Shipments(k.Tenant));
        Assert.Equal(booking.ShipmentNo, visma.TrackingNumbers[0]);
        var row = await k.LedgerAsync(number);
        Assert.Equal(LedgerStatus.Done, row!.Status);
        Assert.Equal("TrackingWrittenBack", row.Phase);
        Assert.Equal(booking.Id, row.Documents["booking"]);
        k.AssertOnContract();
    }

    [Fact]
    public async Task Dropped_signals_are_delivered_by_one_sweep()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var numbers = Enumerable.Range(7101, 10).Select(n => k.Seed(n)).ToList();
        foreach (var n in numbers)
            k.Confirm(n);

        var (_, dropped, _) = await k.SignalAsync(numbers, dropRate: 0.5, duplicateRate: 0, seed: 11);
        Assert.NotEmpty(dropped);
        await k.DrainAsync();
        Assert.Equal(numbers.Count - dropped.Count, k.State.Centra.Shipments().Count);

        await k.SweepAsync(); // one sweep
        await k.DrainAsync();
        foreach (var n in numbers)
        {
            Assert.Equal(1, k.BookingsFor(n));
            Assert.Single(k.CentraShipmentsOf(int.Parse(n[2..], System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(0, k.State.NShift.DoubleBooked);
        k.AssertOnContract();
    }

    [Fact]
    public async Task A_duplicated_signal_books_once()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var numbers = Enumerable.Range(7201, 4).Select(n => k.Seed(n)).ToList();
        foreach (var n in numbers)
            k.Confirm(n);

        var (sent, _, _) = await k.SignalAsync(numbers, dropRate: 0, duplicateRate: 1.0);
        Assert.Equal(8, sent);
        await k.SweepAsync(); // and the sweep sees them too
        var invocations = await k.DrainAsync();
        Assert.True(invocations >= 12, $"every delivery ran ({invocations})");
        Assert.Equal(4, k.State.NShift.Bookings.Count);
        Assert.Equal(0, k.State.NShift.DoubleBooked);
        Assert.Equal(4, k.State.Centra.Shipments().Count);
        k.AssertOnContract();
    }

    [Fact]
    public async Task A_booking_whose_answer_was_lost_is_found_by_reference_and_not_booked_again()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7301);
        k.Confirm(number);
        k.State.NShift.CommitThenDrop = 1; // nShift books, then the connection breaks before the answer

        var first = await Assert.ThrowsAnyAsync<JunipeerException>(() => k.HandleAsync(number, "w1"));
        Assert.Equal(ErrorCodes.CarrierUnavailable, first.Code);
        var row = await k.LedgerAsync(number);
        Assert.Equal("BookingAttempted", row!.Phase); // the crash point: booked in nShift, nothing in Centra
        Assert.Empty(k.State.Centra.Shipments());

        var second = await k.HandleAsync(number, "w2");
        Assert.True(second.Outcome == SyncOutcome.Done, $"{second.Outcome} {second.ErrorCode} {second.Message}");
        Assert.Single(k.State.NShift.Bookings);
        Assert.Equal(k.State.NShift.Bookings[0].ShipmentNo, Assert.Single(k.CentraShipmentsOf(7301)).TrackingNumber);
        k.AssertOnContract();
    }

    [Fact]
    public async Task A_Centra_outage_after_booking_resumes_from_the_booking_without_a_second_one()
    {
        // Rate-limit waits go back on the queue (none slept out in process).
        await using var k = await ShipmentKit.StartAsync(azurite, extraSettings: new() { ["Junipeer:Orders:MaxInProcessWaitSeconds"] = "0" });
        var number = k.Seed(7351);
        k.Confirm(number);

        // The order read passes; every Centra call after it (the shipment lookup, the create) is refused with 429.
        k.State.Centra.OnOrdersQuery = n =>
        {
            if (n == 0)
                k.State.Faults.Centra429Burst = 50;
        };

        var first = await k.HandleAsync(number, "w1");
        Assert.NotEqual(SyncOutcome.Done, first.Outcome);
        Assert.Single(k.State.NShift.Bookings);
        var row = await k.LedgerAsync(number);
        Assert.Equal("Booked", row!.Phase);
        Assert.NotNull(row.Documents.GetValueOrDefault("booking"));

        k.State.Centra.OnOrdersQuery = null;
        k.State.Faults.Centra429Burst = 0;
        var lookupsBefore = k.State.Stats.Count("nshift GET /rs-extapi/v1/shipments");
        Assert.Equal(SyncOutcome.Done, (await k.HandleAsync(number, "w2")).Outcome);
        Assert.Single(k.State.NShift.Bookings);
        Assert.Equal(lookupsBefore, k.State.Stats.Count("nshift GET /rs-extapi/v1/shipments")); // known from the ledger: no lookup
        Assert.Single(k.CentraShipmentsOf(7351));
        k.AssertOnContract();
    }

    [Fact]
    public async Task Lost_storage_replays_without_a_second_booking_or_Centra_shipment()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var numbers = Enumerable.Range(7401, 3).Select(n => k.Seed(n)).ToList();
        foreach (var n in numbers)
            k.Confirm(n);
        await k.SweepAsync();
        await k.DrainAsync();
        Assert.Equal(3, k.State.NShift.Bookings.Count);

        await k.H.WipeStorageAsync();
        await k.SweepAsync();
        await k.DrainAsync();
        Assert.Equal(3, k.State.NShift.Bookings.Count);
        Assert.Equal(3, k.State.Centra.Shipments().Count);
        foreach (var n in numbers)
            Assert.Equal(LedgerStatus.Done, (await k.LedgerAsync(n))!.Status);
        k.AssertOnContract();
    }

    [Fact]
    public async Task An_unmapped_carrier_service_fails_with_a_code_and_books_nothing()
    {
        await using var k = await ShipmentKit.StartAsync(azurite, s => s with
        {
            CarrierServices = [new Junipeer.Core.Integrations.CarrierServiceMapping { Country = "SE", ServiceId = "P19" }],
        });
        var number = k.Seed(7501, country: "DE");
        k.Confirm(number);

        var r = await k.HandleAsync(number);
        Assert.Equal(SyncOutcome.Failed, r.Outcome);
        Assert.Equal(ErrorCodes.CarrierServiceNotMapped, r.ErrorCode);
        Assert.Contains("country DE", r.Message, StringComparison.Ordinal);
        Assert.Empty(k.State.NShift.Bookings);
        Assert.Empty(k.State.Centra.Shipments());
        var row = await k.LedgerAsync(number);
        Assert.Equal(LedgerStatus.Failed, row!.Status);
        Assert.Equal(ErrorCodes.CarrierServiceNotMapped, row.ErrorCode);
    }

    [Fact]
    public async Task An_open_shipment_is_not_synced_until_it_is_confirmed()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var number = k.Seed(7551);
        var r = await k.HandleAsync(number);
        Assert.True(r.Outcome == SyncOutcome.Skipped, $"{r.Outcome} {r.ErrorCode} {r.Message}");
        Assert.Null(await k.LedgerAsync(number)); // nothing written
        await k.SweepAsync();
        Assert.Equal(0, await k.DrainAsync()); // the sweep polls Confirmed only

        k.Confirm(number);
        await k.SweepAsync();
        await k.DrainAsync();
        Assert.Single(k.CentraShipmentsOf(7551));
    }
}
