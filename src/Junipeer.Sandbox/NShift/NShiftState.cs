using System.Globalization;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.NShift;

/// <summary>One printed shipment as the emulator keeps it (ground truth).</summary>
public sealed record NShiftBooking(string Id, string ShipmentNo, string? OrderNo, string? Reference, string ServiceId, IReadOnlyList<string> ParcelNumbers,
    string ReceiverName, string ReceiverCountry, DateTimeOffset Created);

/// <summary>In-memory nShift Delivery data: API key, known services, printed shipments, fault knobs.</summary>
public sealed class NShiftState
{
    private readonly SandboxState _root;
    private readonly Lock _gate = new();
    private readonly List<NShiftBooking> _bookings = [];
    private long _next = 5666300;

    internal NShiftState(SandboxState root)
    {
        _root = root;
        Reset();
    }

    /// <summary>The API key's ID part (Bearer "&lt;ID&gt;-&lt;Secret&gt;" or Basic ID:Secret).</summary>
    public string KeyId { get; set; } = "";

    public string KeySecret { get; set; } = "";

    /// <summary>Carrier service codes this account may use (others: 422).</summary>
    public HashSet<string> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Next POSTs answered 500 {code: INTERNAL} without booking.</summary>
    public int Fail5xx { get; set; }

    /// <summary>Next POSTs booked, then the connection is dropped before the answer (an uncertain attempt).</summary>
    public int CommitThenDrop { get; set; }

    /// <summary>Next POSTs answered 429 with Retry-After (undocumented for nShift; a fault knob).</summary>
    public int RateLimited { get; set; }

    public IReadOnlyList<NShiftBooking> Bookings
    {
        get { lock (_gate) { return [.. _bookings]; } }
    }

    /// <summary>References booked more than once (each extra booking costs money).</summary>
    public int DoubleBooked
    {
        get { lock (_gate) { return _bookings.Where(b => b.Reference is not null).GroupBy(b => b.Reference).Sum(g => g.Count() - 1); } }
    }

    internal bool TakeFault(ref int knob)
    {
        lock (_gate)
        {
            if (knob <= 0)
                return false;
            knob--;
            return true;
        }
    }

    internal bool Take5xx() { var k = Fail5xx; var hit = TakeFault(ref k); Fail5xx = k; return hit; }

    internal bool TakeDrop() { var k = CommitThenDrop; var hit = TakeFault(ref k); CommitThenDrop = k; return hit; }

    internal bool Take429() { var k = RateLimited; var hit = TakeFault(ref k); RateLimited = k; return hit; }

    internal NShiftBooking Book(JsonObject shipment)
    {
        lock (_gate)
        {
            var id = (++_next).ToString(CultureInfo.InvariantCulture);
            var parcels = shipment["parcels"] as JsonArray ?? [];
            var numbers = new List<string>();
            foreach (var p in parcels.OfType<JsonObject>())
            {
                var copies = (int?)p["copies"] ?? 1;
                for (var c = 0; c < copies; c++)
                    numbers.Add($"{37332538062372 + (_next * 10) + numbers.Count}SE");
            }

            var receiver = shipment["receiver"] as JsonObject;
            var booking = new NShiftBooking(id, "6047" + id, (string?)shipment["orderNo"], (string?)shipment["senderReference"],
                (string)shipment["service"]!["id"]!, numbers, (string?)receiver?["name"] ?? "", (string?)receiver?["country"] ?? "", _root.Clock.GetUtcNow());
            _bookings.Add(booking);
            return booking;
        }
    }

    internal List<NShiftBooking> Search(string field, string op, string value)
    {
        lock (_gate)
        {
            return _bookings.Where(b => Matches(field switch
            {
                "orderNo" => b.OrderNo,
                "reference" => b.Reference,
                _ => b.ShipmentNo,
            }, op, value)).ToList();
        }
    }

    private static bool Matches(string? actual, string op, string value) => actual is not null && op switch
    {
        "equals" => string.Equals(actual, value, StringComparison.Ordinal),
        "contains" => actual.Contains(value, StringComparison.Ordinal),
        "startsWith" => actual.StartsWith(value, StringComparison.Ordinal),
        _ => actual.EndsWith(value, StringComparison.Ordinal),
    };

    internal void Reset()
    {
        lock (_gate)
        {
            _bookings.Clear();
            Services.Clear();
            foreach (var s in new[] { "P15", "P19", "PUA", "PUE", "BPA", "DHLPAL", "ASPO" })
                Services.Add(s);
            KeyId = _root.Options.NShiftKeyId;
            KeySecret = _root.Options.NShiftKeySecret;
            Fail5xx = CommitThenDrop = RateLimited = 0;
        }
    }

    /// <summary>The shipment info object of a booking (201 response and search results).</summary>
    internal static JsonObject Info(NShiftBooking b, Uri apiBase) => new()
    {
        ["href"] = new Uri(apiBase, "shipments/" + b.Id).ToString(),
        ["id"] = b.Id,
        ["rcvName"] = b.ReceiverName,
        ["rcvCountry"] = b.ReceiverCountry,
        ["serviceId"] = b.ServiceId,
        ["shipmentNo"] = b.ShipmentNo,
        ["orderNo"] = b.OrderNo,
        ["reference"] = b.Reference,
        ["parcelCount"] = b.ParcelNumbers.Count,
        ["parcels"] = new JsonArray([.. b.ParcelNumbers.Select(n => (JsonNode)new JsonObject { ["parcelNo"] = n, ["reference"] = null })]),
        ["normalShipment"] = false,
        ["returnShipment"] = false,
        ["consolidated"] = false,
        ["status"] = "PRINTED",
        ["shipDate"] = b.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff+0000", CultureInfo.InvariantCulture),
        ["created"] = b.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff+0000", CultureInfo.InvariantCulture),
        ["changed"] = b.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff+0000", CultureInfo.InvariantCulture),
        ["pdfs"] = new JsonArray(new JsonObject { ["id"] = b.Id + "1", ["pdf"] = null, ["description"] = "Label", ["href"] = new Uri(apiBase, $"shipments/{b.Id}/pdfs/{b.Id}1").ToString() }),
        ["previousPdfs"] = null,
    };
}
