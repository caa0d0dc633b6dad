using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <param name="CreatedInVisma">Visma.net customers made for the demo's Centra customers.</param>
/// <param name="UpdatedInVisma">Visma.net customer PUTs that changed something.</param>
/// <param name="CreatedInCentra">Centra customers created through the API (ERP customers, including the order flow's buyers).</param>
/// <param name="UpdatedInCentra">Centra customer updates that changed something.</param>
/// <param name="Echoes">Updates that changed nothing on the side they reached, i.e. a change sent back where it came from (counted in both emulators; must be 0).</param>
public sealed record DemoCustomerCounts(int CreatedInVisma, int UpdatedInVisma, int CreatedInCentra, int UpdatedInCentra, int Echoes);

/// <summary>
/// The demo's customers: four in Centra (a Swedish consumer, a German business with a VAT number, a Danish and a
/// Finnish consumer) and two typed into Visma.net by a user; during the run a user edits two of them in Centra and
/// one in Visma.net. The customer timer carries every change to the other side and nothing back.
/// </summary>
public static class DemoCustomers
{
    private static readonly CentraCustomerData[] Centra =
    [
        new() { Email = "anna.svensson@example.se", FirstName = "Anna", LastName = "Svensson", Address1 = "Storgatan 1", ZipCode = "11122", City = "Stockholm", CountryCode = "SE" },
        new() { Email = "einkauf@muster.example.de", FirstName = "Max", LastName = "Muster", CompanyName = "Muster GmbH", Address1 = "Hauptstr. 5", ZipCode = "10115", City = "Berlin", CountryCode = "DE", VatNumber = "DE123456789" },
        new() { Email = "mette@example.dk", FirstName = "Mette", LastName = "Hansen", Address1 = "Nørregade 3", ZipCode = "1165", City = "København", CountryCode = "DK" },
        new() { Email = "aino@example.fi", FirstName = "Aino", LastName = "Virtanen", Address1 = "Mannerheimintie 7", ZipCode = "00100", City = "Helsinki", CountryCode = "FI" },
    ];

    private static readonly VismaCustomerEdit[] Visma =
    [
        new() { Name = "Olle Berg", Email = "olle.berg@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE" },
        new() { Name = "Lena Lund", Email = "lena.lund@example.se", AddressLine1 = "Lilla torg 1", PostalCode = "21134", City = "Malmö", CountryId = "SE" },
    ];

    private static readonly List<int> CentraIds = [];
    private static readonly List<string> VismaNumbers = [];

    public static Integration WithCustomers(Integration i) => i with { Customers = new CustomerFlowSettings { Enabled = true } };

    public static void Seed(SandboxHost sandbox)
    {
        CentraIds.Clear();
        VismaNumbers.Clear();
        CentraIds.AddRange(Centra.Select(sandbox.State.Centra.AddCustomer));
        VismaNumbers.AddRange(Visma.Select(v => sandbox.State.Visma.AddCustomer(DemoScenario.CompanyTenantId, v)));
    }

    /// <summary>The first sync is done: every seeded customer is on the other side (the edits come after it).</summary>
    public static bool Seeded(SandboxHost sandbox)
    {
        var visma = sandbox.State.Visma.Customers(DemoScenario.CompanyTenantId);
        var centra = sandbox.State.Centra.Customers();
        return Centra.All(c => visma.Any(v => string.Equals(v.Email, c.Email, StringComparison.OrdinalIgnoreCase)))
               && Visma.All(v => centra.Any(c => string.Equals(c.Data.Email, v.Email, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Users edit customers on both sides while the host runs.</summary>
    public static void Change(SandboxHost sandbox)
    {
        sandbox.State.Centra.EditCustomer(CentraIds[0], c => c with { Address1 = "Sveavägen 20", ZipCode = "11157" });
        sandbox.State.Centra.EditCustomer(CentraIds[3], c => c with { Email = "aino.virtanen@example.fi" });
        sandbox.State.Visma.EditCustomer(DemoScenario.CompanyTenantId, VismaNumbers[0], new VismaCustomerEdit { Name = "Olle Bergström", City = "Mölndal" });
    }

    /// <summary>Every seeded customer and every edit is on both sides.</summary>
    public static bool Converged(SandboxHost sandbox) => Pending(sandbox).Count == 0;

    /// <summary>The seeded customers or edits not yet on the other side (for the demo's progress line).</summary>
    public static IReadOnlyList<string> Pending(SandboxHost sandbox)
    {
        var visma = sandbox.State.Visma.Customers(DemoScenario.CompanyTenantId);
        var centra = sandbox.State.Centra.Customers();
        bool InVisma(string email, Func<VismaCustomerSnapshot, bool>? check = null) =>
            visma.Any(v => string.Equals(v.Email, email, StringComparison.OrdinalIgnoreCase) && (check?.Invoke(v) ?? true));
        bool InCentra(string email, Func<CentraCustomerSnapshot, bool>? check = null) =>
            centra.Any(c => string.Equals(c.Data.Email, email, StringComparison.OrdinalIgnoreCase) && (check?.Invoke(c) ?? true));
        var pending = new List<string>();
        void Check(bool ok, string what)
        {
            if (!ok)
                pending.Add(what);
        }

        Check(InVisma("anna.svensson@example.se", v => v.AddressLine1 == "Sveavägen 20"), "Anna's new street in Visma.net");
        Check(InVisma("einkauf@muster.example.de", v => v.CustomerClassId == "EUB2B"), "Muster GmbH (EUB2B) in Visma.net");
        Check(InVisma("mette@example.dk"), "Mette in Visma.net");
        Check(InVisma("aino.virtanen@example.fi"), "Aino's new e-mail in Visma.net");
        Check(InCentra("olle.berg@example.se", c => c.Data.LastName == "Bergström" && c.Data.City == "Mölndal"), "Olle's new name and city in Centra");
        Check(InCentra("lena.lund@example.se"), "Lena in Centra");
        return pending;
    }

    public static DemoCustomerCounts Counts(SandboxHost sandbox)
    {
        var emails = Centra.Select(c => c.Email).Append("aino.virtanen@example.fi").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var createdInVisma = sandbox.State.Visma.Customers(DemoScenario.CompanyTenantId).Count(v => v.Email is not null && emails.Contains(v.Email));
        return new DemoCustomerCounts(
            createdInVisma,
            sandbox.State.Visma.CustomersUpdatedByApi,
            sandbox.State.Centra.CustomersCreatedByApi,
            sandbox.State.Centra.CustomersUpdatedByApi,
            sandbox.State.Visma.CustomerEchoes + sandbox.State.Centra.CustomerEchoes);
    }
}
