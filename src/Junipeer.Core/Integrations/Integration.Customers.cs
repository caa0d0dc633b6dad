namespace Junipeer.Core.Integrations;

/// <summary>Customers both ways (Centra ⇄ Visma.net).</summary>
public sealed partial record Integration
{
    public CustomerFlowSettings Customers { get; init; } = new();
}

/// <summary>
/// The customer sync on the <c>CustomerSyncSchedule</c> timer: Centra customer changes update (or create) the
/// ERP customer, ERP customer changes (<c>lastModifiedDateTime</c> delta) update (or create) the Centra customer.
/// A change the engine wrote itself is recognised by its content fingerprint and never sent back.
/// </summary>
public sealed record CustomerFlowSettings
{
    public bool Enabled { get; init; }

    /// <summary>Centra → Visma.net (create when absent, update name, address, e-mail, VAT number, customer class).</summary>
    public bool ToErp { get; init; } = true;

    /// <summary>Visma.net → Centra (create when absent, update).</summary>
    public bool ToShop { get; init; } = true;

    /// <summary>How far before its checkpoint each delta read starts, on both sides.</summary>
    public int OverlapMinutes { get; init; } = 10;
}
