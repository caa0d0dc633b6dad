using Junipeer.Core.Integrations;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <summary>The shipments part of the demo scenario: settings, and a Visma shipment per Centra order.</summary>
public static partial class DemoScenario
{
    public static string NShiftKeySecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "NShiftApiKey";

    public static string VismaWebhookSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "VismaWebhookSecret";

    /// <summary>The shipments flow on: nShift booking (the Sandbox's nShift), capture in Centra, tracking back to Visma.</summary>
    public static Integration WithShipments(Integration integration, Uri nshiftApiBase, IReadOnlyList<CarrierServiceMapping>? services = null) => integration with
    {
        Shipments = new ShipmentFlowSettings
        {
            Enabled = true,
            TriggerStatus = "Confirmed",
            OrderNumberField = "customStr1",
            WebhookSecretName = VismaWebhookSecretNameFor(integration.Id),
            NShift = new NShiftSettings
            {
                ApiBaseUrl = nshiftApiBase.ToString().TrimEnd('/'),
                ApiKeySecretName = NShiftKeySecretNameFor(integration.Id),
                Sender = new CarrierParty { Name = "Nordic Threads AB", Address1 = "Lagergatan 1", Zipcode = "411 21", City = "Göteborg", Country = "SE" },
            },
            CarrierServices = services ??
            [
                new CarrierServiceMapping { Country = "SE", ShippingMethod = "EXPRESS", ServiceId = "DHLPAL" },
                new CarrierServiceMapping { Country = "SE", ServiceId = "P19" },
                new CarrierServiceMapping { ShippingMethod = "EXPRESS", ServiceId = "DHLPAL" },
                new CarrierServiceMapping { ServiceId = "PUE" },
            ],
            SweepOverlapMinutes = 2,
        },
    };

    /// <summary>
    /// A Visma shipment for a Centra order: every line (by SKU) fully shipped, one package per 3 units,
    /// the Centra order number in customStr1, delivery address from the order.
    /// </summary>
    public static VismaShipmentSpec ShipmentFor(CentraOrderSpec order, CentraOrderSnapshot snapshot, string? shipVia = null, Func<CentraLineSnapshot, decimal>? shipped = null)
    {
        var a = order.ShippingAddress ?? order.BillingAddress;
        var units = snapshot.Lines.Sum(l => l.Quantity);
        return new VismaShipmentSpec
        {
            Number = "SH" + snapshot.Number,
            CustomerName = a?.CompanyName ?? $"{a?.FirstName} {a?.LastName}",
            SalesOrderNumber = "SO" + snapshot.Number,
            CustomFields = new Dictionary<string, string> { ["customStr1"] = snapshot.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ShipVia = shipVia ?? (snapshot.Number % 5 == 0 ? "EXPRESS" : "POSTNORD"),
            DeliveryName = a?.CompanyName ?? $"{a?.FirstName} {a?.LastName}",
            AddressLine1 = a?.Address1,
            PostalCode = a?.ZipCode,
            City = a?.City,
            CountryId = a?.Country,
            Email = a?.Email,
            Phone = a?.PhoneNumber,
            Lines = [.. snapshot.Lines.Select(l => new VismaShipmentLineSpec(l.Sku, shipped?.Invoke(l) ?? l.Quantity, l.Quantity))],
            Packages = [.. Enumerable.Range(0, Math.Max(1, (units + 2) / 3)).Select(i => new VismaPackageSpec(1.2m + i))],
        };
    }
}
