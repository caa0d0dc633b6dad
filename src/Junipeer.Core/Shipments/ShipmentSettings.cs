namespace Junipeer.Core.Integrations;

/// <summary>The shipments flow's settings (kept beside the flow; the record is partial).</summary>
public sealed partial record Integration
{
    /// <summary>Shipments confirmed in the ERP → carrier booking (nShift) → shipment (and capture) in the shop.</summary>
    public ShipmentFlowSettings Shipments { get; init; } = new();
}

/// <summary>
/// How a shipment confirmed in Visma.net reaches Centra and, optionally, nShift. Off by default.
/// Signals: the Visma webhook (a hint) and the fallback sweep (the guarantee).
/// </summary>
public sealed record ShipmentFlowSettings
{
    public bool Enabled { get; init; }

    /// <summary>The ERP shipment status that triggers the flow (Visma.net: <c>Confirmed</c>); later statuses count too.</summary>
    public string TriggerStatus { get; init; } = "Confirmed";

    /// <summary>
    /// Where the Centra order number is on the Visma shipment: <c>orderNbr</c> (the sales order number
    /// on the shipment's order lines) or a free field <c>customStr1</c> … <c>customStr5</c>.
    /// </summary>
    public string OrderNumberField { get; init; } = "customStr1";

    /// <summary>Prefix of the carrier booking reference (reference = prefix + ERP shipment number); the first attempt's value is kept.</summary>
    public string ReferencePrefix { get; init; } = "JP-SHP-";

    /// <summary>Secret (name) of the Visma Developer Portal webhook subscription; null: the webhook endpoint refuses this integration.</summary>
    public string? WebhookSecretName { get; init; }

    /// <summary>The previous webhook secret, accepted during rotation.</summary>
    public string? PreviousWebhookSecretName { get; init; }

    /// <summary>False: a shipment that does not ship every ordered unit fails with SHIPMENT_PARTIAL_NOT_ALLOWED.</summary>
    public bool AllowPartialShipments { get; init; } = true;

    /// <summary>Book the shipment with nShift; null: no booking, tracking numbers come from the ERP's package lines.</summary>
    public NShiftSettings? NShift { get; init; }

    /// <summary>nShift service per destination country and/or ERP shipping method (Visma <c>shipVia</c>); the most specific entry wins.</summary>
    public IReadOnlyList<CarrierServiceMapping> CarrierServices { get; init; } = [];

    /// <summary>Capture the payment of the shipment in Centra (<c>captureShipment</c>) after creating it.</summary>
    public bool CaptureInShop { get; init; } = true;

    /// <summary>Let Centra send its shipping confirmation e-mail.</summary>
    public bool SendShopEmail { get; init; }

    /// <summary>Write the carrier's tracking number back to the ERP shipment's first package line.</summary>
    public bool WriteTrackingToErp { get; init; } = true;

    /// <summary>How far back the sweep re-reads before its checkpoint (the ERP's lastModifiedDateTime time zone is undocumented).</summary>
    public int SweepOverlapMinutes { get; init; } = 10;

    /// <summary>Shipments last modified before this never sync. Also the sweep's first checkpoint.</summary>
    public DateTimeOffset? SyncFrom { get; init; }
}

/// <summary>nShift Delivery (Unifaun) API access and sender.</summary>
public sealed record NShiftSettings
{
    /// <summary>Override of the API base (default https://api.unifaun.com/rs-extapi/v1), e.g. the Sandbox.</summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary>Secret (name) holding the API key as "ID-Secret" (sent as Bearer).</summary>
    public required string ApiKeySecretName { get; init; }

    /// <summary>The sender (the warehouse). nShift's schema needs name, city and country even when a saved sender (quickId) is named.</summary>
    public required CarrierParty Sender { get; init; }

}

/// <summary>One mapping entry: null Country/ShippingMethod match anything.</summary>
public sealed record CarrierServiceMapping
{
    /// <summary>ISO alpha-2 destination country, or null for any.</summary>
    public string? Country { get; init; }

    /// <summary>The ERP shipping method (Visma <c>shipVia.id</c>), or null for any.</summary>
    public string? ShippingMethod { get; init; }

    /// <summary>nShift service code, e.g. PUA, BPA, P15.</summary>
    public required string ServiceId { get; init; }
}

/// <summary>A sender or receiver as nShift takes it.</summary>
public sealed record CarrierParty
{
    /// <summary>A party saved in nShift (quickId), optional.</summary>
    public string? QuickId { get; init; }

    public required string Name { get; init; }
    public string? Address1 { get; init; }
    public string? Zipcode { get; init; }
    public required string City { get; init; }

    /// <summary>ISO alpha-2.</summary>
    public required string Country { get; init; }

    public string? Phone { get; init; }
    public string? Email { get; init; }
}
